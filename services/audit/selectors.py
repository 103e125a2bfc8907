"""Reading the audit log (kepala desa and sekretaris). Run with the village schema active."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet

from services.audit.models import AuditAction, AuditEntry

# Actions that read personal data rather than change it.
READ_ACTIONS = (AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT, AuditAction.PRINT)


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_kind: str | None = None
    actor_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    for name in ("action", "object_type", "object_id", "actor_kind", "actor_id"):
        value = getattr(filters, name)
        if value not in (None, ""):
            entries = entries.filter(**{name: value})
    if filters.date_from:
        entries = entries.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(created_at__date__lte=filters.date_to)
    return entries.order_by("-created_at", "-id")


def audit_readers(*, filters: AuditFilters, limit: int = 20) -> list[dict[str, Any]]:
    """Who read personal data (viewed, listed, exported, printed) under ``filters`` (their
    action ignored): per actor the number of reads and the last one, latest first."""
    reads = audit_entries(filters=dataclasses.replace(filters, action=None))
    return list(
        reads.filter(action__in=READ_ACTIONS)
        .order_by()
        .values("actor_kind", "actor_id")
        .annotate(reads=Count("id"), last_read=Max("created_at"))
        .order_by("-last_read")[:limit]
    )
