"""Public-schema tables that supervisors read without visiting village schemas."""

from django.db import models


class NikFingerprint(models.Model):
    """A NIK in a village's current register, as a keyed hash: the duplicate-NIK report.

    Public schema, so supervisors can find the same person registered in two villages
    without reading village schemas. It holds an HMAC-SHA256 of the NIK (keyed with
    SECRET_KEY, so the 16-digit space cannot simply be enumerated against it), a masked
    form for display, and the village's region code: no name, no resident row.
    Written by the village's resident services in the same transaction as the change.
    """

    nik_hash = models.CharField(max_length=64)
    masked_nik = models.CharField(max_length=16)
    village_code = models.CharField(max_length=13)
    # Denormalised from the region code, as on tenants.Village, to filter without joins.
    kecamatan_code = models.CharField(max_length=8)
    kabupaten_code = models.CharField(max_length=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nik_hash", "village_code"], name="nik_fp_unique"),
        ]
        indexes = [
            models.Index(fields=["kecamatan_code", "nik_hash"], name="nik_fp_kecamatan_idx"),
            models.Index(fields=["kabupaten_code", "nik_hash"], name="nik_fp_kabupaten_idx"),
        ]

    def __str__(self) -> str:
        return f"NikFingerprint {self.pk}"


class ComplaintEscalation(models.Model):
    """A village complaint left unresolved past its target plus the village's grace days.

    Written by the escalation task (services.complaints.tasks), one row per complaint
    (unique), with codes and times only: no description, no reporter, no personal data.
    """

    village = models.ForeignKey(
        "tenants.Village", on_delete=models.CASCADE, related_name="complaint_escalations"
    )
    # Denormalised from the village so supervisor lists filter without joins.
    region_code = models.CharField(max_length=13)
    kecamatan_code = models.CharField(max_length=8, db_index=True)
    kabupaten_code = models.CharField(max_length=5, db_index=True)
    complaint_id = models.BigIntegerField()
    tracking_code = models.CharField(max_length=10)
    category_code = models.CharField(max_length=40)
    category_name = models.CharField(max_length=80)
    opened_at = models.DateTimeField()
    target_at = models.DateTimeField()
    escalated_at = models.DateTimeField()
    # Set when the village closes the complaint after it was escalated.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["target_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "complaint_id"], name="one_escalation_per_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.tracking_code}"


class ComplaintVillageCounts(models.Model):
    """Open and overdue complaint counts of one village, refreshed by the escalation sweep."""

    village = models.OneToOneField(
        "tenants.Village", on_delete=models.CASCADE, related_name="complaint_counts"
    )
    kecamatan_code = models.CharField(max_length=8, db_index=True)
    kabupaten_code = models.CharField(max_length=5, db_index=True)
    open_count = models.PositiveIntegerField(default=0)
    overdue_count = models.PositiveIntegerField(default=0)
    escalated_open_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"counts of village {self.village_id}"
