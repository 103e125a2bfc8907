"""Writes for the APBDes. Run with the village schema active.

Every amount is checked before anything is written: negative amounts, more than 2
decimals, a realisation above its budget line (except own and other income, see
models.MAY_EXCEED_BUDGET) and, on import, a stated total row that is not the sum of its
lines are errors naming the row and the field. An import replaces the year's lines in one
transaction: all of it or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from balai.errors import BalaiError, FieldError
from services.budget.models import (
    MAY_EXCEED_BUDGET,
    SECTORS_BY_KIND,
    BudgetLine,
    BudgetYear,
    LineKind,
)
from services.village.home_cache import home_cache_forget

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")  # NUMERIC(16, 2)
FIRST_YEAR, LAST_YEAR = 2000, 2100
AMOUNT_FIELDS = {"budget": ("Anggaran", "Budget"), "realised": ("Realisasi", "Realisation")}
_THOUSANDS_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


@dataclass
class LineInput:
    kind: str
    sector: str
    description: str
    budget: object
    realised: object = Decimal(0)
    position: int = 0


def _where(prefix: str, row: int | None) -> tuple[str, str]:
    """The 'Baris 7, ' / 'Row 7, ' lead of an import message; nothing for a single line."""
    return (f"Baris {row}, ", f"Row {row}, ") if row is not None else ("", "")


def _indonesian_number(text: str) -> str:
    """ "Rp 1.250.000,50" -> "1250000.50": dots group thousands, the comma marks decimals."""
    text = text.replace("Rp", "").replace("rp", "").replace(" ", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if _THOUSANDS_DOTS.match(text):
        return text.replace(".", "")
    return text


def amount_parse(
    value, *, field: str, row: int | None = None, prefix: str = "", localized: bool = False
) -> Decimal:
    """A rupiah amount from a number or text ("1250000.50"; with ``localized``, as typed
    in an Indonesian spreadsheet, also "1.250.000,50" and "Rp 1.250.000").

    Floats from a spreadsheet cell go through their shortest repr, so 1234567.89 stays
    1234567.89; anything with more than 2 decimals after that is an error, not rounded.
    """
    name_id, name_en = AMOUNT_FIELDS[field]
    at_id, at_en = _where(prefix, row)

    def error(code: str, message: str, message_en: str) -> FieldError:
        return FieldError(
            f"{prefix}{field}",
            code,
            f"{at_id}{name_id}: {message}",
            f"{at_en}{name_en}: {message_en}",
        )

    if value is None or (isinstance(value, str) and not value.strip()):
        if field == "realised":
            return Decimal(0)
        raise BalaiError(errors=[error("required", "wajib diisi.", "required.")])
    if isinstance(value, bool):
        raise BalaiError(errors=[error("invalid", "bukan angka.", "not a number.")])
    try:
        if isinstance(value, float):
            amount = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            amount = Decimal(value)
        else:
            text = str(value).strip()
            amount = Decimal(_indonesian_number(text) if localized else text)
    except (InvalidOperation, ValueError):
        raise BalaiError(errors=[error("invalid", "bukan angka.", "not a number.")]) from None
    if not amount.is_finite():
        raise BalaiError(errors=[error("invalid", "bukan angka.", "not a number.")])
    if amount != amount.quantize(CENT):
        raise BalaiError(
            errors=[
                error(
                    "too_many_decimals",
                    "paling banyak 2 angka di belakang koma.",
                    "at most 2 decimal places.",
                )
            ]
        )
    if amount < 0:
        raise BalaiError(
            errors=[error("negative", f"tidak boleh negatif ({amount}).", f"negative ({amount}).")]
        )
    if amount > MAX_AMOUNT:
        raise BalaiError(errors=[error("too_large", "terlalu besar.", "too large.")])
    return amount.quantize(CENT)


def line_validate(line: LineInput, *, row: int | None = None, prefix: str = "") -> BudgetLine:
    """Check one line and return it unsaved, or raise a BalaiError with every problem."""
    at_id, at_en = _where(prefix, row)
    errors: list[FieldError] = []
    kind = (line.kind or "").strip().lower()
    sector = (line.sector or "").strip()
    if kind not in LineKind.values:
        errors.append(
            FieldError(
                f"{prefix}kind",
                "invalid_choice",
                f"{at_id}Jenis harus pendapatan atau belanja.",
                f"{at_en}The kind must be pendapatan or belanja.",
            )
        )
    elif sector not in SECTORS_BY_KIND[LineKind(kind)].values:
        choices = ", ".join(SECTORS_BY_KIND[LineKind(kind)].values)
        errors.append(
            FieldError(
                f"{prefix}sector",
                "invalid_choice",
                f"{at_id}Kode '{sector}' tidak dikenal untuk {kind}; pilih: {choices}.",
                f"{at_en}Unknown code '{sector}' for {kind}; choose one of: {choices}.",
            )
        )
    description = (line.description or "").strip()
    if not description:
        errors.append(
            FieldError(
                f"{prefix}description",
                "required",
                f"{at_id}Uraian wajib diisi.",
                f"{at_en}The description is required.",
            )
        )
    amounts: dict[str, Decimal] = {}
    for field in ("budget", "realised"):
        try:
            # Imported rows (with a row number) may carry text typed the Indonesian way.
            amounts[field] = amount_parse(
                getattr(line, field), field=field, row=row, prefix=prefix, localized=row is not None
            )
        except BalaiError as error:
            errors.extend(error.errors)
    if (
        len(amounts) == 2
        and not errors
        and sector not in MAY_EXCEED_BUDGET
        and amounts["realised"] > amounts["budget"]
    ):
        errors.append(
            FieldError(
                f"{prefix}realised",
                "exceeds_budget",
                f"{at_id}Realisasi {amounts['realised']} melebihi anggaran {amounts['budget']}.",
                f"{at_en}Realisation {amounts['realised']} exceeds the budget {amounts['budget']}.",
            )
        )
    if errors:
        raise BalaiError(errors=errors)
    return BudgetLine(
        kind=kind,
        sector=sector,
        description=description[:255],
        budget=amounts["budget"],
        realised=amounts["realised"],
        position=line.position,
    )


def _year_check(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BalaiError.single(
            "year",
            "out_of_range",
            f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.",
            f"The year must be between {FIRST_YEAR} and {LAST_YEAR}.",
        )


def _year_lock(year: int) -> BudgetYear:
    """The year's row, locked: edits and imports of one year take turns."""
    _year_check(year)
    BudgetYear.objects.get_or_create(year=year)
    return BudgetYear.objects.select_for_update().get(year=year)


