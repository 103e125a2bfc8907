"""Message wording: defaults in code (Indonesian and English), village overrides in
NotificationTemplate rows, and a renderer that only substitutes ``{{ name }}``.

Templates are text written by village staff, so they never reach Django's template
engine: a placeholder is replaced by a value from one flat dict of strings, nothing else.
Messages are plain text (WhatsApp, SMS, email text part), so nothing is HTML-escaped here;
the inbox API returns JSON and the web pages escape on output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from balai.errors import BalaiError
from services.notifications.models import NotificationTemplate

PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
ANY_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

# key -> language -> (subject, body). The placeholders each key may use are listed below.
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "letter.status_changed": {
        "id": (
            "Permohonan surat {{ jenis_surat }}",
            "Permohonan surat {{ jenis_surat }} Anda di {{ nama_desa }} kini berstatus: "
            "{{ status }}.",
        ),
        "en": (
            "Letter request {{ jenis_surat }}",
            "Your request for {{ jenis_surat }} at {{ nama_desa }} is now: {{ status }}.",
        ),
    },
    "letter.ready": {
        "id": (
            "Surat {{ jenis_surat }} sudah siap",
            "Surat {{ jenis_surat }} Anda sudah siap diambil atau diunduh di {{ nama_desa }}.",
        ),
        "en": (
            "Your {{ jenis_surat }} is ready",
            "Your {{ jenis_surat }} is ready to collect or download at {{ nama_desa }}.",
        ),
    },
    "complaint.status_changed": {
        "id": (
            "Pengaduan {{ kode }}",
            "Pengaduan Anda {{ kode }} di {{ nama_desa }} kini berstatus: {{ status }}.",
        ),
        "en": (
            "Complaint {{ kode }}",
            "Your complaint {{ kode }} at {{ nama_desa }} is now: {{ status }}.",
        ),
    },
    "complaint.replied": {
        "id": (
            "Tanggapan pengaduan {{ kode }}",
            "Ada tanggapan baru untuk pengaduan Anda {{ kode }} di {{ nama_desa }}.",
        ),
        "en": (
            "Reply to complaint {{ kode }}",
            "There is a new reply to your complaint {{ kode }} at {{ nama_desa }}.",
        ),
    },
    "announcement.published": {
        "id": ("Pengumuman {{ nama_desa }}", "Pengumuman {{ nama_desa }}: {{ judul }}"),
        "en": (
            "Announcement from {{ nama_desa }}",
            "Announcement from {{ nama_desa }}: {{ judul }}",
        ),
    },
    "complaint.escalated": {
        "id": (
            "Pengaduan {{ kode }} di {{ nama_desa }} melewati batas waktu",
            "Pengaduan {{ kode }} di {{ nama_desa }} belum ditangani sampai batas waktu "
            "dan dieskalasi kepada Anda.",
        ),
        "en": (
            "Complaint {{ kode }} at {{ nama_desa }} is overdue",
            "Complaint {{ kode }} at {{ nama_desa }} was not handled in time and has been "
            "escalated to you.",
        ),
    },
}
PLACEHOLDERS: dict[str, set[str]] = {
    "letter.status_changed": {"jenis_surat", "status", "nama_desa"},
    "letter.ready": {"jenis_surat", "nama_desa"},
    "complaint.status_changed": {"kode", "status", "nama_desa"},
    "complaint.replied": {"kode", "nama_desa"},
    "announcement.published": {"judul", "nama_desa"},
    "complaint.escalated": {"kode", "nama_desa"},
}


def render(text: str, context: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: context.get(m.group(1), ""), text)


def template_check(*, key: str, text: str) -> None:
    """Refuse placeholders the event does not offer, so a typo is caught when saved."""
    allowed = PLACEHOLDERS.get(key)
    if allowed is None:
        raise BalaiError.single(
            "key", "unknown_template", "Jenis notifikasi tidak dikenal.", "Unknown notification."
        )
    for match in ANY_PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in allowed:
            raise BalaiError.single(
                "body",
                "unknown_placeholder",
                f"Isian {{{{ {name} }}}} tidak tersedia. Tersedia: {', '.join(sorted(allowed))}.",
                f"Placeholder {{{{ {name} }}}} is not available. "
                f"Available: {', '.join(sorted(allowed))}.",
            )


class TemplateBook:
    """The wording of one village, loaded once per event (one query), then looked up."""

    def __init__(self, keys: list[str]) -> None:
        self._rows = {
            (t.key, t.channel, t.language): (t.subject, t.body)
            for t in NotificationTemplate.objects.filter(key__in=keys)
        }

    def render(
        self, *, key: str, channel: str, language: str, context: Mapping[str, str]
    ) -> tuple[str, str]:
        language = language if language in ("id", "en") else "id"
        found = (
            self._rows.get((key, channel, language))
            or self._rows.get((key, "", language))
            or DEFAULTS[key].get(language)
            or DEFAULTS[key]["id"]
        )
        subject, body = found
        return render(subject, context)[:200], render(body, context)
