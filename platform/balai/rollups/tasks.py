"""Roll-up tasks.

``rollup_nightly`` (a PlatformTask, CELERY_BEAT_SCHEDULE ``rollups-nightly``) records a
RollupRun, then walks the active villages in batches of ``NIGHTLY_BATCH`` by primary key,
queueing one ``rollup_village`` per village and re-queueing itself for the next batch.
``rollup_village`` (a VillageTask) rolls up the village of its schema and records the
outcome; it is also the debounced recompute after a change (balai.rollups.debounce).
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import connection

from balai.celery_app import SCHEMA_HEADER, PlatformTask, VillageTask, app
from balai.rollups import services
from balai.rollups.debounce import pending_key
from tenants.models import Village

NIGHTLY_BATCH = 200


@app.task(
    base=VillageTask,
    name="balai.rollups.village",
    queue="default",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
)
def rollup_village(day: str | None = None, run_id: int | None = None) -> dict[str, object]:
    """Roll up the village of the active schema for ``day`` (ISO date; None: today)."""
    if run_id is None:
        # Before computing, so a change committed from now on queues another recompute.
        cache.delete(pending_key(connection.schema_name))
    village = Village.objects.get(schema_name=connection.schema_name)
    on = datetime.date.fromisoformat(day) if day else services.local_today()
    ok = services.village_rollup_recorded(village=village, day=on, run_id=run_id)
    return {"village": village.region_id, "date": on.isoformat(), "ok": ok}


@app.task(
    base=PlatformTask,
    name="balai.rollups.nightly",
    queue="platform",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
)
def rollup_nightly(
    day: str | None = None, run_id: int | None = None, after_id: int = 0
) -> dict[str, int]:
    """Queue the next batch of village roll-ups of one run (yesterday by default).

    The first step fixes the day and the run and carries them along, so a redelivered step
    queues the same work, which the village task makes harmless to repeat.
    """
    if run_id is None:
        on = (
            datetime.date.fromisoformat(day)
            if day
            else services.local_today() - datetime.timedelta(days=1)
        )
        run = services.rollup_run_start(
            day=on, villages_total=services.villages_to_roll_up().count()
        )
        run_id, day = run.pk, on.isoformat()
    batch = list(
        services.villages_to_roll_up()
        .filter(pk__gt=after_id)
        .values_list("pk", "schema_name")[:NIGHTLY_BATCH]
    )
    for _pk, schema_name in batch:
        rollup_village.apply_async(
            kwargs={"day": day, "run_id": run_id}, headers={SCHEMA_HEADER: schema_name}
        )
    if len(batch) == NIGHTLY_BATCH:
        rollup_nightly.apply_async(kwargs={"day": day, "run_id": run_id, "after_id": batch[-1][0]})
    return {"run": run_id, "queued": len(batch)}
