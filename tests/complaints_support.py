"""Shared pieces of the complaints tests: images, uploads, clients and a filed complaint."""

from __future__ import annotations

import io

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from tests.conftest import host_of

GOOD_PHONE = "0812-3456-7890"


def rate_limits_clear() -> None:
    # Only the filing counters: the same Redis database carries Celery's queues.
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match="*complaints:anon:*"):
        client.delete(key)


def fresh_media_and_limits(settings, tmp_path):
    """For a fixture: photos under a fresh MEDIA_ROOT and empty rate-limit counters."""
    settings.MEDIA_ROOT = tmp_path / "media"
    rate_limits_clear()
    yield settings.MEDIA_ROOT
    rate_limits_clear()


def image_bytes(fmt: str = "JPEG", *, size=(64, 48), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "KameraUji"  # Make
        # GPS IFD: latitude -4.5, longitude 104.5 (Way Kanan)
        exif[0x8825] = {1: "S", 2: (4.0, 30.0, 0.0), 3: "E", 4: (104.0, 30.0, 0.0)}
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def upload(name: str = "foto.jpg", data: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, image_bytes() if data is None else data, content_type)


def resident_client(village, resident) -> Client:
    from services.residents.models import ResidentAccount
    from services.residents.services import resident_token_create

    with schema_context(village.schema_name):
        token = resident_token_create(account=ResidentAccount.objects.get(resident=resident))
    return Client(HTTP_HOST=host_of(village), HTTP_AUTHORIZATION=f"Resident {token}")


def complaint_make(village, **overrides):
    """File a complaint through the service, as an anonymous person, in ``village``."""
    from services.complaints.services import complaint_file

    fields = {
        "category_code": "air-bersih",
        "description": "Air PAM mati sejak tiga hari di RT 02.",
        "phone": GOOD_PHONE,
        "client_ip": "10.0.0.1",
        **overrides,
    }
    with schema_context(village.schema_name):
        return complaint_file(**fields)
