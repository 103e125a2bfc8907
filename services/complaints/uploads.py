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
from PIL import Image

from services.village.images import image_encode

MAX_PHOTOS = 3
PHOTO_NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")
SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass
class EncodedPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def photo_encode(upload, *, index: int = 0) -> EncodedPhoto:
    """Decode one uploaded file and return it re-encoded, or raise a BalaiError naming it.

    The checks and the re-encoding are the village's one image encoder
    (services.village.images.image_encode); complaints only keep the size for the API.
    """
    data = image_encode(upload, field=f"photos[{index}]")
    with Image.open(io.BytesIO(data)) as encoded:
        width, height = encoded.size
    return EncodedPhoto(data=data, width=width, height=height)


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
