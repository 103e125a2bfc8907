"""Escalation of overdue complaints, run by Celery beat (CELERY_BEAT_SCHEDULE
``complaints-escalation-sweep``, hourly at minute 17).

The sweep is a ``PlatformTask``: it walks the active villages in batches of
``SWEEP_BATCH`` by primary key and queues one ``VillageTask`` per village, then re-queues
itself for the next batch, so no single message runs long. Each village task runs in its
own schema and writes the public escalation rows (services.complaints_escalate).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from balai.celery_app import SCHEMA_HEADER, PlatformTask, VillageTask, app
from services.complaints import services
from tenants.models import Village, VillageStatus

SWEEP_BATCH = 200


@app.task(
    base=VillageTask,
    name="balai.complaints.escalate_village",
    queue="default",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
)
def escalate_village(as_of: str) -> dict[str, int]:
    """Escalate one village's overdue complaints as of ``as_of`` (ISO 8601); idempotent."""
    escalated = services.complaints_escalate(now=datetime.fromisoformat(as_of))
    return {"escalated": escalated}


@app.task(
    base=PlatformTask,
    name="balai.complaints.escalation_sweep",
    queue="platform",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
)
def escalation_sweep(as_of: str | None = None, after_id: int = 0) -> dict[str, int]:
    """Queue ``escalate_village`` for the next batch of villages, then the next sweep step.

    ``as_of`` is fixed by the first step and carried along, so every village of one
    sweep escalates against the same instant, and a redelivered step queues the same work
    (which the village task makes harmless to repeat).
    """
    as_of = as_of or timezone.now().isoformat()
    batch = list(
        Village.objects.filter(status=VillageStatus.ACTIVE, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", "schema_name")[:SWEEP_BATCH]
    )
    for _pk, schema_name in batch:
        escalate_village.apply_async(kwargs={"as_of": as_of}, headers={SCHEMA_HEADER: schema_name})
    if len(batch) == SWEEP_BATCH:
        escalation_sweep.apply_async(kwargs={"as_of": as_of, "after_id": batch[-1][0]})
    return {"queued": len(batch)}
