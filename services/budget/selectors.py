"""Reads of the APBDes: the public summary in one aggregate query."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from services.budget.models import Bidang, BudgetLine, BudgetYear, IncomeSource, LineKind

SECTOR_LABELS_EN = {
    IncomeSource.DANA_DESA: "Village Fund (Dana Desa)",
    IncomeSource.ALOKASI_DANA_DESA: "Village Allocation Fund (ADD)",
    IncomeSource.PENDAPATAN_ASLI_DESA: "Village own-source income",
    IncomeSource.BAGI_HASIL: "Tax and levy revenue sharing",
    IncomeSource.BANTUAN_KEUANGAN: "Financial assistance",
    IncomeSource.LAIN_LAIN: "Other lawful income",
    Bidang.PEMERINTAHAN: "Village government administration",
    Bidang.PEMBANGUNAN: "Village development",
    Bidang.KEMASYARAKATAN: "Community development",
    Bidang.PEMBERDAYAAN: "Community empowerment",
    Bidang.BENCANA: "Disasters, emergencies and urgent needs",
}
ZERO = Decimal("0.00")


def percent(part: Decimal, whole: Decimal) -> str | None:
    """Share realised, 2 decimals, as text (no float anywhere); None when nothing budgeted."""
    if not whole:
        return None
    return str((part * 100 / whole).quantize(Decimal("0.01")))


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _group(kind: LineKind, choices, sums: dict) -> dict:
    rows = []
    total_budget = total_realised = ZERO
    for choice in choices:
        budget, realised = sums.get((kind.value, choice.value), (ZERO, ZERO))
        total_budget += budget
        total_realised += realised
        rows.append(
            {
                "code": choice.value,
                "label": str(choice.label),
                "label_en": SECTOR_LABELS_EN[choice],
                "budget": _money(budget),
                "realised": _money(realised),
                "percent_realised": percent(realised, budget),
            }
        )
    return {
        "budget": _money(total_budget),
        "realised": _money(total_realised),
        "percent_realised": percent(total_realised, total_budget),
        "rows": rows,
        "_budget": total_budget,
        "_realised": total_realised,
    }


def budget_summary(*, year: int) -> dict | None:
    """Income vs spending and budget vs realisation per source and bidang; None when the
    year has no lines. Amounts are strings of rupiah with 2 decimals."""
    sums = {
        (row["kind"], row["sector"]): (row["budget"], row["realised"])
        for row in BudgetLine.objects.filter(budget_year__year=year)
        .values("kind", "sector")
        .annotate(budget=Sum("budget"), realised=Sum("realised"))
        .order_by()
    }
    if not sums:
        return None
    income = _group(LineKind.INCOME, IncomeSource, sums)
    spending = _group(LineKind.SPENDING, Bidang, sums)
    surplus_budget = income.pop("_budget") - spending["_budget"]
    surplus_realised = income.pop("_realised") - spending.pop("_realised")
    spending.pop("_budget")
    return {
        "year": year,
        "income": income,
        "spending": spending,
        # Positive: more income than spending (SiLPA); negative: a deficit to be financed.
        "surplus": {"budget": _money(surplus_budget), "realised": _money(surplus_realised)},
    }


def budget_years() -> list[int]:
    return list(
        BudgetYear.objects.filter(lines__isnull=False).distinct().values_list("year", flat=True)
    )
