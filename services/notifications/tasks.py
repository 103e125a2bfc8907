"""Notification tasks: send a batch of messages (village), sweep a village (village), and
the beat fan-out of the sweep over every active village (platform)."""

from __future__ import annotations

from balai.celery_app import SCHEMA_HEADER, PlatformTask, VillageTask, app
from services.notifications import services
from tenants.models import Village, VillageStatus


@app.task(
    base=VillageTask,
    name="balai.notifications.send_batch",
    queue="default",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
)
def send_batch(message_ids: list[int]) -> dict[str, int]:
    return services.messages_send(message_ids=message_ids)


@app.task(
    base=VillageTask,
    name="balai.notifications.sweep",
    queue="default",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def sweep() -> dict[str, int]:
    return services.messages_sweep()


@app.task(
    base=PlatformTask,
    name="balai.notifications.sweep_fan_out",
    queue="platform",
    acks_late=True,
    time_limit=600,
)
def sweep_fan_out() -> int:
    """One sweep task per active village, read from the database in chunks of 2,000."""
    schemas = Village.objects.filter(status=VillageStatus.ACTIVE).values_list(
        "schema_name", flat=True
    )
    queued = 0
    for schema_name in schemas.iterator(chunk_size=2000):
        sweep.apply_async(headers={SCHEMA_HEADER: schema_name})
        queued += 1
    return queued
