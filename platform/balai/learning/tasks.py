"""The nightly refresh of digital-adoption figures (a PlatformTask).

It never reads a village schema itself: it queues one ``balai.programmes.adoption_refresh``
per active village, each computing inside its own schema (services.programmes.tasks), and
drops the rows of villages that are no longer active.
"""

from __future__ import annotations

from balai.celery_app import SCHEMA_HEADER, PlatformTask, app
from balai.learning.services import adoption_withdraw
from services.programmes.tasks import adoption_refresh
from tenants.models import Village, VillageStatus


@app.task(
    base=PlatformTask,
    name="balai.learning.adoption_refresh_all",
    queue="platform",
    acks_late=True,
    time_limit=600,
)
def adoption_refresh_all() -> dict[str, int]:
    queued = withdrawn = 0
    villages = Village.objects.values_list("schema_name", "region_id", "status")
    for schema_name, region_code, village_status in villages.iterator():
        if village_status != VillageStatus.ACTIVE:
            withdrawn += adoption_withdraw(village_code=region_code)
            continue
        adoption_refresh.apply_async(headers={SCHEMA_HEADER: schema_name})
        queued += 1
    return {"queued": queued, "withdrawn": withdrawn}
