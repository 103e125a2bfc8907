"""Validation of a resident record, shared by the forms, the API and the importer.

Errors name the field and say why in Indonesian and English. A NIK whose date part
(DDMMYY, day + 40 for women) disagrees with the birth date or sex is a *warning*: such NIKs
were issued and cannot be changed, so staff acknowledge it instead of being refused. The
region part of a NIK is never required to match the village (people move; regions split).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from balai.errors import FieldError

NIK_PATTERN = re.compile(r"^[1-9]\d{15}$")
TEMPORARY_ID_PATTERN = re.compile(r"^0\d{15}$")
KK_PATTERN = re.compile(r"^[1-9]\d{15}$")


@dataclass
class ValidationResult:
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def nik_error(nik: str, *, field_name: str = "nik") -> FieldError | None:
    if TEMPORARY_ID_PATTERN.match(nik or ""):
        return None
    if not re.fullmatch(r"\d+", nik or ""):
        return FieldError(
            field_name,
            "nik_not_digits",
            "NIK hanya boleh berisi angka.",
            "The NIK may contain digits only.",
        )
    if len(nik) != 16:
        return FieldError(
            field_name,
            "nik_length",
            f"NIK harus 16 angka (tertulis {len(nik)}).",
            f"The NIK must have 16 digits (got {len(nik)}).",
        )
    if nik.startswith("0"):
        return FieldError(
            field_name,
            "nik_zero_prefix",
            "NIK tidak boleh diawali 0.",
            "The NIK must not start with 0.",
        )
    return None


def kk_error(kk_number: str, *, field_name: str = "kk_number") -> FieldError | None:
    if not re.fullmatch(r"\d+", kk_number or ""):
        return FieldError(
            field_name,
            "kk_not_digits",
            "Nomor KK hanya boleh berisi angka.",
            "The KK number may contain digits only.",
        )
    if len(kk_number) != 16:
        return FieldError(
            field_name,
            "kk_length",
            f"Nomor KK harus 16 angka (tertulis {len(kk_number)}).",
            f"The KK number must have 16 digits (got {len(kk_number)}).",
        )
    if kk_number.startswith("0"):
        return FieldError(
            field_name,
            "kk_zero_prefix",
            "Nomor KK tidak boleh diawali 0.",
            "The KK number must not start with 0.",
        )
    return None


def nik_date_warning(nik: str, *, birth_date: datetime.date | None, sex: str) -> FieldError | None:
    """Compare the NIK's DDMMYY part with the birth date and sex (day + 40 for women)."""
    if not NIK_PATTERN.match(nik or "") or birth_date is None:
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    problems = []
    if (day, month, year) != (birth_date.day, birth_date.month, birth_date.year % 100):
        problems.append(("tanggal lahir", "birth date"))
    if sex in ("L", "P") and female != (sex == "P"):
        problems.append(("jenis kelamin", "sex"))
    if not problems:
        return None
    return FieldError(
        "nik",
        "nik_mismatch",
        "Bagian tanggal NIK tidak cocok dengan "
        + " dan ".join(p[0] for p in problems)
        + ". Periksa, lalu setujui bila NIK memang demikian.",
        "The NIK's date part does not match the "
        + " and ".join(p[1] for p in problems)
        + ". Check it, then acknowledge if the NIK really is so.",
    )


def birth_date_error(
    value: datetime.date | None, *, today: datetime.date | None = None
) -> FieldError | None:
    today = today or datetime.date.today()
    if value is None:
        return None
    if value > today:
        return FieldError(
            "birth_date",
            "birth_date_future",
            "Tanggal lahir tidak boleh di masa depan.",
            "The birth date cannot be in the future.",
        )
    if value.year < 1880:
        return FieldError(
            "birth_date",
            "birth_date_too_old",
            "Tanggal lahir tidak masuk akal.",
            "The birth date is not plausible.",
        )
    return None


def choice_error(
    field_name: str, value: str, choices: type, *, required: bool = False
) -> FieldError | None:
    if not value:
        if required:
            return FieldError(field_name, "required", "Wajib diisi.", "This field is required.")
        return None
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        return FieldError(
            field_name,
            "invalid_choice",
            f"Nilai {value!r} tidak dikenal. Pilihan: {allowed}.",
            f"Unknown value {value!r}. Choose one of: {allowed}.",
        )
    return None
