"""The nightly full resync of the cross-village catalog (a PlatformTask).

It never reads a village schema itself: it queues one ``balai.economy.village_publish`` per
active village, each running in its village's schema, and withdraws the rows of villages
that are suspended. Change-by-change publishing keeps the catalog current during the day;
this repairs whatever a lost message or a bug left behind.
"""

from __future__ import annotations

from balai.celery_app import SCHEMA_HEADER, PlatformTask, app
from balai.marketplace.services import listings_withdraw_village
from services.economy.tasks import village_publish
from tenants.models import Village, VillageStatus


@app.task(
    base=PlatformTask,
    name="balai.marketplace.resync_all",
    queue="platform",
    acks_late=True,
    time_limit=600,
)
def resync_all() -> dict[str, int]:
    queued = withdrawn = 0
    villages = Village.objects.values_list("schema_name", "region_id", "status")
    for schema_name, region_code, status in villages.iterator():
        if status != VillageStatus.ACTIVE:
            withdrawn += listings_withdraw_village(village_code=region_code)
            continue
        village_publish.apply_async(headers={SCHEMA_HEADER: schema_name})
        queued += 1
    return {"queued": queued, "withdrawn": withdrawn}
