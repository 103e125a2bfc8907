"""Capacity under concurrency: many registrations at once on committed data, each in its own
thread and database connection, never confirm more people than the programme's capacity.

These tests commit (the race only exists between real transactions) and delete what they
made afterwards; they use neither ``db`` nor ``transactional_db`` for that data.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.utils import timezone

from balai.errors import BalaiError
from balai.learning.models import KecamatanProgramme
from balai.learning.services import kecamatan_registration_create
from balai.learning.target_groups import Person
from services.programmes import services
from services.programmes.models import Programme, Registration
from services.residents.models import Resident
from tenants.models import Village
from tests.factories import ResidentFactory

CAPACITY = 3
PEOPLE = 12


def test_the_threaded_tests_below_have_a_test_database(db):
    # pytest-django creates the test database only when a collected test asks for ``db``.
    assert Village.objects.filter(region_id="18.08.11.2001").exists()


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread (own connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BalaiError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _window() -> dict:
    start = timezone.now() + datetime.timedelta(days=3)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}


@pytest.fixture
def committed_village_programme(django_db_setup, django_db_blocker) -> Iterator[tuple]:
    with django_db_blocker.unblock():
        village = Village.objects.get(region_id="18.08.11.2001")
        connection.set_tenant(village)
        programme = Programme.objects.create(
            title="Pelatihan pemasaran daring",
            place="Balai kampung",
            capacity=CAPACITY,
            target_group="semua",
            status="open",
            **_window(),
        )
        residents = [ResidentFactory() for _ in range(PEOPLE)]
        connection.set_schema_to_public()
        try:
            yield village, programme, residents
        finally:
            connection.set_tenant(village)
            Registration.objects.filter(programme=programme).delete()
            programme.delete()
            Resident.objects.filter(pk__in=[r.pk for r in residents]).delete()
            connection.set_schema_to_public()


@pytest.mark.commits
def test_concurrent_registrations_never_exceed_capacity(
    committed_village_programme, django_db_blocker
):
    # given an open programme of 3 seats, committed, and 12 residents
    village, programme, residents = committed_village_programme

    def register(resident) -> Callable[[], object]:
        def call():
            connection.set_tenant(village)
            return services.registration_create(programme_id=programme.pk, resident=resident)

        return call

    # when all 12 register at the same moment, each in its own transaction
    with django_db_blocker.unblock():
        results = run_at_once([register(r) for r in residents])

        # then exactly 3 are confirmed and the other 9 wait, in arrival order
        assert not [r for r in results if isinstance(r, BalaiError)]
        connection.set_tenant(village)
        statuses = Counter(
            Registration.objects.filter(programme=programme).values_list("status", flat=True)
        )
        connection.set_schema_to_public()
    assert statuses == {"confirmed": CAPACITY, "waiting": PEOPLE - CAPACITY}


@pytest.mark.commits
def test_concurrent_cancellations_promote_without_overbooking(
    committed_village_programme, django_db_blocker
):
    # given a full programme with a waiting list
    village, programme, residents = committed_village_programme
    with django_db_blocker.unblock():
        connection.set_tenant(village)
        rows = [
            services.registration_create(programme_id=programme.pk, resident=r) for r in residents
        ]
        connection.set_schema_to_public()
        confirmed = [r for r in rows if r.status == "confirmed"]

        # when every confirmed person cancels at once while others register again
        def cancel(row) -> Callable[[], object]:
            def call():
                connection.set_tenant(village)
                return services.registration_cancel(registration=row)

            return call

        run_at_once([cancel(row) for row in confirmed])

        # then the seats went to the first three waiting, and never more than capacity
        connection.set_tenant(village)
        now_confirmed = list(
            Registration.objects.filter(programme=programme, status="confirmed")
            .order_by("id")
            .values_list("pk", flat=True)
        )
        connection.set_schema_to_public()
    waiting_in_order = [r.pk for r in rows if r.status == "waiting"]
    assert now_confirmed == waiting_in_order[:CAPACITY]


@pytest.fixture
def committed_kecamatan_programme(django_db_setup, django_db_blocker) -> Iterator[tuple]:
    with django_db_blocker.unblock():
        villages = list(Village.objects.filter(kecamatan_code="18.08.11").order_by("region_id"))
        programme = KecamatanProgramme.objects.create(
            kecamatan_code="18.08.11",
            title="Literasi digital se-kecamatan",
            place="Aula kecamatan",
            capacity=CAPACITY,
            target_group="semua",
            status="open",
            **_window(),
        )
        try:
            yield villages, programme
        finally:
            programme.delete()  # its registrations go with it


@pytest.mark.commits
def test_residents_of_several_villages_never_overbook_a_kecamatan_programme(
    committed_kecamatan_programme, django_db_blocker
):
    villages, programme = committed_kecamatan_programme

    def register(village, resident_id: int) -> Callable[[], object]:
        return lambda: kecamatan_registration_create(
            village=village,
            resident_id=resident_id,
            display_name=f"Warga {resident_id}",
            phone="",
            person=Person(sex="L", birth_date=None),
            programme_id=programme.pk,
        )

    calls = [register(villages[i % len(villages)], 1000 + i) for i in range(PEOPLE)]
    with django_db_blocker.unblock():
        results = run_at_once(calls)
        statuses = Counter(programme.registrations.values_list("status", flat=True))
        by_village = Counter(programme.registrations.values_list("village_code", flat=True))
    assert not [r for r in results if isinstance(r, BalaiError)]
    assert statuses == {"confirmed": CAPACITY, "waiting": PEOPLE - CAPACITY}
    assert set(by_village) == {v.region_id for v in villages}
