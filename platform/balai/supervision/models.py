"""Public-schema roll-ups that supervisors read without visiting village schemas."""

from django.db import models


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
