"""A person registered in two villages of one kecamatan shows in the supervisors' report."""

import datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from balai.supervision.models import NikFingerprint
from services.residents import services

pytestmark = pytest.mark.django_db

URL = "/api/supervisor/duplicate-niks/"
NIK = "1808111705900077"


def register(village, actor, nik=NIK, name="Yusuf"):
    with schema_context(village.schema_name):
        resident = services.resident_create(
            actor=actor,
            data={
                "nik": nik,
                "full_name": name,
                "sex": "L",
                "birth_date": datetime.date(1990, 5, 17),
            },
            arrival_date=datetime.date(2020, 1, 1),
        )
    connection.set_schema_to_public()
    return resident


@pytest.fixture
def in_a_and_b(cast):
    register(cast.village_a, cast.alice)
    return register(cast.village_b, cast.bob)


def groups(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.json()["results"]


def test_the_same_nik_in_two_villages_shows_for_the_kecamatan_and_kabupaten(
    cast, public_client, in_a_and_b
):
    for supervisor in (cast.carol, cast.erin):
        found = groups(public_client, supervisor)
        assert found == [
            {
                "masked_nik": "1808**********77",
                "village_count": 2,
                "villages": [
                    {"region_code": "18.08.11.2001", "name": "Negara Batin"},
                    {"region_code": "18.08.11.2002", "name": "Purwa Agung"},
                ],
            }
        ]


def test_a_supervisor_of_another_kecamatan_does_not_see_it(cast, public_client, in_a_and_b):
    assert groups(public_client, cast.dave) == []


def test_the_report_holds_no_name_and_no_full_nik(cast, public_client, in_a_and_b):
    public_client.force_login(cast.carol)
    text = public_client.get(URL).content.decode()
    assert "Yusuf" not in text and NIK not in text
    stored = list(NikFingerprint.objects.values_list("nik_hash", "masked_nik"))
    assert all(NIK not in value for row in stored for value in row)


def test_a_nik_shared_with_a_village_outside_the_scope_is_not_shown(cast, public_client):
    register(cast.village_a, cast.alice)
    with schema_context(cast.village_c.schema_name):
        from services.residents.models import Resident

        Resident.objects.count()  # the schema exists
    register(cast.village_c, None)
    assert groups(public_client, cast.carol) == []  # only A is in carol's kecamatan
    assert groups(public_client, cast.dave) == []  # only C is in dave's
    assert len(groups(public_client, cast.erin)) == 1  # both are in erin's kabupaten


def test_a_person_who_moved_out_of_one_village_is_no_longer_a_duplicate(
    cast, public_client, in_a_and_b
):
    with schema_context(cast.village_b.schema_name):
        services.resident_record_move_out(
            actor=cast.bob, resident=in_a_and_b, event_date=datetime.date(2024, 1, 1)
        )
    connection.set_schema_to_public()
    assert groups(public_client, cast.carol) == []


def test_correcting_a_nik_updates_the_index(cast, public_client, in_a_and_b):
    with schema_context(cast.village_b.schema_name):
        services.resident_update(
            actor=cast.bob,
            resident=in_a_and_b,
            changes={"nik": "1808111705900078"},
        )
    connection.set_schema_to_public()
    assert groups(public_client, cast.carol) == []


@pytest.mark.parametrize("who", ["alice", "bob", "pat", None])
def test_non_supervisors_are_refused(cast, public_client, in_a_and_b, who):
    if who:
        public_client.force_login(getattr(cast, who))
    assert public_client.get(URL).status_code in (401, 403)


def test_the_report_is_not_served_on_village_hosts(cast, in_a_and_b):
    from tests.conftest import client_for

    assert client_for(cast.village_a, user=cast.carol).get(URL).status_code == 404


def test_the_index_of_a_village_can_be_rebuilt_from_its_register(cast, public_client, in_a_and_b):
    from balai.supervision.nik_index import nik_index_rebuild

    # given: the index lost B's rows (a bulk import wrote residents directly)
    NikFingerprint.objects.filter(village_code="18.08.11.2002").delete()
    assert groups(public_client, cast.carol) == []
    # when
    with schema_context(cast.village_b.schema_name):
        added = nik_index_rebuild()
    connection.set_schema_to_public()
    # then
    assert added == 2  # Yusuf, and Budi of the cast (made by a factory, never indexed)
    assert len(groups(public_client, cast.carol)) == 1
