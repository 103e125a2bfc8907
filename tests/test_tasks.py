"""Village tasks run in their village's schema, and nowhere else.

The ``worker`` tests queue through real Redis to a real ``balai worker`` process on the
test database; the others run the task eagerly in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.celery_app import SCHEMA_HEADER, VillageContextMissingError, app
from services.residents.models import Resident
from services.village.models import VillageProfile
from services.village.services import village_stats_refresh as village_stats_refresh_service
from services.village.tasks import village_stats_refresh, village_stats_refresh_queue
from tenants.models import Village

STATS_FIELDS = ("resident_count", "stats_refreshed_at", "updated_at")


def profile_state(village: Village) -> dict:
    with schema_context(village.schema_name):
        return VillageProfile.objects.values(*STATS_FIELDS).get(id=1)


def resident_count(village: Village) -> int:
    with schema_context(village.schema_name):
        return Resident.objects.count()


def queue_refresh(village: Village, requested_at: datetime):
    with schema_context(village.schema_name):
        return village_stats_refresh.apply_async(kwargs={"requested_at": requested_at.isoformat()})


@dataclass
class Villages:
    a: Village
    b: Village
    c: Village

    def all(self) -> list[Village]:
        return [self.a, self.b, self.c]


@pytest.fixture
def villages(cast, committed_connection) -> Iterator[Villages]:
    """The cast's villages, for tests whose writes are committed by the worker; their stats
    are reset afterwards so other tests see the cast as it was made."""
    villages = Villages(a=cast.village_a, b=cast.village_b, c=cast.village_c)
    yield villages
    quote = committed_connection.ops.quote_name
    with committed_connection.cursor() as cursor:
        for village in villages.all():
            table = f"{quote(village.schema_name)}.village_villageprofile"
            cursor.execute(f"UPDATE {table} SET resident_count = 0, stats_refreshed_at = NULL")


@pytest.mark.worker
def test_a_task_queued_on_village_a_writes_only_a_even_right_after_a_task_for_b(
    live_worker, villages
):
    # given: the worker's connection has just served village B
    before_c = profile_state(villages.c)
    b_requested_at = timezone.now() - timedelta(minutes=5)
    live_worker.result(queue_refresh(villages.b, b_requested_at))
    b_after_its_own_task = profile_state(villages.b)
    assert b_after_its_own_task["stats_refreshed_at"] == b_requested_at

    # when
    a_requested_at = timezone.now()
    result = live_worker.result(queue_refresh(villages.a, a_requested_at))

    # then
    a_state = profile_state(villages.a)
    assert a_state["resident_count"] == resident_count(villages.a) > 0
    assert a_state["stats_refreshed_at"] == a_requested_at
    assert result == {
        "resident_count": a_state["resident_count"],
        "stats_refreshed_at": a_requested_at.isoformat(),
    }
    assert profile_state(villages.b) == b_after_its_own_task
    assert profile_state(villages.c) == before_c


@pytest.mark.worker
def test_a_refresh_queued_on_commit_runs_in_the_village_it_was_queued_from(
    live_worker, villages, django_capture_on_commit_callbacks
):
    # given: queued inside village A's schema, in a transaction not yet committed
    with django_capture_on_commit_callbacks() as on_commit:
        with schema_context(villages.a.schema_name):
            village_stats_refresh_queue()
    b_before = profile_state(villages.b)

    # when: the transaction commits while the connection serves the public schema
    connection.set_schema_to_public()
    (send,) = on_commit
    live_worker.result(send())

    # then
    assert profile_state(villages.a)["resident_count"] == resident_count(villages.a)
    assert profile_state(villages.a)["stats_refreshed_at"] is not None
    assert profile_state(villages.b) == b_before


def test_queueing_a_village_task_from_the_public_schema_is_refused():
    connection.set_schema_to_public()
    requested_at = timezone.now().isoformat()

    with pytest.raises(VillageContextMissingError):
        village_stats_refresh.delay(requested_at=requested_at)
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh.apply_async(kwargs={"requested_at": requested_at})
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh.apply_async(
            kwargs={"requested_at": requested_at}, headers={SCHEMA_HEADER: "public"}
        )
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh.apply(kwargs={"requested_at": requested_at})
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh(requested_at=requested_at)
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh_queue()
    with pytest.raises(VillageContextMissingError):
        village_stats_refresh.delay_on_commit(requested_at=requested_at)


def _send_without_schema_header(name: str, kwargs: dict):
    # Celery.send_task, not app.send_task: tenant-schemas-celery's CeleryApp.send_task
    # would stamp the current schema onto the message.
    return Celery.send_task(app, name, kwargs=kwargs, queue="default")


def _send_from_public_schema(name: str, kwargs: dict):
    connection.set_schema_to_public()
    return app.send_task(name, kwargs=kwargs, queue="default")


@pytest.mark.worker
@pytest.mark.parametrize(
    ("send", "header_in_error"),
    [(_send_without_schema_header, "None"), (_send_from_public_schema, "'public'")],
    ids=["header missing", "header public"],
)
def test_a_village_task_arriving_without_its_village_fails_loudly_and_writes_nothing(
    live_worker, villages, send, header_in_error
):
    # given
    before = {village.schema_name: profile_state(village) for village in villages.all()}

    # when
    result = send(village_stats_refresh.name, {"requested_at": timezone.now().isoformat()})
    live_worker.result(result, propagate=False)

    # then
    assert result.state == "FAILURE"
    assert isinstance(result.result, VillageContextMissingError)
    assert f"schema header {header_in_error}" in str(result.result)
    assert {village.schema_name: profile_state(village) for village in villages.all()} == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.village_villageprofile')")
        assert cursor.fetchone() == (None,)


@pytest.mark.worker
def test_running_the_same_refresh_twice_leaves_the_same_state(live_worker, villages):
    # given
    requested_at = timezone.now()
    first_result = live_worker.result(queue_refresh(villages.a, requested_at))
    after_first = profile_state(villages.a)

    # when: the same message again, as after a redelivery
    second_result = live_worker.result(queue_refresh(villages.a, requested_at))

    # then
    assert second_result == first_result
    assert profile_state(villages.a) == after_first


@pytest.mark.worker
def test_a_late_refresh_does_not_overwrite_a_newer_one(live_worker, villages):
    # given
    newer = timezone.now()
    live_worker.result(queue_refresh(villages.a, newer))
    after_newer = profile_state(villages.a)

    # when
    live_worker.result(queue_refresh(villages.a, newer - timedelta(hours=1)))

    # then
    assert profile_state(villages.a) == after_newer


def test_an_eager_apply_runs_in_the_active_village_and_restores_the_connection(cast):
    # given
    requested_at = timezone.now()
    b_before = profile_state(cast.village_b)

    # when
    with schema_context(cast.village_a.schema_name):
        result = village_stats_refresh.apply(kwargs={"requested_at": requested_at.isoformat()})
        schema_after_apply = connection.schema_name

    # then
    assert result.successful(), result.traceback
    assert schema_after_apply == cast.village_a.schema_name
    assert profile_state(cast.village_a)["stats_refreshed_at"] == requested_at
    assert profile_state(cast.village_b) == b_before


def test_an_eager_apply_with_an_explicit_village_header_runs_in_that_village(cast):
    # given
    requested_at = timezone.now()
    a_before = profile_state(cast.village_a)
    connection.set_schema_to_public()

    # when
    result = village_stats_refresh.apply(
        kwargs={"requested_at": requested_at.isoformat()},
        headers={SCHEMA_HEADER: cast.village_b.schema_name},
    )

    # then
    assert result.successful(), result.traceback
    assert connection.schema_name == "public"
    assert profile_state(cast.village_b)["stats_refreshed_at"] == requested_at
    assert profile_state(cast.village_a) == a_before


def test_calling_the_task_as_a_function_in_a_village_runs_there(cast):
    requested_at = timezone.now()

    with schema_context(cast.village_a.schema_name):
        village_stats_refresh(requested_at=requested_at.isoformat())

    assert profile_state(cast.village_a)["stats_refreshed_at"] == requested_at


def test_the_stats_refresh_counts_the_village_residents_only(cast):
    # given
    as_of = timezone.now()

    # when
    with schema_context(cast.village_b.schema_name):
        profile = village_stats_refresh_service(as_of=as_of)

    # then
    assert profile.resident_count == resident_count(cast.village_b)
    assert profile.stats_refreshed_at == as_of
    assert profile_state(cast.village_a)["stats_refreshed_at"] is None
