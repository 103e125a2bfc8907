from balai.celery_app import PlatformTask, app
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
