from django.db import models


class DomainEvent(models.Model):
    """Something that happened in the village that others may act on (an outbox row)."""

    name = models.CharField(max_length=60, db_index=True)  # e.g. "letter.status_changed"
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
