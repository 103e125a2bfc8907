"""The village-edited letter templates and their renderer.

Templates are text written by village staff, so they are never given to Django's
template engine: a ``{{ name }}`` placeholder is replaced by a value looked up in one
flat dict of strings built for this letter (see :func:`letter_context`), and nothing
else. There are no filters, tags, attribute look-ups or code; everything is HTML-escaped.

Layout rules, kept tiny on purpose: a blank line starts a paragraph; in a paragraph whose
every line reads ``Label : value`` the lines become a two-column table (the usual
"Nama : ..." block of a surat keterangan); other line breaks are kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from balai.errors import BalaiError, FieldError
from services.residents.models import Resident
from services.village.models import AreaLevel, VillageProfile

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
PLACEHOLDER_NAME = re.compile(r"^(field\.)?[a-z][a-z0-9_]*$")
_TABLE_LINE = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s?(.*)$")

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Every placeholder a template may use besides ``field.<name>``, with what it holds (shown
# to staff in the editor, so in the interface's language).
RESIDENT_PLACEHOLDERS = {
    "nama": _("Nama lengkap"),
    "nik": _("NIK"),
    "no_kk": _("Nomor KK"),
    "tempat_lahir": _("Tempat lahir"),
    "tanggal_lahir": _("Tanggal lahir"),
    "tempat_tanggal_lahir": _("Tempat, tanggal lahir"),
    "jenis_kelamin": _("Jenis kelamin"),
    "agama": _("Agama"),
    "pendidikan": _("Pendidikan"),
    "pekerjaan": _("Pekerjaan"),
    "status_perkawinan": _("Status perkawinan"),
    "kewarganegaraan": _("Kewarganegaraan"),
    "alamat": _("Alamat"),
    "rt": _("RT"),
    "rw": _("RW"),
    "dusun": _("Dusun"),
}
VILLAGE_PLACEHOLDERS = {
    "nama_desa": _("Nama desa"),
    "sebutan_desa": _("Sebutan desa (desa, kampung, nagari ...)"),
    "alamat_desa": _("Alamat kantor desa"),
    "jabatan_kepala_desa": _("Jabatan kepala desa"),
}
LETTER_PLACEHOLDERS = {
    "jenis_surat": _("Nama jenis surat"),
    "nomor": _("Nomor surat"),
    "tanggal_surat": _("Tanggal surat"),
    "berlaku_sampai": _("Berlaku sampai"),
    "penandatangan": _("Nama penandatangan"),
    "jabatan_penandatangan": _("Jabatan penandatangan"),
}
BASE_PLACEHOLDERS = {**RESIDENT_PLACEHOLDERS, **VILLAGE_PLACEHOLDERS, **LETTER_PLACEHOLDERS}


def date_id(value: date | None) -> str:
    """``17 Mei 1990``: dates as Indonesian letters write them."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"


def allowed_placeholders(field_names: Iterable[str]) -> set[str]:
    return set(BASE_PLACEHOLDERS) | {f"field.{name}" for name in field_names}


def template_check(*, text: str, field_names: Iterable[str], field: str = "template") -> None:
    """Raise BalaiError naming every placeholder the template may not use."""
    allowed = allowed_placeholders(field_names)
    errors: list[FieldError] = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if not PLACEHOLDER_NAME.match(name):
            errors.append(
                FieldError(
                    field,
                    "invalid_placeholder",
                    f"Isian {match.group(0)!r} tidak valid: tulis {{{{ nama_isian }}}}.",
                    f"Invalid placeholder {match.group(0)!r}: write {{{{ name }}}}.",
                )
            )
        elif name not in allowed:
            errors.append(
                FieldError(
                    field,
                    "unknown_placeholder",
                    f"Isian tidak dikenal: {{{{ {name} }}}}.",
                    f"Unknown placeholder: {{{{ {name} }}}}.",
                )
            )
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.append(
            FieldError(
                field,
                "unbalanced_braces",
                "Ada {{ atau }} yang tidak berpasangan.",
                "A {{ or }} has no partner.",
            )
        )
    if errors:
        raise BalaiError(errors=errors)


