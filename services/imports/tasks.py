"""Import and export jobs, run by a worker in the village they were queued from.

Thin: each task takes a job id and calls the service. Both are ``VillageTask``s, so a
message that arrives without its village is refused instead of running in the public
schema, and both are safe to run twice (the job's status guards the work).
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from balai.celery_app import VillageTask, app
from services.imports import services


def _outcome(job) -> dict[str, object] | None:
    if job is None:
        return None
    return {"job": job.pk, "status": job.status, "created": job.created_count}


@app.task(
    base=VillageTask,
    name="balai.imports.resident_import",
    queue="default",
    acks_late=True,
    # 100,000 rows take ~20 s at the measured speed; the limits leave room for a busy worker
    # and stay below the broker's visibility timeout (3,600 s).
    time_limit=900,
    soft_time_limit=840,
)
def import_job_run(job_id: int) -> dict[str, object] | None:
    try:
        return _outcome(services.resident_import_run(job_id=job_id))
    except (SoftTimeLimitExceeded, DatabaseError) as error:
        # The rows were written in one transaction that rolled back: say so on the job.
        services.import_job_fail(job_id=job_id, message=f"{type(error).__name__}: {error}")
        raise


@app.task(
    base=VillageTask,
    name="balai.imports.resident_export",
    queue="default",
    acks_late=True,
    time_limit=900,
    soft_time_limit=840,
)
def export_job_run(job_id: int) -> dict[str, object] | None:
    try:
        return _outcome(services.resident_export_run(job_id=job_id))
    except (SoftTimeLimitExceeded, DatabaseError) as error:
        services.import_job_fail(job_id=job_id, message=f"{type(error).__name__}: {error}")
        raise
