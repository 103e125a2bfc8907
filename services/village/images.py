"""Pictures a village publishes (news covers, officials' photos, its logo), kept under its
own folder.

Nothing uploaded is stored as sent: Pillow decodes it (JPEG, PNG or WebP only), it is
shrunk to at most ``MAX_SIDE`` pixels a side and re-encoded as a fresh JPEG without EXIF
(no GPS position or camera serial leaks, no polyglot file survives), and written to
``MEDIA_ROOT/villages/<schema_name>/<folder>/<random name>.jpg``. The stored name comes
from the schema and a random token, never from the uploaded file name, so two villages can
never read or overwrite each other's files.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection
from PIL import Image, ImageOps, UnidentifiedImageError

from balai.errors import BalaiError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Decompression bombs: a 5 MB PNG can claim 50,000 x 50,000 pixels.
MAX_SOURCE_PIXELS = 40_000_000
MAX_SIDE = 1600
JPEG_QUALITY = 82
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
FOLDERS = {"news", "officials", "logo"}
STORED_NAME = re.compile(r"^villages/[a-z][a-z0-9_]{0,62}/[a-z]+/[A-Za-z0-9_-]{22}\.jpg$")


def _error(field: str, code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single(field, code, message, message_en)


def image_encode(upload, *, field: str) -> bytes:
    """Decode an uploaded file and return it as a clean JPEG, or raise a BalaiError naming
    ``field``."""
    size = getattr(upload, "size", None)
    too_large = _error(
        field,
        "too_large",
        f"Gambar terlalu besar (maksimal {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
        f"Image too large (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
    )
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise too_large
    upload.seek(0)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise too_large
    not_an_image = _error(
        field,
        "invalid_image",
        "Berkas bukan gambar JPEG, PNG atau WebP.",
        "The file is not a JPEG, PNG or WebP image.",
    )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise _error(
                    field,
                    "too_many_pixels",
                    "Ukuran gambar (piksel) terlalu besar.",
                    "The image has too many pixels.",
                )
            probe.verify()
        # verify() leaves the image unusable: open again to decode the pixels.
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except BalaiError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    return out.getvalue()


def image_store(*, data: bytes, folder: str) -> str:
    """Write encoded bytes under the active village's folder; returns the path under
    MEDIA_ROOT."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown image folder {folder!r}")
    schema_name = connection.schema_name
    if not schema_name or schema_name == "public":
        raise RuntimeError("store village images with a village schema active")
    relative = f"villages/{schema_name}/{folder}/{secrets.token_urlsafe(16)}.jpg"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # "xb": a random 128-bit name never collides; if it ever did, fail rather than overwrite.
    with open(target, "xb") as handle:
        handle.write(data)
    return relative


def image_delete(relative: str) -> None:
    """Remove a stored image; only paths this module made are touched."""
    if relative and STORED_NAME.match(relative):
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)


def image_url(relative: str) -> str | None:
    return f"{settings.MEDIA_URL}{relative}" if relative else None
