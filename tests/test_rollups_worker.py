"""Roll-ups through a real worker: a burst of changes costs one recompute (debounce),
and the nightly run fans out over every village and records its end.

The scheduled tasks are counted with Celery's ``before_task_publish`` signal in this
process (every message that leaves for Redis), then run by the live worker.
"""

from __future__ import annotations

import datetime
import time

import pytest
from celery.result import AsyncResult
from celery.signals import before_task_publish
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.rollups.debounce import pending_key
from balai.rollups.models import RollupRun, VillageDailyIndicators
from balai.rollups.tasks import rollup_nightly
from services.events.services import event_record

pytestmark = pytest.mark.django_db

RUN_TIMEOUT = 60.0


@pytest.fixture
def published():
    """Ids of the village roll-up tasks published while the test runs."""
    ids: list[str] = []

    def count(sender=None, headers=None, **kwargs):
        if sender == "balai.rollups.village":
            ids.append(headers["id"])

    before_task_publish.connect(count, weak=False)
    yield ids
    before_task_publish.disconnect(count)


@pytest.fixture
def committed_rows_removed(committed_connection):
    yield
    with committed_connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.rollups_rollupoutcome")
        cursor.execute("DELETE FROM public.rollups_rolluprun")
        cursor.execute("DELETE FROM public.rollups_villagedailyindicators")


def _burst(village, *, resident_id: int, events: int, django_capture_on_commit_callbacks) -> None:
    """``events`` changes, each committed on its own, as staff editing one after another."""
    with schema_context(village.schema_name):
        for n in range(events):
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                event_record(
                    name="resident.updated",
                    payload={"resident_id": resident_id, "fields": [f"note_{n}"]},
                )


def test_a_burst_of_changes_schedules_one_recompute(
    cast,
    settings,
    live_worker,
    published,
    committed_rows_removed,
    django_capture_on_commit_callbacks,
):
    # given
    settings.BALAI_ROLLUP_ON_CHANGE = True
    settings.BALAI_ROLLUP_DEBOUNCE_SECONDS = 1
    cache.delete(pending_key(cast.village_a.schema_name))
    today = timezone.localdate()

    # when: twenty changes in a row
    _burst(
        cast.village_a,
        resident_id=cast.resident_a.pk,
        events=20,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )

    # then: one recompute was queued, and the worker ran it in village A's schema
    assert len(published) == 1
    result = live_worker.result(AsyncResult(published[0]))
    assert result == {"village": "18.08.11.2001", "date": today.isoformat(), "ok": True}
    row = VillageDailyIndicators.objects.get(village=cast.village_a, date=today)
    assert row.population_total >= 1
    assert cache.get(pending_key(cast.village_a.schema_name)) is None

    # and a change after that recompute queues the next one
    _burst(
        cast.village_a,
        resident_id=cast.resident_a.pk,
        events=5,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert len(published) == 2
    live_worker.result(AsyncResult(published[1]))


def test_changes_are_not_recomputed_when_switched_off(
    cast, settings, published, django_capture_on_commit_callbacks
):
    settings.BALAI_ROLLUP_ON_CHANGE = False
    cache.delete(pending_key(cast.village_a.schema_name))
    _burst(
        cast.village_a,
        resident_id=cast.resident_a.pk,
        events=3,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert published == []


def test_the_nightly_run_rolls_up_every_village_through_the_worker(
    cast, live_worker, committed_rows_removed
):
    # when
    day = timezone.localdate() - datetime.timedelta(days=1)
    step = rollup_nightly.apply_async(kwargs={"day": day.isoformat()})
    queued = live_worker.result(step)

    # then: the run ends with every active village rolled up, and says so
    run = RollupRun.objects.get(pk=queued["run"])
    deadline = time.monotonic() + RUN_TIMEOUT
    while run.finished_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.finished_at is not None, live_worker.log()
    assert run.villages_ok == run.villages_total == queued["queued"] >= 3
    assert run.villages_failed == 0
    rolled = set(VillageDailyIndicators.objects.filter(date=day).values_list("village", flat=True))
    assert {cast.village_a.pk, cast.village_b.pk, cast.village_c.pk} <= rolled
