"""Complaint photos: checked, re-encoded and stored under the village's own folder.

Nothing a person uploads is stored as sent. Each photo is decoded by Pillow (JPEG, PNG
or WebP only), re-encoded as a fresh JPEG without EXIF (so no GPS position or camera
serial leaks, and no polyglot file survives), and written to
``MEDIA_ROOT/villages/<schema_name>/complaints/<random name>.jpg``. The path is made from
the schema name and a random name only, never from the uploaded file name.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from balai.errors import BalaiError

MAX_PHOTOS = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Decompression bombs: a 5 MB PNG can claim 50,000 x 50,000 pixels.
MAX_SOURCE_PIXELS = 40_000_000
MAX_SIDE = 1600
JPEG_QUALITY = 82
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")
SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass
class EncodedPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def _photo_error(index: int, code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single(f"photos[{index}]", code, message, message_en)


def photo_encode(upload, *, index: int = 0) -> EncodedPhoto:
    """Decode one uploaded file and return it re-encoded, or raise a BalaiError naming it."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _photo_error(
            index,
            "too_large",
            f"Foto terlalu besar (maksimal {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
            f"Photo too large (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
        )
    upload.seek(0)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _photo_error(
            index, "too_large", "Foto terlalu besar (maksimal 5 MB).", "Photo too large (max 5 MB)."
        )
    not_an_image = _photo_error(
        index,
        "invalid_image",
        "Berkas bukan gambar JPEG, PNG atau WebP.",
        "The file is not a JPEG, PNG or WebP image.",
    )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise _photo_error(
                    index,
                    "too_many_pixels",
                    "Ukuran gambar (piksel) terlalu besar.",
                    "The image has too many pixels.",
                )
            probe.verify()
        # verify() leaves the image unusable: open again to decode the pixels.
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # No exif= argument: the re-encoded file carries no metadata at all.
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return EncodedPhoto(data=out.getvalue(), width=image.width, height=image.height)
    except BalaiError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_an_image from None


def village_photo_dir(schema_name: str) -> Path:
    if not SCHEMA_NAME.match(schema_name):
        raise ValueError(f"not a schema name: {schema_name!r}")
    return Path(settings.MEDIA_ROOT) / "villages" / schema_name / "complaints"


def photo_new_name() -> str:
    return f"{secrets.token_urlsafe(16)}.jpg"


def photo_path(*, schema_name: str, name: str) -> Path:
    """The file of a stored photo; refuses any name we would not have made."""
    if not PHOTO_NAME.match(name):
        raise ValueError("not a photo name")
    return village_photo_dir(schema_name) / name


def photo_write(*, schema_name: str, name: str, data: bytes) -> Path:
    path = photo_path(schema_name=schema_name, name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "xb": never overwrite an existing file, even on a (vanishingly unlikely) name clash.
    with open(path, "xb") as handle:
        handle.write(data)
    return path
