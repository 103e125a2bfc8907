"""Village programmes on the village host: creation, registration with a waiting list,
cancellation that moves the first waiting person up, attendance and certificates.

The cast: alice is kepala desa of A, bob operator of B, Siti Aminah a resident of A with a
PIN, carol a kecamatan supervisor (no village role), anonymous visitors.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.learning.models import ProgrammeStatus, RegistrationStatus
from services.events.models import DomainEvent
from services.programmes.models import Programme, Registration
from tests.conftest import client_for
from tests.factories import ResidentFactory
from tests.learning_support import registrations_of
from tests.test_economy_api import resident_client

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/village/programmes/"


def programme_body(**overrides) -> dict:
    start = timezone.now() + datetime.timedelta(days=7)
    body = {
        "title": "Kelas literasi digital: aman bertransaksi daring",
        "description": "Mengenali penipuan daring dan menjaga PIN.",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
        "place": "Balai kampung",
        "capacity": 2,
        "target_group": "semua",
        "status": "open",
    }
    body.update(overrides)
    return body


def make_programme(village, **fields) -> Programme:
    """A programme straight in the village schema (its making is not under test)."""
    values = programme_body()
    values.update(fields)
    for key in ("starts_at", "ends_at"):
        if isinstance(values[key], str):
            values[key] = datetime.datetime.fromisoformat(values[key])
    with tenant_context(village):
        programme = Programme.objects.create(**values)
    connection.set_schema_to_public()
    return programme


def make_residents(village, count: int) -> list:
    with tenant_context(village):
        residents = [ResidentFactory() for _ in range(count)]
    connection.set_schema_to_public()
    return residents


@pytest.fixture
def resident_a_client(cast):
    return resident_client(cast.village_a, cast.resident_a_nik)


def field_errors(response) -> dict[str, dict]:
    return {error["field"]: error for error in response.json()["errors"]}


# -- creating programmes ----------------------------------------------------------------------


def test_staff_create_a_programme(cast):
    response = client_for(cast.village_a, user=cast.alice).post(
        PROGRAMMES, programme_body(), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open"
    assert response.json()["capacity"] == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", (401, 403)), ("resident", (403,)), ("bob", (403,)), ("carol", (403,))],
)
def test_only_staff_of_the_village_create_programmes(cast, who, expected):
    if who == "resident":
        client = resident_client(cast.village_a, cast.resident_a_nik)
    elif who == "anonymous":
        client = client_for(cast.village_a)
    else:
        client = client_for(cast.village_a, user=getattr(cast, who))

    response = client.post(PROGRAMMES, programme_body(), content_type="application/json")

    assert response.status_code in expected
    with tenant_context(cast.village_a):
        assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"capacity": 0}, "capacity", "capacity_min"),
        ({"capacity": "banyak"}, "capacity", "capacity_min"),
        (
            {"ends_at": (timezone.now() + datetime.timedelta(days=6)).isoformat()},
            "ends_at",
            "ends_before_start",
        ),
        ({"starts_at": "besok pagi"}, "starts_at", "invalid_datetime"),
        ({"title": "  "}, "title", "required"),
        ({"place": "", "online_url": ""}, "place", "place_required"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "invalid_url"),
        ({"target_group": "semua_orang"}, "target_group", "invalid_choice"),
        ({"status": "selesai"}, "status", "invalid_choice"),
    ],
)
def test_bad_programme_input_names_the_field_in_both_languages(cast, overrides, field, code):
    response = client_for(cast.village_a, user=cast.alice).post(
        PROGRAMMES, programme_body(**overrides), content_type="application/json"
    )

    assert response.status_code == 400
    error = field_errors(response)[field]
    assert error["code"] == code
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    with tenant_context(cast.village_a):
        assert not Programme.objects.exists()


def test_a_programme_can_come_from_a_form(cast):
    response = client_for(cast.village_a, user=cast.alice).post(PROGRAMMES, programme_body())

    assert response.status_code == 201, response.content
    assert response.json()["title"].startswith("Kelas literasi")


def test_an_online_programme_needs_no_place(cast):
    response = client_for(cast.village_a, user=cast.alice).post(
        PROGRAMMES,
        programme_body(place="", online_url="https://meet.example.org/kelas"),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content


def test_drafts_are_for_staff_only(cast):
    draft = make_programme(cast.village_a, status=ProgrammeStatus.DRAFT, title="Rencana")
    announced = make_programme(cast.village_a, title="Diumumkan")

    public = client_for(cast.village_a).get(PROGRAMMES).json()["results"]
    staff = client_for(cast.village_a, user=cast.alice).get(PROGRAMMES).json()["results"]

    assert [p["id"] for p in public] == [announced.pk]
    assert {p["id"] for p in staff} == {draft.pk, announced.pk}
    assert client_for(cast.village_a).get(f"{PROGRAMMES}{draft.pk}/").status_code == 404


def test_programmes_of_village_a_are_not_on_village_b(cast):
    programme = make_programme(cast.village_a)

    assert client_for(cast.village_b).get(PROGRAMMES).json()["results"] == []
    response = client_for(cast.village_b, user=cast.bob).patch(
        f"{PROGRAMMES}{programme.pk}/", {"capacity": 5}, content_type="application/json"
    )
    assert response.status_code == 404


def test_staff_of_another_village_cannot_edit(cast):
    programme = make_programme(cast.village_a)

    response = client_for(cast.village_a, user=cast.bob).patch(
        f"{PROGRAMMES}{programme.pk}/", {"capacity": 5}, content_type="application/json"
    )

    assert response.status_code == 403


def test_end_before_start_on_update_is_refused_and_nothing_changes(cast):
    programme = make_programme(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).patch(
        f"{PROGRAMMES}{programme.pk}/",
        {"ends_at": (programme.starts_at - datetime.timedelta(hours=1)).isoformat(), "title": "X"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert field_errors(response)["ends_at"]["code"] == "ends_before_start"
    with tenant_context(cast.village_a):
        programme.refresh_from_db()
    assert programme.title.startswith("Kelas literasi")


# -- registering ------------------------------------------------------------------------------


def test_a_resident_registers_themself(cast, resident_a_client):
    programme = make_programme(cast.village_a)

    response = resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    assert response.json()["resident_id"] == cast.resident_a.pk


def test_a_resident_cannot_register_someone_else(cast, resident_a_client):
    # given another resident of A
    (other,) = make_residents(cast.village_a, 1)
    programme = make_programme(cast.village_a)

    # when Siti names them in the body
    response = resident_a_client.post(
        f"{PROGRAMMES}{programme.pk}/register/",
        {"resident_id": other.pk},
        content_type="application/json",
    )

    # then she is registered, never the other person
    assert response.status_code == 201
    assert registrations_of(cast.village_a, programme) == [(cast.resident_a.pk, "confirmed")]


def test_registration_past_capacity_goes_to_the_waiting_list_in_order(cast):
    programme = make_programme(cast.village_a, capacity=2)
    residents = make_residents(cast.village_a, 4)
    staff = client_for(cast.village_a, user=cast.alice)

    statuses = [
        staff.post(
            f"{PROGRAMMES}{programme.pk}/register/",
            {"resident_id": r.pk},
            content_type="application/json",
        ).json()["status"]
        for r in residents
    ]

    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]


def test_a_cancellation_moves_the_first_waiting_person_up(cast):
    # given a full programme with two people waiting
    programme = make_programme(cast.village_a, capacity=2)
    first, second, third, fourth = make_residents(cast.village_a, 4)
    with tenant_context(cast.village_a):
        made = {}
        for resident, status in (
            (first, "confirmed"),
            (second, "confirmed"),
            (third, "waiting"),
            (fourth, "waiting"),
        ):
            made[resident.pk] = Registration.objects.create(
                programme=programme, resident=resident, status=status
            )
    connection.set_schema_to_public()

    # when staff cancel the first confirmed registration
    response = client_for(cast.village_a, user=cast.alice).post(
        f"{PROGRAMMES}registrations/{made[first.pk].pk}/cancel/"
    )

    # then the first waiting person holds the seat and the second still waits
    assert response.status_code == 200
    assert dict(registrations_of(cast.village_a, programme)) == {
        first.pk: "cancelled",
        second.pk: "confirmed",
        third.pk: "confirmed",
        fourth.pk: "waiting",
    }
    # and the event names who moved up, for whoever tells them
    with tenant_context(cast.village_a):
        event = DomainEvent.objects.get(name="programme.registration_cancelled")
    connection.set_schema_to_public()
    assert event.payload["promoted_registration_ids"] == [made[third.pk].pk]


def test_a_larger_capacity_moves_waiting_people_up(cast):
    programme = make_programme(cast.village_a, capacity=1)
    a, b = make_residents(cast.village_a, 2)
    with tenant_context(cast.village_a):
        Registration.objects.create(programme=programme, resident=a, status="confirmed")
        Registration.objects.create(programme=programme, resident=b, status="waiting")
    connection.set_schema_to_public()

    response = client_for(cast.village_a, user=cast.alice).patch(
        f"{PROGRAMMES}{programme.pk}/", {"capacity": 2}, content_type="application/json"
    )

    assert response.status_code == 200
    assert dict(registrations_of(cast.village_a, programme)) == {
        a.pk: "confirmed",
        b.pk: "confirmed",
    }


def test_capacity_cannot_drop_below_the_confirmed_seats(cast):
    programme = make_programme(cast.village_a, capacity=2)
    a, b = make_residents(cast.village_a, 2)
    with tenant_context(cast.village_a):
        for r in (a, b):
            Registration.objects.create(programme=programme, resident=r, status="confirmed")
    connection.set_schema_to_public()

    response = client_for(cast.village_a, user=cast.alice).patch(
        f"{PROGRAMMES}{programme.pk}/", {"capacity": 1}, content_type="application/json"
    )

    assert response.status_code == 400
    assert field_errors(response)["capacity"]["code"] == "capacity_below_confirmed"


def test_registering_twice_is_refused(cast, resident_a_client):
    programme = make_programme(cast.village_a)
    resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    response = resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    assert response.status_code == 409
    error = field_errors(response)["programme"]
    assert error["code"] == "already_registered"
    assert error["message"] != error["message_en"]
    assert len(registrations_of(cast.village_a, programme)) == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": ProgrammeStatus.CLOSED}, "programme_not_open"),
        ({"status": ProgrammeStatus.CANCELLED}, "programme_not_open"),
        (
            {
                "starts_at": timezone.now() - datetime.timedelta(days=2),
                "ends_at": timezone.now() - datetime.timedelta(days=1),
            },
            "programme_past",
        ),
    ],
)
def test_closed_or_past_programmes_take_no_registrations(cast, resident_a_client, fields, code):
    programme = make_programme(cast.village_a, **fields)

    response = resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    assert response.status_code == 409
    error = field_errors(response)["programme"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    assert registrations_of(cast.village_a, programme) == []


def test_staff_must_name_a_resident(cast):
    programme = make_programme(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)

    for resident_id in ("x", "", None):
        response = staff.post(
            f"{PROGRAMMES}{programme.pk}/register/",
            {"resident_id": resident_id},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert field_errors(response)["resident_id"]["code"] == "resident_required"
    assert registrations_of(cast.village_a, programme) == []


@pytest.mark.parametrize("who", ["anonymous", "bob", "carol"])
def test_outsiders_cannot_register(cast, who):
    programme = make_programme(cast.village_a)
    client = (
        client_for(cast.village_a)
        if who == "anonymous"
        else client_for(cast.village_a, user=getattr(cast, who))
    )

    response = client.post(f"{PROGRAMMES}{programme.pk}/register/", {"resident_id": 1})

    assert response.status_code in (401, 403)
    assert registrations_of(cast.village_a, programme) == []


def test_a_resident_of_a_cannot_register_on_village_b(cast, resident_a_client):
    programme = make_programme(cast.village_b)
    resident_a_client.defaults["HTTP_HOST"] = client_for(cast.village_b).defaults["HTTP_HOST"]

    response = resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    assert response.status_code in (401, 403)


def test_a_resident_cancels_only_their_own_registration(cast, resident_a_client):
    programme = make_programme(cast.village_a)
    (other,) = make_residents(cast.village_a, 1)
    with tenant_context(cast.village_a):
        theirs = Registration.objects.create(
            programme=programme, resident=other, status="confirmed"
        )
        mine = Registration.objects.create(
            programme=programme, resident_id=cast.resident_a.pk, status="confirmed"
        )
    connection.set_schema_to_public()

    assert (
        resident_a_client.post(f"{PROGRAMMES}registrations/{theirs.pk}/cancel/").status_code == 404
    )
    assert resident_a_client.post(f"{PROGRAMMES}registrations/{mine.pk}/cancel/").status_code == 200
    second = resident_a_client.post(f"{PROGRAMMES}registrations/{mine.pk}/cancel/")
    assert second.status_code == 409
    assert field_errors(second)["registration"]["code"] == "already_cancelled"


def test_a_resident_sees_their_registrations(cast, resident_a_client):
    programme = make_programme(cast.village_a)
    resident_a_client.post(f"{PROGRAMMES}{programme.pk}/register/")

    body = resident_a_client.get(f"{PROGRAMMES}registrations/mine/").json()

    assert [r["programme_id"] for r in body["village"]] == [programme.pk]
    assert body["kecamatan"] == []


def test_the_registration_list_is_for_staff_and_takes_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries
):
    programme = make_programme(cast.village_a, capacity=10)
    residents = make_residents(cast.village_a, 8)
    with tenant_context(cast.village_a):
        for r in residents:
            Registration.objects.create(programme=programme, resident=r, status="confirmed")
    connection.set_schema_to_public()
    url = f"{PROGRAMMES}{programme.pk}/registrations/"
    staff = client_for(cast.village_a, user=cast.alice)
    staff.get(url)  # warm the routing cache and session

    with django_assert_max_num_queries(8):
        response = staff.get(url)

    assert len(response.json()["results"]) == 8
    assert client_for(cast.village_a).get(url).status_code in (401, 403)
    assert resident_client(cast.village_a, cast.resident_a_nik).get(url).status_code == 403
    assert client_for(cast.village_a, user=cast.bob).get(url).status_code == 403


# -- attendance and certificates --------------------------------------------------------------


def started_programme_with(village, residents, *, status="confirmed") -> tuple[Programme, list]:
    now = timezone.now()
    programme = make_programme(
        village,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
        status=ProgrammeStatus.CLOSED,
    )
    with tenant_context(village):
        rows = [
            Registration.objects.create(programme=programme, resident_id=r.pk, status=status)
            for r in residents
        ]
    connection.set_schema_to_public()
    return programme, rows


def test_staff_take_attendance_and_the_resident_downloads_a_certificate(cast, resident_a_client):
    # given Siti confirmed on a programme that has taken place
    programme, (mine,) = started_programme_with(cast.village_a, [cast.resident_a])
    staff = client_for(cast.village_a, user=cast.alice)

    # when staff record her attendance
    response = staff.post(
        f"{PROGRAMMES}{programme.pk}/attendance/",
        {"registration_ids": [mine.pk]},
        content_type="application/json",
    )

    # then she and staff can download the certificate, and its code verifies publicly
    assert response.status_code == 200, response.content
    assert response.json()[0]["attended_at"]
    pdf = resident_a_client.get(f"{PROGRAMMES}registrations/{mine.pk}/certificate/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert staff.get(f"{PROGRAMMES}registrations/{mine.pk}/certificate/").status_code == 200
    with tenant_context(cast.village_a):
        code = Registration.objects.get(pk=mine.pk).certificate_code
    connection.set_schema_to_public()
    verified = client_for(cast.village_a).get(f"{PROGRAMMES}certificates/{code}/")
    assert verified.json()["name"] == "Siti Aminah"
    assert client_for(cast.village_b).get(f"{PROGRAMMES}certificates/{code}/").status_code == 404


def test_no_certificate_without_attendance(cast, resident_a_client):
    _, (mine,) = started_programme_with(cast.village_a, [cast.resident_a])

    response = resident_a_client.get(f"{PROGRAMMES}registrations/{mine.pk}/certificate/")

    assert response.status_code == 404
    assert field_errors(response)["registration"]["code"] == "not_attended"


def test_only_confirmed_participants_can_attend_and_nothing_is_half_written(cast):
    residents = make_residents(cast.village_a, 2)
    programme, (confirmed,) = started_programme_with(cast.village_a, residents[:1])
    with tenant_context(cast.village_a):
        waiting = Registration.objects.create(
            programme=programme, resident=residents[1], status=RegistrationStatus.WAITING
        )
    connection.set_schema_to_public()

    response = client_for(cast.village_a, user=cast.alice).post(
        f"{PROGRAMMES}{programme.pk}/attendance/",
        {"registration_ids": [confirmed.pk, waiting.pk]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert field_errors(response)["registration_ids"]["code"] == "not_confirmed"
    with tenant_context(cast.village_a):
        assert not Registration.objects.filter(attended_at__isnull=False).exists()


def test_attendance_waits_for_the_programme_to_start(cast):
    programme = make_programme(cast.village_a)
    (resident,) = make_residents(cast.village_a, 1)
    with tenant_context(cast.village_a):
        row = Registration.objects.create(
            programme=programme, resident=resident, status="confirmed"
        )
    connection.set_schema_to_public()

    response = client_for(cast.village_a, user=cast.alice).post(
        f"{PROGRAMMES}{programme.pk}/attendance/",
        {"registration_ids": [row.pk]},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert field_errors(response)["programme"]["code"] == "programme_not_started"


@pytest.mark.parametrize("who", ["anonymous", "resident", "bob", "carol"])
def test_only_village_staff_take_attendance(cast, who):
    programme, (row,) = started_programme_with(cast.village_a, [cast.resident_a])
    if who == "resident":
        client = resident_client(cast.village_a, cast.resident_a_nik)
    elif who == "anonymous":
        client = client_for(cast.village_a)
    else:
        client = client_for(cast.village_a, user=getattr(cast, who))

    response = client.post(
        f"{PROGRAMMES}{programme.pk}/attendance/",
        {"registration_ids": [row.pk]},
        content_type="application/json",
    )

    assert response.status_code in (401, 403)


def test_another_residents_certificate_is_not_found(cast, resident_a_client):
    (other,) = make_residents(cast.village_a, 1)
    programme, (theirs,) = started_programme_with(cast.village_a, [other])
    client_for(cast.village_a, user=cast.alice).post(
        f"{PROGRAMMES}{programme.pk}/attendance/",
        {"registration_ids": [theirs.pk]},
        content_type="application/json",
    )

    response = resident_a_client.get(f"{PROGRAMMES}registrations/{theirs.pk}/certificate/")

    assert response.status_code == 404
    bob = client_for(cast.village_a, user=cast.bob)
    assert bob.get(f"{PROGRAMMES}registrations/{theirs.pk}/certificate/").status_code == 403
