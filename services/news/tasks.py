"""Announcing scheduled announcements once they are due.

A scheduled item needs no job to become visible (the public filter is publish_at <= now);
only the domain event "announcement.published" waits for one. Beat runs the platform
fan-out every few minutes; it queues one village task per active village, and each village
task claims its due announcements under a row lock, so re-runs and redeliveries record
each event once.
"""

from __future__ import annotations

from balai.celery_app import SCHEMA_HEADER, PlatformTask, VillageTask, app
from services.news import services
from tenants.models import Village, VillageStatus


@app.task(
    base=VillageTask,
    name="balai.news.announcements_announce_due",
    queue="default",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def announcements_announce_due() -> int:
    return services.announcements_announce_due()


@app.task(
    base=PlatformTask,
    name="balai.news.announcements_fan_out",
    queue="platform",
    acks_late=True,
    time_limit=600,
)
def announcements_fan_out() -> int:
    """Queue the village task for every active village. Each message is small; at 75,000
    villages a run is ~75,000 messages, so beat runs it every 5 minutes, not every minute."""
    schemas = Village.objects.filter(status=VillageStatus.ACTIVE).values_list(
        "schema_name", flat=True
    )
    queued = 0
    for schema_name in schemas.iterator():
        announcements_announce_due.apply_async(headers={SCHEMA_HEADER: schema_name})
        queued += 1
    return queued
