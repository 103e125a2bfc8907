"""Public-schema tables of the roll-ups: one row of indicators per village and day, and
the record of every roll-up run with its per-village outcomes."""

from django.db import models

# Age groups of the population columns (BPS: balita, anak, usia produktif, lansia), as
# (column suffix, youngest age, oldest age or None). Columns, not JSON, so that a
# kecamatan or kabupaten figure is a plain SQL SUM.
AGE_GROUPS = (("0_4", 0, 4), ("5_14", 5, 14), ("15_64", 15, 64), ("65_plus", 65, None))
SEXES = (("male", "L"), ("female", "P"))
POPULATION_AGE_COLUMNS = tuple(
    f"pop_{group}_{sex}" for group, _low, _high in AGE_GROUPS for sex, _code in SEXES
) + ("pop_age_unknown_male", "pop_age_unknown_female")

# Stocks describe the village at the end of the day (a region figure over a period takes
# them on its last day); flows count what happened during the day (summed over a period).
STOCK_COLUMNS = (
    "population_total",
    "population_male",
    "population_female",
    *POPULATION_AGE_COLUMNS,
    "complaints_overdue",
    "families_total",
    "families_with_account",
)
FLOW_COLUMNS = (
    "births",
    "deaths",
    "moves_in",
    "moves_out",
    "letters_requested",
    "letters_requested_online",
    "letters_issued",
    "complaints_opened",
    "complaints_resolved",
    "announcements_published",
    "notifications_sent",
    "notifications_failed",
)
# Medians cannot be summed: a region shows the median of its villages' daily medians.
MEDIAN_COLUMNS = ("letter_issue_median_hours", "complaint_resolve_median_hours")
INDICATOR_COLUMNS = STOCK_COLUMNS + FLOW_COLUMNS + MEDIAN_COLUMNS


def _count() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


class VillageDailyIndicators(models.Model):
    """One village's indicators for one day (Asia/Jakarta), upserted by the roll-up worker.

    Population and family figures are the register as it stood when the row was computed
    (``computed_at``): the nightly run computes the day just ended, shortly after midnight.
    """

    village = models.ForeignKey(
        "tenants.Village", on_delete=models.CASCADE, related_name="daily_indicators"
    )
    # Denormalised from the village so region aggregates filter without joins.
    region_code = models.CharField(max_length=13)
    kecamatan_code = models.CharField(max_length=8)
    kabupaten_code = models.CharField(max_length=5)
    date = models.DateField()

    population_total = _count()
    population_male = _count()
    population_female = _count()
    pop_0_4_male = _count()
    pop_0_4_female = _count()
    pop_5_14_male = _count()
    pop_5_14_female = _count()
    pop_15_64_male = _count()
    pop_15_64_female = _count()
    pop_65_plus_male = _count()
    pop_65_plus_female = _count()
    pop_age_unknown_male = _count()
    pop_age_unknown_female = _count()
    families_total = _count()
    # Families with at least one resident self-service account: digital adoption.
    families_with_account = _count()

    births = _count()
    deaths = _count()
    moves_in = _count()
    moves_out = _count()
    letters_requested = _count()
    letters_requested_online = _count()
    letters_issued = _count()
    letter_issue_median_hours = models.FloatField(null=True, blank=True)
    complaints_opened = _count()
    complaints_resolved = _count()
    complaints_overdue = _count()
    complaint_resolve_median_hours = models.FloatField(null=True, blank=True)
    announcements_published = _count()
    notifications_sent = _count()
    notifications_failed = _count()

    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "date"]
        constraints = [
            models.UniqueConstraint(fields=["village", "date"], name="rollup_village_date"),
        ]
        indexes = [
            models.Index(fields=["kecamatan_code", "date"], name="rollup_kecamatan_date_idx"),
            models.Index(fields=["kabupaten_code", "date"], name="rollup_kabupaten_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.date}"


class RollupRun(models.Model):
    """A full run over every active village (the nightly one, or one started by hand)."""

    date = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    villages_total = models.PositiveIntegerField(default=0)
    villages_ok = models.PositiveIntegerField(default=0)
    villages_failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"roll-up {self.date} #{self.pk}"


class RollupOutcome(models.Model):
    """How one village's roll-up went: one row per village of a run (unique, so a
    redelivered task counts once), or a row per failure of a debounced update (no run)."""

    run = models.ForeignKey(
        RollupRun, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    village = models.ForeignKey(
        "tenants.Village", on_delete=models.CASCADE, related_name="rollup_outcomes"
    )
    date = models.DateField()
    ok = models.BooleanField()
    error = models.TextField(blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "village"], name="rollup_outcome_per_run"),
        ]
        indexes = [models.Index(fields=["ok", "-at"], name="rollup_outcome_failed_idx")]

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'failed'} {self.village_id} {self.date}"
