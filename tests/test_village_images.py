"""The one image encoder (services.village.images) keeps each caller's contract: what it
accepts and the error codes its API published."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context
from PIL import Image

from balai.errors import BalaiError
from services.village.images import (
    ECONOMY_PHOTOS,
    PUBLISHED_IMAGES,
    image_delete,
    image_encode,
    images_prepare,
    images_stored,
)

pytestmark = pytest.mark.django_db


def _upload(fmt: str, *, mode: str = "RGB", name: str = "x") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, (40, 30), 3 if mode == "P" else (10, 200, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue())


def _code(upload, rules) -> str:
    with pytest.raises(BalaiError) as raised:
        image_encode(upload, field="photo", rules=rules)
    (error,) = raised.value.errors
    assert error.field == "photo" and error.message and error.message_en
    return error.code


def _oversized() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1))


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"%PDF-1.4\n%%EOF")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_both_callers_accept_the_common_formats_as_a_clean_jpeg(fmt):
    for rules in (PUBLISHED_IMAGES, ECONOMY_PHOTOS):
        data = image_encode(_upload(fmt), field="photo", rules=rules)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (40, 30)


def test_a_gif_is_a_photo_for_the_economy_and_refused_for_published_images():
    data = image_encode(_upload("GIF", mode="P"), field="photos", rules=ECONOMY_PHOTOS)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
    assert _code(_upload("GIF", mode="P"), PUBLISHED_IMAGES) == "invalid_image"


@pytest.mark.parametrize(
    ("rules", "too_large", "not_an_image"),
    [
        (PUBLISHED_IMAGES, "too_large", "invalid_image"),
        (ECONOMY_PHOTOS, "photo_too_large", "not_an_image"),
    ],
)
def test_each_caller_keeps_its_error_codes(rules, too_large, not_an_image):
    assert _code(_oversized(), rules) == too_large
    assert _code(_pdf(), rules) == not_an_image


def test_prepared_photos_are_written_only_with_the_database_write(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(cast.village_a):
        prepared = images_prepare([_upload("PNG")], folder="economy")
        assert not list(tmp_path.rglob("*.jpg"))
        with pytest.raises(RuntimeError), images_stored(prepared) as paths:
            assert (tmp_path / paths[0]).is_file()
            raise RuntimeError("the database write failed")
    connection.set_schema_to_public()
    assert not list(tmp_path.rglob("*.jpg"))


def test_photos_stored_under_the_old_economy_names_can_still_be_deleted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = "villages/village_negarabatin/economy/" + "A" * 24 + ".jpg"
    path = Path(tmp_path) / old
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    image_delete(old)
    assert not path.exists()
