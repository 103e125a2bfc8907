"""The one image encoder of a village: news covers, officials' photos, the logo, complaint
photos and the photos of businesses, products and village potential.

Nothing uploaded is stored as sent: Pillow decodes it (the formats the caller's
``ImageRules`` accept), it is shrunk to at most ``MAX_SIDE`` pixels a side and re-encoded as
a fresh JPEG without EXIF (no GPS position of a seller's house or camera serial leaks, no
polyglot file survives), and written to
``MEDIA_ROOT/villages/<schema_name>/<folder>/<random name>.jpg``. The stored name comes
from the schema and a random token, never from the uploaded file name, so two villages can
never read or overwrite each other's files.

Callers differ only in what they accept and in the error codes their API has published
(the economy API says ``photo_too_large``/``not_an_image`` and takes GIFs; the others say
``too_large``/``invalid_image``): both are ``ImageRules``, the checks are the same code.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from balai.errors import BalaiError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Decompression bombs: a 5 MB PNG can claim 50,000 x 50,000 pixels.
MAX_SOURCE_PIXELS = 40_000_000
MAX_SIDE = 1600
JPEG_QUALITY = 82
FOLDERS = {"news", "officials", "logo", "economy"}
# 16 random bytes make 22 characters; photos stored by the economy before the encoders
# were merged used 18 bytes (24 characters) and must stay deletable.
STORED_NAME = re.compile(r"^villages/[a-z][a-z0-9_]{0,62}/[a-z]+/[A-Za-z0-9_-]{22,24}\.jpg$")


@dataclass(frozen=True)
class ImageRules:
    """What a caller accepts, and the codes its API uses for a refusal."""

    formats: frozenset[str]
    format_names: str
    format_names_en: str
    too_large_code: str = "too_large"
    not_an_image_code: str = "invalid_image"
    too_many_pixels_code: str = "too_many_pixels"


PUBLISHED_IMAGES = ImageRules(
    formats=frozenset({"JPEG", "PNG", "WEBP"}),
    format_names="JPEG, PNG atau WebP",
    format_names_en="JPEG, PNG or WebP",
)
# Sellers often only have a GIF (a shop logo, a screenshot): its first frame is kept.
ECONOMY_PHOTOS = ImageRules(
    formats=frozenset({"JPEG", "PNG", "WEBP", "GIF"}),
    format_names="JPEG, PNG, WebP atau GIF",
    format_names_en="JPEG, PNG, WebP or GIF",
    too_large_code="photo_too_large",
    not_an_image_code="not_an_image",
    too_many_pixels_code="not_an_image",
)


def _error(field: str, code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single(field, code, message, message_en)


def image_encode(upload, *, field: str, rules: ImageRules = PUBLISHED_IMAGES) -> bytes:
    """Decode an uploaded file and return it as a clean JPEG, or raise a BalaiError naming
    ``field``."""
    size = getattr(upload, "size", None)
    limit_mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    too_large = _error(
        field,
        rules.too_large_code,
        f"Gambar terlalu besar (maksimal {limit_mb} MB).",
        f"Image too large (at most {limit_mb} MB).",
    )
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise too_large
    upload.seek(0)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise too_large
    not_an_image = _error(
        field,
        rules.not_an_image_code,
        f"Berkas bukan gambar {rules.format_names}.",
        f"The file is not a {rules.format_names_en} image.",
    )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in rules.formats:
                raise not_an_image
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise _error(
                    field,
                    rules.too_many_pixels_code,
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


def _village_schema() -> str:
    schema_name = connection.schema_name
    if not schema_name or schema_name == "public":
        raise RuntimeError("store village images with a village schema active")
    return schema_name


def _new_relative_path(folder: str) -> str:
    if folder not in FOLDERS:
        raise ValueError(f"unknown image folder {folder!r}")
    return f"villages/{_village_schema()}/{folder}/{secrets.token_urlsafe(16)}.jpg"


def _write_new(relative: str, data: bytes) -> Path:
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # "xb": a random 128-bit name never collides; if it ever did, fail rather than overwrite.
    with open(target, "xb") as handle:
        handle.write(data)
    return target


def image_store(*, data: bytes, folder: str) -> str:
    """Write encoded bytes under the active village's folder; returns the path under
    MEDIA_ROOT."""
    relative = _new_relative_path(folder)
    _write_new(relative, data)
    return relative


def image_delete(relative: str) -> None:
    """Remove a stored image; only paths this module made are touched."""
    if relative and STORED_NAME.match(relative):
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)


def image_url(relative: str) -> str | None:
    return f"{settings.MEDIA_URL}{relative}" if relative else None


# -- several photos at once (businesses, products, potential) --------------------------------


@dataclass(frozen=True)
class PreparedImage:
    relative_path: str
    data: bytes


def images_prepare(
    uploads: Iterable, *, folder: str, field: str = "photos", rules: ImageRules = ECONOMY_PHOTOS
) -> list[PreparedImage]:
    """Check and re-encode every upload in memory; raises before anything is written."""
    return [
        PreparedImage(_new_relative_path(folder), image_encode(upload, field=field, rules=rules))
        for upload in uploads
    ]


@contextmanager
def images_stored(prepared: list[PreparedImage]) -> Iterator[list[str]]:
    """Write the files, run the block (the database write), and remove the files again if
    the block fails, so a failed save leaves no stray file behind."""
    written: list[Path] = []
    try:
        for image in prepared:
            written.append(_write_new(image.relative_path, image.data))
        yield [image.relative_path for image in prepared]
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def images_delete_on_commit(relative_paths: Iterable[str]) -> None:
    """Remove replaced images once the change that dropped them is committed."""
    paths = list(relative_paths)

    def _delete() -> None:
        for relative in paths:
            image_delete(relative)

    transaction.on_commit(_delete)
