"""Background work of one village. Every task here is a ``VillageTask``: it runs in the
schema of the village it was queued from and refuses to run anywhere else."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from balai.celery_app import VillageTask, app
from services.village import services


@app.task(
    base=VillageTask,
    name="balai.village.stats_refresh",
    queue="default",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def village_stats_refresh(requested_at: str) -> dict[str, object]:
    """Recount the village's residents. ``requested_at`` (ISO 8601) makes a redelivered
    message store exactly what the first delivery stored."""
    profile = services.village_stats_refresh(as_of=datetime.fromisoformat(requested_at))
    return {
        "resident_count": profile.resident_count,
        "stats_refreshed_at": profile.stats_refreshed_at.isoformat(),
    }


def village_stats_refresh_queue() -> None:
    """Queue a refresh of the active village once the current transaction commits."""
    village_stats_refresh.apply_async_on_commit(kwargs={"requested_at": timezone.now().isoformat()})
