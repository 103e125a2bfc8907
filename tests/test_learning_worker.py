"""Digital-adoption figures written by a real Celery worker: the PlatformTask fans out one
VillageTask per active village, each computing inside its own schema and writing the
public summary row. Supervisors then read only that table."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from balai.learning.models import VillageDigitalAdoption
from balai.learning.tasks import adoption_refresh_all
from services.programmes.tasks import adoption_figures
from tenants.models import Village

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

WAIT_SECONDS = 60  # a deadline for a slow shared machine, not a performance assertion


@pytest.fixture
def clean_summaries(committed_connection):
    yield
    with committed_connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{VillageDigitalAdoption._meta.db_table}"')


def test_the_tasks_go_to_queues_the_worker_consumes():
    from services.programmes.tasks import adoption_refresh

    assert adoption_refresh.queue == "default"
    assert adoption_refresh_all.queue == "platform"


def test_the_worker_writes_each_villages_own_figures(
    live_worker, cast, public_client, clean_summaries
):
    # given the committed villages of the cast and their figures, computed in each schema
    villages = list(Village.objects.filter(status="active"))
    expected = {}
    for village in villages:
        with tenant_context(village):
            expected[village.region_id] = adoption_figures()

    # when the nightly fan-out runs on the worker
    result = live_worker.result(adoption_refresh_all.apply_async())

    # then every village has its row, with the figures of its own schema
    assert result["queued"] == len(villages)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if VillageDigitalAdoption.objects.count() >= len(villages):
            break
        time.sleep(0.2)
    rows = {row.village_code: row for row in VillageDigitalAdoption.objects.all()}
    assert set(rows) == set(expected), live_worker.log()
    for code, figures in expected.items():
        row = rows[code]
        assert (row.families_total, row.letters_total, row.letters_online) == (
            figures.families_total,
            figures.letters_total,
            figures.letters_online,
        )
    # and carol reads her kecamatan's rows on the public host
    public_client.force_login(cast.carol)
    listed = public_client.get("/api/supervisor/digital-adoption/").json()["results"]
    assert [r["village_code"] for r in listed] == ["18.08.11.2001", "18.08.11.2002"]
