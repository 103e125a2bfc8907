"""Letter numbers: the village's format, and a gapless yearly sequence.

The common format (Permendagri 83/2022 on naskah dinas, as villages use it) is
``<classification>/<sequence>/<village code>/<month in Roman numerals>/<year>``,
e.g. ``470/012/2001/IX/2026``.
"""

from __future__ import annotations

import re
import string
from datetime import date

from django.db import connection

from balai.errors import BalaiError
from services.letters.models import LetterCounter

NUMBER_PARTS = (
    "classification",
    "seq",
    "village_code",
    "month_roman",
    "month",
    "year",
    "type_code",
)
# Only zero-padded integer widths for the sequence and month, nothing else: a format is
# village-edited text and must not reach attributes or arbitrary format machinery.
_INTEGER_SPEC = re.compile(r"^0?[1-9]?d?$")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def month_roman(month: int) -> str:
    return _ROMAN[month - 1]


def number_format_check(text: str) -> None:
    """Raise BalaiError naming the problem if ``text`` is not a usable number format."""

    def error(message: str, message_en: str) -> BalaiError:
        return BalaiError.single("number_format", "invalid_number_format", message, message_en)

    if not text or len(text) > 120:
        raise error("Format nomor wajib diisi (maks. 120 karakter).", "Give a format (max 120).")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise error(f"Format nomor tidak valid: {exc}.", f"Invalid number format: {exc}.") from exc
    names = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in NUMBER_PARTS:
            raise error(
                f"Bagian nomor tidak dikenal: {{{name}}}. Gunakan: {', '.join(NUMBER_PARTS)}.",
                f"Unknown number part {{{name}}}; use one of: {', '.join(NUMBER_PARTS)}.",
            )
        if conversion or (spec and (name not in ("seq", "month") or not _INTEGER_SPEC.match(spec))):
            raise error(
                f"Format bagian {{{name}}} tidak didukung.",
                f"The format of {{{name}}} is not supported.",
            )
        names.add(name)
    # The sequence restarts every year, so without the year next year's numbers would
    # repeat this year's.
    missing = [f"{{{part}}}" for part in ("seq", "year") if part not in names]
    if missing:
        raise error(
            f"Format nomor harus memuat {' dan '.join(missing)}.",
            f"The number format must contain {' and '.join(missing)}.",
        )


def number_format(
    *, text: str, classification: str, seq: int, village_code: str, on: date, type_code: str
) -> str:
    return text.format(
        classification=classification,
        seq=seq,
        village_code=village_code,
        month_roman=month_roman(on.month),
        month=on.month,
        year=on.year,
        type_code=type_code,
    )


def sequence_next(*, year: int, scope: str) -> int:
    """The next number of ``scope`` in ``year``. Call inside the signing transaction.

    One upsert: it creates the year's counter or increments it, and leaves the row locked
    until the transaction ends, so concurrent signers wait in turn instead of reading the
    same value; if the signing rolls back, so does the increment (no gap).
    """
    table = LetterCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (year, scope, value) VALUES (%s, %s, 1)
            ON CONFLICT (year, scope) DO UPDATE SET value = {table}.value + 1
            RETURNING value
            """,
            [year, scope],
        )
        return cursor.fetchone()[0]
