from balai.celery_app import PlatformTask, app
from tenants.offboarding import export_job_run
from tenants.provisioning import pool_refill


@app.task(
    base=PlatformTask,
    name="balai.tenants.refill_schema_pool",
    queue="platform",
    acks_late=True,
    time_limit=900,
)
def refill_schema_pool() -> dict[str, int]:
    # pool_refill holds an advisory lock, so two refills at once do not overfill.
    return pool_refill()


@app.task(
    base=PlatformTask,
    name="balai.tenants.export_village",
    queue="platform",
    acks_late=True,
    # Below the broker's visibility timeout (3600 s), or a slow export would be redelivered
    # while it still runs.
    time_limit=1800,
    soft_time_limit=1740,
)
def export_village(job_id: str) -> None:
    # A redelivered job that already finished is skipped by export_job_run.
    export_job_run(job_id=job_id)
