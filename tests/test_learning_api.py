"""Kecamatan programmes (public schema), shared and village learning materials, and the
supervisors' digital-adoption figures.

The cast: carol supervises kecamatan 18.08.11 (villages A and B), dave 18.08.01 (village C),
erin the kabupaten 18.08; alice is kepala desa of A, bob operator of B; pat a platform admin;
Siti Aminah a resident of A with a PIN.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.accounts.models import User
from balai.learning.models import (
    KecamatanProgramme,
    KecamatanRegistration,
    LearningMaterial,
    VillageDigitalAdoption,
)
from services.letters.models import Letter, LetterType
from services.programmes.models import Programme, Registration, VillageMaterial
from services.programmes.tasks import adoption_refresh
from services.residents.models import Family, ResidentAccount
from tests.conftest import client_for
from tests.factories import ResidentFactory
from tests.learning_support import make_kecamatan_programme
from tests.test_economy_api import resident_client
from tests.test_programmes_api import field_errors, programme_body

pytestmark = pytest.mark.django_db

KEC_PROGRAMMES = "/api/learning/programmes/"
MATERIALS = "/api/learning/materials/"
ADOPTION = "/api/supervisor/digital-adoption/"
VILLAGE_KEC = "/api/village/programmes/kecamatan/"


def public_as(public_client, user):
    if user is not None:
        public_client.force_login(user)
    return public_client


# -- kecamatan programmes: the organiser ------------------------------------------------------


def test_a_kecamatan_supervisor_organises_a_programme_for_their_kecamatan(cast, public_client):
    response = public_as(public_client, cast.carol).post(
        KEC_PROGRAMMES, programme_body(kecamatan_code="18.08.11"), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["kecamatan_code"] == "18.08.11"


@pytest.mark.parametrize(
    ("who", "kecamatan"), [("dave", "18.08.11"), ("erin", "18.08.11"), ("carol", "18.08.01")]
)
def test_nobody_organises_for_a_kecamatan_that_is_not_theirs(cast, public_client, who, kecamatan):
    response = public_as(public_client, getattr(cast, who)).post(
        KEC_PROGRAMMES, programme_body(kecamatan_code=kecamatan), content_type="application/json"
    )

    assert response.status_code == 403
    assert field_errors(response)["kecamatan_code"]["code"] == "not_your_kecamatan"
    assert not KecamatanProgramme.objects.exists()


@pytest.mark.parametrize("who", [None, "alice", "pat"])
def test_non_supervisors_cannot_reach_kecamatan_programmes(cast, public_client, who):
    client = public_as(public_client, getattr(cast, who) if who else None)

    assert client.post(
        KEC_PROGRAMMES, programme_body(), content_type="application/json"
    ).status_code in (401, 403)
    assert client.get(KEC_PROGRAMMES).status_code in (401, 403)


def test_a_kecamatan_programme_with_bad_input_is_refused(cast, public_client):
    response = public_as(public_client, cast.carol).post(
        KEC_PROGRAMMES,
        programme_body(capacity=0, ends_at=timezone.now().isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert {"capacity", "ends_at"} <= set(field_errors(response))
    assert not KecamatanProgramme.objects.exists()


def test_another_supervisor_cannot_see_or_edit_the_programme(cast, public_client):
    programme = make_kecamatan_programme()
    client = public_as(public_client, cast.dave)

    assert client.get(KEC_PROGRAMMES).json()["results"] == []
    assert client.get(f"{KEC_PROGRAMMES}{programme.pk}/").status_code == 404
    response = client.patch(
        f"{KEC_PROGRAMMES}{programme.pk}/", {"capacity": 9}, content_type="application/json"
    )
    assert response.status_code == 404
    programme.refresh_from_db()
    assert programme.capacity == 2


def test_kecamatan_programme_endpoints_are_not_on_village_hosts(cast):
    response = client_for(cast.village_a, user=cast.carol).get(KEC_PROGRAMMES)

    assert response.status_code == 404


# -- kecamatan programmes: residents of its villages ------------------------------------------


def test_residents_of_every_village_of_the_kecamatan_see_it_and_others_do_not(cast):
    programme = make_kecamatan_programme()
    make_kecamatan_programme(title="Draf", status="draft")

    seen_a = client_for(cast.village_a).get(VILLAGE_KEC).json()["results"]
    seen_b = client_for(cast.village_b).get(VILLAGE_KEC).json()["results"]
    seen_c = client_for(cast.village_c).get(VILLAGE_KEC).json()["results"]

    assert [p["id"] for p in seen_a] == [programme.pk]
    assert [p["id"] for p in seen_b] == [programme.pk]
    assert seen_c == []


def test_a_resident_registers_from_their_own_village_and_only_minimal_data_is_kept(cast):
    programme = make_kecamatan_programme()
    client = resident_client(cast.village_a, cast.resident_a_nik)

    response = client.post(f"{VILLAGE_KEC}{programme.pk}/register/")

    assert response.status_code == 201, response.content
    row = KecamatanRegistration.objects.get(programme=programme)
    assert (row.village_code, row.resident_id, row.display_name, row.status) == (
        "18.08.11.2001",
        cast.resident_a.pk,
        "Siti Aminah",
        "confirmed",
    )
    mine = client.get("/api/village/programmes/registrations/mine/").json()
    assert [r["programme"]["id"] for r in mine["kecamatan"]] == [programme.pk]
    # registering twice is refused, naming the field
    again = client.post(f"{VILLAGE_KEC}{programme.pk}/register/")
    assert again.status_code == 409
    assert field_errors(again)["programme"]["code"] == "already_registered"


def test_a_village_outside_the_kecamatan_cannot_register(cast):
    # given a programme of 18.08.11 and a resident of village C (18.08.01)
    programme = make_kecamatan_programme()
    with tenant_context(cast.village_c):
        resident = ResidentFactory()
    connection.set_schema_to_public()
    staff_c = User.objects.get(memberships__village=cast.village_c)

    # when C's staff try to register them from C's host
    response = client_for(cast.village_c, user=staff_c).post(
        f"{VILLAGE_KEC}{programme.pk}/register/",
        {"resident_id": resident.pk},
        content_type="application/json",
    )

    # then the programme does not exist for C
    assert response.status_code == 404
    assert not KecamatanRegistration.objects.exists()


@pytest.mark.parametrize("who", [None, "carol", "bob"])
def test_outsiders_cannot_register_from_village_a(cast, who):
    programme = make_kecamatan_programme()
    client = client_for(cast.village_a, user=getattr(cast, who) if who else None)

    response = client.post(f"{VILLAGE_KEC}{programme.pk}/register/", {"resident_id": 1})

    assert response.status_code in (401, 403)
    assert not KecamatanRegistration.objects.exists()


def test_village_staff_register_their_resident_and_the_waiting_list_spans_villages(cast):
    programme = make_kecamatan_programme(capacity=1)
    with tenant_context(cast.village_b):
        budi = ResidentFactory(full_name="Budi Pratama", phone="081200001111")
    connection.set_schema_to_public()

    first = resident_client(cast.village_a, cast.resident_a_nik).post(
        f"{VILLAGE_KEC}{programme.pk}/register/"
    )
    second = client_for(cast.village_b, user=cast.bob).post(
        f"{VILLAGE_KEC}{programme.pk}/register/",
        {"resident_id": budi.pk},
        content_type="application/json",
    )

    assert first.json()["status"] == "confirmed"
    assert second.json()["status"] == "waiting"
    row = KecamatanRegistration.objects.get(village_code="18.08.11.2002")
    assert (row.display_name, row.phone, row.registered_by_id) == (
        "Budi Pratama",
        "081200001111",
        cast.bob.pk,
    )
    # when Siti cancels, Budi moves up
    mine = KecamatanRegistration.objects.get(village_code="18.08.11.2001")
    cancel = resident_client(cast.village_a, cast.resident_a_nik).post(
        f"{VILLAGE_KEC}registrations/{mine.pk}/cancel/"
    )
    assert cancel.status_code == 200
    row.refresh_from_db()
    assert row.status == "confirmed"


def test_staff_of_another_village_cannot_cancel_its_registrations(cast):
    programme = make_kecamatan_programme()
    row = KecamatanRegistration.objects.create(
        programme=programme,
        village_code="18.08.11.2001",
        resident_id=cast.resident_a.pk,
        display_name="Siti Aminah",
        status="confirmed",
    )

    response = client_for(cast.village_b, user=cast.bob).post(
        f"{VILLAGE_KEC}registrations/{row.pk}/cancel/"
    )

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "confirmed"


def test_the_supervisor_takes_attendance_and_certificates_follow(cast, public_client):
    # given Siti (A) and a resident of B confirmed on a programme that has taken place
    now = timezone.now()
    programme = make_kecamatan_programme(
        starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1)
    )
    siti = KecamatanRegistration.objects.create(
        programme=programme,
        village_code="18.08.11.2001",
        resident_id=cast.resident_a.pk,
        display_name="Siti Aminah",
        status="confirmed",
    )
    other = KecamatanRegistration.objects.create(
        programme=programme,
        village_code="18.08.11.2002",
        resident_id=7,
        display_name="Warga B",
        status="confirmed",
    )

    # dave (another kecamatan) cannot take it
    client = public_as(public_client, cast.dave)
    attend = {"registration_ids": [siti.pk, other.pk]}
    url = f"{KEC_PROGRAMMES}{programme.pk}/attendance/"
    assert client.post(url, attend, content_type="application/json").status_code == 404
    client.logout()

    # when carol records both
    client.force_login(cast.carol)
    response = client.post(url, attend, content_type="application/json")

    # then each can fetch their certificate from their village; the QR code verifies
    assert response.status_code == 200, response.content
    siti.refresh_from_db()
    pdf = resident_client(cast.village_a, cast.resident_a_nik).get(
        f"{VILLAGE_KEC}registrations/{siti.pk}/certificate/"
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(
        f"{KEC_PROGRAMMES}{programme.pk}/registrations/{siti.pk}/certificate/"
    ).content.startswith(b"%PDF")
    # Siti cannot fetch the other village's certificate from her host
    assert (
        resident_client(cast.village_a, cast.resident_a_nik)
        .get(f"{VILLAGE_KEC}registrations/{other.pk}/certificate/")
        .status_code
        == 404
    )
    verified = public_client.get(f"/api/learning/certificates/{siti.certificate_code}/")
    assert verified.json()["name"] == "Siti Aminah"
    # and the attendance list shows both villages
    listed = client.get(f"{KEC_PROGRAMMES}{programme.pk}/registrations/").json()["results"]
    assert {r["village_code"] for r in listed if r["attended_at"]} == {
        "18.08.11.2001",
        "18.08.11.2002",
    }


# -- learning materials -----------------------------------------------------------------------


MATERIAL = {
    "title": "Cara mengajukan surat secara daring",
    "summary": "Langkah demi langkah dari beranda kampung.",
    "topic": "layanan_balai",
    "kind": "panduan",
    "url": "https://balai.example.org/panduan/surat",
}


def test_platform_admins_add_shared_materials_that_every_village_reads(cast, public_client):
    response = public_as(public_client, cast.pat).post(
        MATERIALS, MATERIAL, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    for village in (cast.village_a, cast.village_c):
        listed = client_for(village).get("/api/village/programmes/materials/").json()
        assert [(m["title"], m["scope"]) for m in listed] == [(MATERIAL["title"], "shared")]


@pytest.mark.parametrize("who", [None, "carol", "alice"])
def test_only_platform_admins_write_shared_materials(cast, public_client, who):
    client = public_as(public_client, getattr(cast, who) if who else None)

    response = client.post(MATERIALS, MATERIAL, content_type="application/json")

    assert response.status_code in (401, 403)
    assert not LearningMaterial.objects.exists()
    assert client.get(MATERIALS).status_code == 200


def test_bad_material_input_names_the_field(cast, public_client):
    response = public_as(public_client, cast.pat).post(
        MATERIALS, {**MATERIAL, "url": "ftp://x", "topic": "sihir"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert {"url", "topic"} <= set(field_errors(response))


def test_village_staff_add_materials_of_their_village_only(cast):
    response = client_for(cast.village_a, user=cast.alice).post(
        "/api/village/programmes/materials/",
        {**MATERIAL, "topic": "pertanian", "title": "Pupuk untuk singkong"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert client_for(cast.village_b).get("/api/village/programmes/materials/").json() == []
    assert [
        m["scope"]
        for m in client_for(cast.village_a).get("/api/village/programmes/materials/").json()
    ] == ["village"]
    for client in (
        client_for(cast.village_a, user=cast.bob),
        client_for(cast.village_a),
        resident_client(cast.village_a, cast.resident_a_nik),
    ):
        denied = client.post(
            "/api/village/programmes/materials/", MATERIAL, content_type="application/json"
        )
        assert denied.status_code in (401, 403)
    with tenant_context(cast.village_a):
        assert VillageMaterial.objects.count() == 1


# -- digital adoption -------------------------------------------------------------------------


def test_the_village_task_computes_the_figures_inside_the_village(cast):
    # given in village A: two families, one with a resident account; 3 letters, 2 online;
    # one programme done with one attendance
    with tenant_context(cast.village_a):
        with_account = Family.objects.create(kk_number="1808110101200001")
        Family.objects.create(kk_number="1808110101200002")
        member = ResidentFactory(family=with_account)
        ResidentAccount.objects.create(resident=member, pin_hash="x")
        letter_type = LetterType.objects.first()
        for channel in ("online", "online", "counter"):
            Letter.objects.create(letter_type=letter_type, resident=member, channel=channel)
        now = timezone.now()
        programme = Programme.objects.create(
            title="Kelas",
            place="Balai",
            capacity=5,
            target_group="semua",
            status="done",
            starts_at=now - datetime.timedelta(days=1),
            ends_at=now - datetime.timedelta(hours=20),
        )
        Registration.objects.create(
            programme=programme, resident=member, status="confirmed", attended_at=now
        )
        families = Family.objects.count()
        accounts = Family.objects.filter(members__account__isnull=False).distinct().count()

        # when the task runs in the village's schema
        adoption_refresh.apply()
    connection.set_schema_to_public()

    # then the public row holds the village's figures
    row = VillageDigitalAdoption.objects.get(village_code="18.08.11.2001")
    assert (row.families_total, row.families_with_account) == (families, accounts)
    assert (row.letters_total, row.letters_online) == (3, 2)
    assert (row.programmes_held, row.village_attendances) == (1, 1)
    assert row.household_account_share == round(accounts / families, 4)


def _adoption_rows():
    now = timezone.now()
    for code, kecamatan in (
        ("18.08.11.2001", "18.08.11"),
        ("18.08.11.2002", "18.08.11"),
        ("18.08.01.2006", "18.08.01"),
    ):
        VillageDigitalAdoption.objects.create(
            village_code=code,
            kecamatan_code=kecamatan,
            kabupaten_code="18.08",
            village_name=code,
            families_total=10,
            families_with_account=4,
            letters_total=8,
            letters_online=2,
            refreshed_at=now,
        )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("carol", ["18.08.11.2001", "18.08.11.2002"]),
        ("dave", ["18.08.01.2006"]),
        ("erin", ["18.08.01.2006", "18.08.11.2001", "18.08.11.2002"]),
    ],
)
def test_supervisors_see_the_figures_of_their_region_only(
    cast, public_client, who, expected, django_assert_max_num_queries
):
    _adoption_rows()
    client = public_as(public_client, getattr(cast, who))
    client.get(ADOPTION)

    with django_assert_max_num_queries(7):
        response = client.get(ADOPTION)

    rows = response.json()["results"]
    assert [r["village_code"] for r in rows] == expected
    assert rows[0]["household_account_share"] == 0.4
    assert rows[0]["online_letter_share"] == 0.25


def test_a_region_outside_the_scope_is_not_found(cast, public_client):
    _adoption_rows()

    response = public_as(public_client, cast.dave).get(ADOPTION, {"region": "18.08.11"})

    assert response.status_code == 404


@pytest.mark.parametrize("who", [None, "alice", "pat"])
def test_non_supervisors_get_no_figures(cast, public_client, who):
    _adoption_rows()

    response = public_as(public_client, getattr(cast, who) if who else None).get(ADOPTION)

    assert response.status_code in (401, 403)


def test_figures_are_not_served_on_a_village_host(cast):
    _adoption_rows()

    assert client_for(cast.village_a, user=cast.carol).get(ADOPTION).status_code == 404
