from django.conf import settings
from django.db import models


class BulkOnboardingStatus(models.TextChoices):
    QUEUED = "queued", "Antre"
    RUNNING = "running", "Berjalan"
    FINISHED = "finished", "Selesai"
    FAILED = "failed", "Gagal"


class BulkOnboardingJob(models.Model):
    """A CSV of villages onboarded by a worker, with per-row results and progress."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=BulkOnboardingStatus.choices, default=BulkOnboardingStatus.QUEUED
    )
    csv_text = models.TextField()
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"bulk onboarding {self.pk} ({self.status})"


class PlatformAuditEvent(models.Model):
    """Who did what to a village at platform level (onboard, suspend, export, delete)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    village_code = models.CharField(max_length=13, db_index=True)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.action} {self.village_code}"
