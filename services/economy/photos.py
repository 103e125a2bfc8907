"""Photos of businesses, products and village potential.

Every upload is decoded and re-encoded with Pillow before anything is stored, so what we
serve is always an image we made (no smuggled scripts or PDFs renamed .jpg, no EXIF GPS
of the seller's house). Files go to MEDIA_ROOT/villages/<schema>/economy/<random>.jpg and
never carry the uploaded file name.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from balai.errors import BalaiError, FieldError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Pillow's own bomb guard only warns below 2x its limit; refuse anything above ~40 MP.
MAX_PIXELS = 40_000_000
MAX_EDGE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class PreparedPhoto:
    relative_path: str
    data: bytes

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.relative_path


def _photo_error(field: str, code: str, message: str, message_en: str) -> FieldError:
    return FieldError(field, code, message, message_en)


def _reencode(upload, *, field: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise BalaiError(
            errors=[
                _photo_error(
                    field,
                    "photo_too_large",
                    "Foto terlalu besar (paling besar 5 MB).",
                    "The photo is too large (at most 5 MB).",
                )
            ]
        )
    not_an_image = BalaiError(
        errors=[
            _photo_error(
                field,
                "not_an_image",
                "Berkas bukan foto (JPEG, PNG, WebP atau GIF).",
                "The file is not a photo (JPEG, PNG, WebP or GIF).",
            )
        ]
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if image.width * image.height > MAX_PIXELS:
                raise not_an_image
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((MAX_EDGE, MAX_EDGE))
            out = io.BytesIO()
            # No exif= argument: the re-encoded file carries no metadata of the original.
            image.save(out, format="JPEG", quality=82, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc


def photos_prepare(uploads: Iterable, *, field: str = "photos") -> list[PreparedPhoto]:
    """Check and re-encode every upload in memory; raises before anything is written."""
    schema = connection.schema_name
    prepared = []
    for upload in uploads:
        data = _reencode(upload, field=field)
        name = f"{secrets.token_urlsafe(18)}.jpg"
        prepared.append(PreparedPhoto(f"villages/{schema}/economy/{name}", data))
    return prepared


def photo_limit_check(*, current: int, adding: int, limit: int, field: str = "photos") -> None:
    if current + adding > limit:
        raise BalaiError.single(
            field,
            "too_many_photos",
            f"Paling banyak {limit} foto.",
            f"At most {limit} photos.",
        )


@contextmanager
def photos_stored(prepared: list[PreparedPhoto]) -> Iterator[list[str]]:
    """Write the files, run the block (the database write), and remove the files again if
    the block fails, so a failed save leaves no stray file behind."""
    written: list[Path] = []
    try:
        for photo in prepared:
            photo.path.parent.mkdir(parents=True, exist_ok=True)
            photo.path.write_bytes(photo.data)
            written.append(photo.path)
        yield [photo.relative_path for photo in prepared]
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def photos_delete_on_commit(relative_paths: Iterable[str]) -> None:
    """Remove replaced photos once the change that dropped them is committed."""
    paths = [Path(settings.MEDIA_ROOT) / p for p in relative_paths]

    def _delete() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(_delete)


def photo_url(relative_path: str) -> str:
    return f"{settings.MEDIA_URL}{relative_path}"