@transaction.atomic
def budget_line_create(*, year: int, line: LineInput) -> BudgetLine:
    validated = line_validate(line)
    budget_year = _year_lock(year)
    validated.budget_year = budget_year
    validated.position = (
        BudgetLine.objects.filter(budget_year=budget_year).count() + 1
        if not line.position
        else line.position
    )
    validated.save()
    home_cache_forget()
    return validated


@transaction.atomic
def budget_line_update(*, year: int, line_id: int, changes: dict) -> BudgetLine:
    budget_year = _year_lock(year)
    current = _line_get(budget_year, line_id)
    merged = LineInput(
        kind=changes.get("kind", current.kind),
        sector=changes.get("sector", current.sector),
        description=changes.get("description", current.description),
        budget=changes.get("budget", current.budget),
        realised=changes.get("realised", current.realised),
        position=current.position,
    )
    validated = line_validate(merged)
    validated.pk = current.pk
    validated.budget_year = budget_year
    validated.save()
    home_cache_forget()
    return validated


@transaction.atomic
def budget_line_delete(*, year: int, line_id: int) -> None:
    budget_year = _year_lock(year)
    _line_get(budget_year, line_id).delete()
    home_cache_forget()


def _line_get(budget_year: BudgetYear, line_id: int) -> BudgetLine:
    line = BudgetLine.objects.filter(budget_year=budget_year, pk=line_id).first()
    if line is None:
        raise BalaiError.single(
            "id", "not_found", "Baris anggaran tidak ditemukan.", "Budget line not found.", 404
        )
    return line


@transaction.atomic
def budget_import(*, year: int, lines: list[LineInput], totals: dict) -> dict:
    """Replace the year's lines with ``lines`` after checking every one and the totals.

    ``totals`` maps a kind to (row, budget, realised) as stated in the file; each stated
    total must equal the sum of that kind's lines. Every error of the file is reported at
    once (field ``rows[<row>].<field>``), and nothing is written when there is one.
    """
    _year_check(year)
    errors: list[FieldError] = []
    validated: list[BudgetLine] = []
    for line in lines:
        try:
            validated.append(
                line_validate(line, row=line.position, prefix=f"rows[{line.position}].")
            )
        except BalaiError as error:
            errors.extend(error.errors)
    if not lines and not errors:
        errors.append(
            FieldError(
                "file",
                "empty",
                "Berkas tidak berisi baris anggaran.",
                "The file has no budget lines.",
            )
        )
    if not errors:
        errors.extend(_totals_check(validated, totals))
    if errors:
        raise BalaiError(errors=errors)
    budget_year = _year_lock(year)
    BudgetLine.objects.filter(budget_year=budget_year).delete()
    for line in validated:
        line.budget_year = budget_year
    BudgetLine.objects.bulk_create(validated)
    budget_year.imported_at = timezone.now()
    budget_year.save(update_fields=["imported_at", "updated_at"])
    home_cache_forget()
    return {"year": year, "lines": len(validated)}


def _totals_check(lines: list[BudgetLine], totals: dict) -> list[FieldError]:
    errors = []
    for kind, (row, stated_budget, stated_realised) in totals.items():
        of_kind = [line for line in lines if line.kind == kind]
        for field, stated in (("budget", stated_budget), ("realised", stated_realised)):
            name_id, name_en = AMOUNT_FIELDS[field]
            try:
                stated_amount = amount_parse(
                    stated, field=field, row=row, prefix=f"rows[{row}].", localized=True
                )
            except BalaiError as error:
                errors.extend(error.errors)
                continue
            computed = sum((getattr(line, field) for line in of_kind), Decimal(0))
            if stated_amount != computed:
                errors.append(
                    FieldError(
                        f"rows[{row}].{field}",
                        "total_mismatch",
                        f"Baris {row}, {name_id}: total {kind} tertulis {stated_amount}, "
                        f"jumlah barisnya {computed}.",
                        f"Row {row}, {name_en}: the stated {kind} total is {stated_amount}, "
                        f"its lines add up to {computed}.",
                    )
                )
    return errors