def _substitute(text: str, context: Mapping[str, str]) -> str:
    """Escape the literal text and the values; unknown names (checked at save) render empty."""
    out: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        out.append(html.escape(str(context.get(match.group(1).strip(), ""))))
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def line_render(*, text: str, context: Mapping[str, str]) -> str:
    """One line (a title) filled from ``context``, escaped, without paragraph markup."""
    return _substitute(" ".join(text.split()), context)


def template_render(*, text: str, context: Mapping[str, str]) -> str:
    """The template as safe HTML paragraphs, filled from ``context`` only."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    rendered: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        table = [_TABLE_LINE.match(line) for line in lines]
        if len(lines) > 1 and all(table):
            rows = "".join(
                f"<tr><td class='label'>{_substitute(m.group(1), context)}</td>"
                f"<td class='colon'>:</td><td>{_substitute(m.group(2), context)}</td></tr>"
                for m in table
                if m is not None
            )
            rendered.append(f"<table class='data'>{rows}</table>")
        else:
            rendered.append(
                "<p>" + "<br>".join(_substitute(line, context) for line in lines) + "</p>"
            )
    return "\n".join(rendered)


def _label(choices, value: str) -> str:
    if not value:
        return ""
    with translation.override("id"):
        return str(dict(choices).get(value, value))


def resident_context(resident: Resident) -> dict[str, str]:
    """The resident's part of a letter's context: display strings, nothing else."""
    rt = resident.rt
    rw = rt.parent if rt is not None else None
    dusun = rw.parent if rw is not None else None
    field = Resident._meta.get_field
    return {
        "nama": resident.full_name,
        "nik": "" if resident.has_temporary_nik else resident.nik,
        "no_kk": resident.family.kk_number if resident.family_id else "",
        "tempat_lahir": resident.birth_place,
        "tanggal_lahir": date_id(resident.birth_date),
        "tempat_tanggal_lahir": ", ".join(
            part for part in (resident.birth_place, date_id(resident.birth_date)) if part
        ),
        "jenis_kelamin": _label(field("sex").choices, resident.sex),
        "agama": _label(field("religion").choices, resident.religion),
        "pendidikan": _label(field("education").choices, resident.education),
        "pekerjaan": _label(field("occupation").choices, resident.occupation),
        "status_perkawinan": _label(field("marital_status").choices, resident.marital_status),
        "kewarganegaraan": _label(field("citizenship").choices, resident.citizenship),
        "alamat": resident.address,
        "rt": rt.name if rt is not None and rt.level == AreaLevel.RT else "",
        "rw": rw.name if rw is not None and rw.level == AreaLevel.RW else "",
        "dusun": dusun.name if dusun is not None and dusun.level == AreaLevel.DUSUN else "",
    }


def village_context(profile: VillageProfile) -> dict[str, str]:
    return {
        "nama_desa": profile.name,
        "sebutan_desa": profile.local_term.title(),
        "alamat_desa": profile.address,
        "jabatan_kepala_desa": profile.head_title,
    }


def letter_context(
    *,
    resident: Resident,
    profile: VillageProfile,
    type_name: str,
    field_values: Mapping[str, object],
    letter: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole, flat context of one letter: the only data its template can reach."""
    context = {name: "" for name in BASE_PLACEHOLDERS}
    context.update(resident_context(resident))
    context.update(village_context(profile))
    context["jenis_surat"] = type_name
    context.update(letter or {})
    for name, value in field_values.items():
        context[f"field.{name}"] = "" if value is None else str(value)
    return context


def name_mask(full_name: str) -> str:
    """``Siti Aminah`` -> ``S*** A*****``: enough to recognise, not to read."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in full_name.split())
