"""APBDes lines: income by source and spending by bidang, each with budget and realisation.

The five spending bidang are those of Permendagri 20/2018 on village finance (art. 30);
the income sources follow its pendapatan groups (PAD, transfers: Dana Desa, bagi hasil
pajak/retribusi, ADD, bantuan keuangan; lain-lain pendapatan yang sah).
Amounts are rupiah with 2 decimals, stored as NUMERIC, never floats.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LineKind(models.TextChoices):
    INCOME = "pendapatan", _("Pendapatan")
    SPENDING = "belanja", _("Belanja")


class IncomeSource(models.TextChoices):
    DANA_DESA = "dana_desa", _("Dana Desa")
    ALOKASI_DANA_DESA = "alokasi_dana_desa", _("Alokasi Dana Desa")
    PENDAPATAN_ASLI_DESA = "pendapatan_asli_desa", _("Pendapatan Asli Desa")
    BAGI_HASIL = "bagi_hasil_pajak_retribusi", _("Bagi hasil pajak dan retribusi")
    BANTUAN_KEUANGAN = "bantuan_keuangan", _("Bantuan keuangan")
    LAIN_LAIN = "lain_lain", _("Lain-lain pendapatan desa yang sah")


class Bidang(models.TextChoices):
    PEMERINTAHAN = "pemerintahan", _("Penyelenggaraan Pemerintahan Desa")
    PEMBANGUNAN = "pembangunan", _("Pelaksanaan Pembangunan Desa")
    KEMASYARAKATAN = "kemasyarakatan", _("Pembinaan Kemasyarakatan Desa")
    PEMBERDAYAAN = "pemberdayaan", _("Pemberdayaan Masyarakat Desa")
    BENCANA = (
        "bencana_darurat_mendesak",
        _("Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa"),
    )


SECTORS_BY_KIND = {LineKind.INCOME: IncomeSource, LineKind.SPENDING: Bidang}


def _one_of(field: str, values) -> Q:
    """field = a OR field = b ...: unlike IN (...), PostgreSQL prints this CHECK the same way
    after a pg_dump replay, so template-made schemas compare equal to migrated ones."""
    condition = Q()
    for value in values:
        condition |= Q(**{field: value})
    return condition


# Own income and other income may be collected above plan (a market fee brings more than
# expected): realisation above budget is real there. Every other line, spending and
# transfers fixed by the state or the kabupaten, may not exceed its budget.
MAY_EXCEED_BUDGET = (IncomeSource.PENDAPATAN_ASLI_DESA, IncomeSource.LAIN_LAIN)


class BudgetYear(models.Model):
    """One row per fiscal year; its row lock serialises edits and imports of that year."""

    year = models.PositiveSmallIntegerField(unique=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"APBDes {self.year}"


class BudgetLine(models.Model):
    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices)
    sector = models.CharField(max_length=30)
    description = models.CharField(max_length=255)
    budget = models.DecimalField(max_digits=16, decimal_places=2)
    realised = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)  # order in the imported sheet

    class Meta:
        ordering = ["kind", "sector", "position", "id"]
        constraints = [
            # The service checks all of these first and names the field; the database
            # refuses anything that slips past it.
            models.CheckConstraint(condition=Q(budget__gte=0), name="budget_line_budget_gte_0"),
            models.CheckConstraint(condition=Q(realised__gte=0), name="budget_line_realised_gte_0"),
            models.CheckConstraint(
                condition=(Q(kind="pendapatan") & _one_of("sector", MAY_EXCEED_BUDGET))
                | Q(realised__lte=F("budget")),
                name="budget_line_realised_within_budget",
            ),
            models.CheckConstraint(
                condition=(Q(kind="pendapatan") & _one_of("sector", IncomeSource.values))
                | (Q(kind="belanja") & _one_of("sector", Bidang.values)),
                name="budget_line_sector_of_kind",
            ),
        ]
        indexes = [models.Index(fields=["budget_year", "kind", "sector"], name="budget_line_sum")]

    def __str__(self) -> str:
        return f"{self.kind} {self.sector}: {self.description}"
