"""Field rules of programmes and learning materials, shared by village and kecamatan ones."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from balai.errors import BalaiError, FieldError
from balai.learning.models import MaterialKind, MaterialTopic, ProgrammeStatus, TargetGroup

PROGRAMME_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "target_group",
    "status",
)
MATERIAL_FIELDS = ("title", "summary", "topic", "kind", "url")


def _error(field: str, code: str, message: str, message_en: str) -> FieldError:
    return FieldError(field, code, message, message_en)


def _datetime(value, field: str, errors: list[FieldError]) -> datetime | None:
    parsed = parse_datetime(str(value)) if value not in (None, "") else None
    if parsed is None:
        errors.append(
            _error(
                field,
                "invalid_datetime",
                f"{field}: isi tanggal dan jam (ISO 8601, mis. 2026-12-01T09:00+07:00).",
                f"{field}: give a date and time (ISO 8601, e.g. 2026-12-01T09:00+07:00).",
            )
        )
        return None
    # A time without an offset is read as village time (the interface shows WIB).
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _url(value: str, field: str, errors: list[FieldError]) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or not parts.netloc):
        errors.append(
            _error(
                field,
                "invalid_url",
                f"{field}: alamat harus diawali http:// atau https://.",
                f"{field}: the address must start with http:// or https://.",
            )
        )
    return value[:400]


def _choice(value, field: str, allowed: list[str], errors: list[FieldError]) -> str:
    if value not in allowed:
        errors.append(
            _error(
                field,
                "invalid_choice",
                f"{field}: pilih salah satu dari {', '.join(allowed)}.",
                f"{field}: choose one of {', '.join(allowed)}.",
            )
        )
    return value


def programme_clean(*, data: dict, current: dict | None = None) -> dict:
    """The programme's fields from ``data`` over ``current`` (an update), checked together.

    Every problem is reported at once, each naming its field; nothing is written on error.
    """
    unknown = sorted(set(data) - set(PROGRAMME_FIELDS))
    merged = {**(current or {}), **{k: v for k, v in data.items() if k in PROGRAMME_FIELDS}}
    errors: list[FieldError] = [
        _error(name, "unknown_field", f"Kolom {name} tidak dikenal.", f"Unknown field {name}.")
        for name in unknown
    ]
    title = str(merged.get("title") or "").strip()
    if not title:
        errors.append(_error("title", "required", "Judul wajib diisi.", "A title is required."))
    starts_at = _datetime(merged.get("starts_at"), "starts_at", errors)
    ends_at = _datetime(merged.get("ends_at"), "ends_at", errors)
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append(
            _error(
                "ends_at",
                "ends_before_start",
                "Waktu selesai harus setelah waktu mulai.",
                "The end must be after the start.",
            )
        )
    capacity = merged.get("capacity")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = None
    if capacity is None or capacity < 1:
        errors.append(
            _error(
                "capacity",
                "capacity_min",
                "Kapasitas harus bilangan bulat, paling sedikit 1.",
                "Capacity must be a whole number, at least 1.",
            )
        )
    place = str(merged.get("place") or "").strip()[:200]
    online_url = _url(str(merged.get("online_url") or ""), "online_url", errors)
    if not place and not online_url:
        errors.append(
            _error(
                "place",
                "place_required",
                "Isi tempat atau tautan daring.",
                "Give a place or an online link.",
            )
        )
    target_group = _choice(
        merged.get("target_group") or TargetGroup.ALL, "target_group", TargetGroup.values, errors
    )
    status = _choice(
        merged.get("status") or ProgrammeStatus.DRAFT, "status", ProgrammeStatus.values, errors
    )
    if errors:
        raise BalaiError(errors=errors)
    return {
        "title": title[:160],
        "description": str(merged.get("description") or "").strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
        "target_group": target_group,
        "status": status,
    }


def programme_values(programme) -> dict:
    return {name: getattr(programme, name) for name in PROGRAMME_FIELDS}


def material_clean(*, data: dict) -> dict:
    errors: list[FieldError] = []
    title = str(data.get("title") or "").strip()
    if not title:
        errors.append(_error("title", "required", "Judul wajib diisi.", "A title is required."))
    url = _url(str(data.get("url") or ""), "url", errors)
    if not url and not any(e.field == "url" for e in errors):
        errors.append(_error("url", "required", "Tautan wajib diisi.", "A link is required."))
    topic = _choice(data.get("topic"), "topic", MaterialTopic.values, errors)
    kind = _choice(data.get("kind") or MaterialKind.GUIDE, "kind", MaterialKind.values, errors)
    if errors:
        raise BalaiError(errors=errors)
    return {
        "title": title[:160],
        "summary": str(data.get("summary") or "").strip(),
        "topic": topic,
        "kind": kind,
        "url": url,
    }
