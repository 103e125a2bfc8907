"""Smart People pages of a village host: programmes of the village and its kecamatan,
registration with the target group enforced and the waiting list, a resident's registrations
and certificates, and the staff pages (programmes, on-behalf registration, attendance).

The cast: alice is kepala desa of A, bob operator of B, Siti Aminah (born 1990, female) a
resident of A with a PIN, carol a kecamatan supervisor of 18.08.11.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.errors import BalaiError
from balai.learning.models import KecamatanRegistration, LearningMaterial
from balai.learning.target_groups import Person, target_group_check
from services.audit.models import AuditEntry
from services.economy.models import Business
from services.programmes.models import Programme, Registration, VillageMaterial
from tests.conftest import client_for
from tests.factories import ResidentFactory
from tests.learning_support import make_kecamatan_programme, registrations_of
from tests.test_economy_api import resident_client
from tests.test_programmes_api import make_programme

pytestmark = pytest.mark.django_db


def started_programme(village, **fields) -> Programme:
    """A programme that began an hour ago (attendance can be taken)."""
    start = timezone.now() - datetime.timedelta(hours=1)
    return make_programme(
        village, starts_at=start, ends_at=start + datetime.timedelta(hours=3), **fields
    )


def register_directly(village, programme, resident, **fields) -> Registration:
    with tenant_context(village):
        registration = Registration.objects.create(
            programme=programme,
            resident=resident,
            status=fields.pop("status", "confirmed"),
            **fields,
        )
    connection.set_schema_to_public()
    return registration


@pytest.fixture
def siti(cast):
    return resident_client(cast.village_a, cast.resident_a_nik)


# -- the public list and detail ---------------------------------------------------------------


def test_the_list_shows_the_village_and_kecamatan_programmes_upcoming_first(cast):
    # given a village programme in 7 days with 1 of 2 seats taken, a kecamatan one in 5 days,
    # a past one and a draft
    village = make_programme(cast.village_a, title="Kelas literasi digital")
    register_directly(cast.village_a, village, cast.resident_a)
    make_kecamatan_programme(title="Pelatihan admin media sosial")
    past_start = timezone.now() - datetime.timedelta(days=30)
    make_programme(
        cast.village_a,
        title="Kelas yang sudah lewat",
        starts_at=past_start,
        ends_at=past_start + datetime.timedelta(hours=2),
        status="done",
    )
    make_programme(cast.village_a, title="Draf rahasia", status="draft")

    # when
    response = client_for(cast.village_a).get("/pelatihan/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draf rahasia" not in page
    order = [page.index(t) for t in ("Pelatihan admin media sosial", "Kelas literasi digital")]
    assert order == sorted(order)  # soonest first
    assert page.index("Kelas literasi digital") < page.index("Kelas yang sudah lewat")
    assert "1 dari 2" in page  # seats left
    assert "Semua warga" in page  # target group


def test_a_kecamatan_programme_is_visible_on_every_village_host_of_the_kecamatan(cast):
    programme = make_kecamatan_programme(title="Pelatihan kecamatan untuk semua kampung")
    village_a_only = make_programme(cast.village_a, title="Kelas kampung A saja")

    on_b = client_for(cast.village_b).get("/pelatihan/").content.decode()
    detail_b = client_for(cast.village_b).get(f"/pelatihan/kecamatan/{programme.pk}/")
    detail_c = client_for(cast.village_c).get(f"/pelatihan/kecamatan/{programme.pk}/")

    assert "Pelatihan kecamatan untuk semua kampung" in on_b
    assert "Kelas kampung A saja" not in on_b
    assert detail_b.status_code == 200
    assert detail_c.status_code == 404
    assert client_for(cast.village_b).get(f"/pelatihan/{village_a_only.pk}/").status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in_to_register(cast):
    programme = make_programme(cast.village_a)

    detail = client_for(cast.village_a).get(f"/pelatihan/{programme.pk}/")
    post = client_for(cast.village_a).post(f"/pelatihan/{programme.pk}/daftar/")

    assert "Masuk dengan NIK dan PIN" in detail.content.decode()
    assert post.status_code == 302
    assert post["Location"].startswith("/masuk/?next=")
    assert registrations_of(cast.village_a, programme) == []


# -- registration from the detail page --------------------------------------------------------


def test_a_resident_registers_and_the_page_says_so(cast, siti):
    programme = make_programme(cast.village_a)

    response = siti.post(f"/pelatihan/{programme.pk}/daftar/", follow=True)

    assert response.status_code == 200
    assert "Anda terdaftar sebagai peserta program ini." in response.content.decode()
    assert registrations_of(cast.village_a, programme) == [(cast.resident_a.pk, "confirmed")]


def test_a_full_programme_offers_the_waiting_list_and_the_response_says_so(cast, siti):
    # given a programme of 1 seat already taken
    programme = make_programme(cast.village_a, capacity=1)
    with tenant_context(cast.village_a):
        other = ResidentFactory()
    connection.set_schema_to_public()
    register_directly(cast.village_a, programme, other)
    assert "Daftar di daftar tunggu" in siti.get(f"/pelatihan/{programme.pk}/").content.decode()

    # when Siti registers
    response = siti.post(f"/pelatihan/{programme.pk}/daftar/", follow=True)

    # then she waits, first in line, and is told so
    page = response.content.decode()
    assert "Anda masuk daftar tunggu (urutan ke-1)" in page
    assert registrations_of(cast.village_a, programme)[-1] == (cast.resident_a.pk, "waiting")


def test_a_resident_outside_the_target_group_is_refused_in_both_languages(cast, siti):
    # given a youth programme (16-30); Siti was born in 1990
    programme = make_programme(cast.village_a, target_group="pemuda")

    response = siti.post(f"/pelatihan/{programme.pk}/daftar/")
    english = siti.post(f"/pelatihan/{programme.pk}/daftar/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Program ini untuk pemuda berusia 16–30 tahun." in response.content.decode()
    assert english.status_code == 400
    assert "This programme is for young people aged 16 to 30." in english.content.decode()
    assert registrations_of(cast.village_a, programme) == []


def test_a_woman_may_register_for_a_programme_for_women(cast, siti):
    programme = make_programme(cast.village_a, target_group="perempuan")

    response = siti.post(f"/pelatihan/{programme.pk}/daftar/")

    assert response.status_code == 302
    assert registrations_of(cast.village_a, programme) == [(cast.resident_a.pk, "confirmed")]


def test_the_api_refuses_a_resident_outside_the_target_group_naming_the_field(cast, siti):
    programme = make_programme(cast.village_a, target_group="lansia")

    response = siti.post(f"/api/village/programmes/{programme.pk}/register/")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("target_group", "target_group_elderly")
    assert error["message_en"] == "This programme is for older people aged 60 and over."
    assert registrations_of(cast.village_a, programme) == []


def test_a_kecamatan_programme_enforces_its_target_group_from_the_village_register(cast):
    # given a programme for women and Budi (male), a resident of B registered by bob
    programme = make_kecamatan_programme(target_group="perempuan")
    with tenant_context(cast.village_b):
        budi = ResidentFactory(full_name="Budi Pratama", sex="L")
    connection.set_schema_to_public()

    response = client_for(cast.village_b, user=cast.bob).post(
        f"/api/village/programmes/kecamatan/{programme.pk}/register/",
        {"resident_id": budi.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "target_group"
    assert not KecamatanRegistration.objects.exists()


def test_an_umkm_programme_takes_residents_with_a_business_in_the_register(cast):
    # given an UMKM programme, a resident with a business, and one without
    programme = make_programme(cast.village_a, target_group="umkm", capacity=5)
    with tenant_context(cast.village_a):
        owner, other = ResidentFactory(), ResidentFactory()
        Business.objects.create(
            owner=owner, name="Keripik", sector="kuliner", whatsapp="6281234567890"
        )
    connection.set_schema_to_public()
    staff = client_for(cast.village_a, user=cast.alice)

    ok = staff.post(f"/kantor/pelatihan/{programme.pk}/daftarkan/", {"resident_id": owner.pk})
    refused = staff.post(f"/kantor/pelatihan/{programme.pk}/daftarkan/", {"resident_id": other.pk})

    assert ok.status_code == 302
    assert refused.status_code == 400
    assert "Program ini untuk pelaku UMKM" in refused.content.decode()
    assert registrations_of(cast.village_a, programme) == [(owner.pk, "confirmed")]


@pytest.mark.parametrize(
    ("group", "person", "allowed"),
    [
        ("semua", Person(sex="L", birth_date=None), True),
        ("perempuan", Person(sex="P", birth_date=None), True),
        ("perempuan", Person(sex="L", birth_date=None), False),
        ("pemuda", Person(sex="L", birth_date=datetime.date(2010, 6, 1)), True),  # 16 today
        ("pemuda", Person(sex="L", birth_date=datetime.date(2010, 6, 2)), False),  # 15
        ("pemuda", Person(sex="L", birth_date=datetime.date(1995, 6, 2)), True),  # 30
        ("pemuda", Person(sex="L", birth_date=datetime.date(1995, 6, 1)), False),  # 31
        ("pemuda", Person(sex="L", birth_date=None), False),
        ("lansia", Person(sex="P", birth_date=datetime.date(1966, 6, 1)), True),  # 60
        ("lansia", Person(sex="P", birth_date=datetime.date(1966, 6, 2)), False),  # 59
        ("umkm", Person(sex="L", birth_date=None, owns_business=True), True),
        ("umkm", Person(sex="L", birth_date=None, occupation="wiraswasta"), True),
        ("umkm", Person(sex="L", birth_date=None, occupation="petani_pekebun"), False),
        ("perangkat", Person(sex="L", birth_date=None, occupation="perangkat_desa"), True),
        ("perangkat", Person(sex="L", birth_date=None, occupation="guru"), False),
    ],
)
def test_target_group_rules(group, person, allowed):
    day = datetime.date(2026, 6, 1)
    if allowed:
        target_group_check(target_group=group, person=person, on_date=day)
    else:
        with pytest.raises(BalaiError) as refused:
            target_group_check(target_group=group, person=person, on_date=day)
        assert refused.value.errors[0].field == "target_group"


# -- the resident's registrations and certificates --------------------------------------------


def test_a_resident_sees_their_registrations_and_cancels_one(cast, siti):
    # given Siti waits for one programme, is registered for another, attended a third
    waiting = make_programme(cast.village_a, title="Kelas menunggu")
    register_directly(cast.village_a, waiting, cast.resident_a, status="waiting")
    confirmed = make_programme(cast.village_a, title="Kelas terdaftar")
    mine = register_directly(cast.village_a, confirmed, cast.resident_a)
    attended = started_programme(cast.village_a, title="Kelas dihadiri")
    register_directly(
        cast.village_a,
        attended,
        cast.resident_a,
        attended_at=timezone.now(),
        certificate_code="kode-sertifikat-uji-1",
    )
    kecamatan = make_kecamatan_programme(title="Kelas kecamatan")
    KecamatanRegistration.objects.create(
        programme=kecamatan,
        village_code="18.08.11.2001",
        resident_id=cast.resident_a.pk,
        display_name="Siti Aminah",
        status="confirmed",
    )

    page = siti.get("/warga/pelatihan/").content.decode()
    cancel = siti.post(f"/warga/pelatihan/{mine.pk}/batal/", follow=True)

    for text in (
        "Kelas menunggu",
        "Daftar tunggu",
        "Kelas terdaftar",
        "Terdaftar",
        "Kelas kecamatan",
    ):
        assert text in page
    assert "Unduh sertifikat (PDF)" in page
    assert "Pendaftaran dibatalkan." in cancel.content.decode()
    with tenant_context(cast.village_a):
        assert Registration.objects.get(pk=mine.pk).status == "cancelled"


def test_a_resident_cannot_cancel_someone_elses_registration(cast, siti):
    programme = make_programme(cast.village_a)
    with tenant_context(cast.village_a):
        other = ResidentFactory()
    connection.set_schema_to_public()
    theirs = register_directly(cast.village_a, programme, other)

    response = siti.post(f"/warga/pelatihan/{theirs.pk}/batal/")

    assert response.status_code == 404
    assert registrations_of(cast.village_a, programme) == [(other.pk, "confirmed")]


def test_a_resident_downloads_only_their_own_certificate(cast, siti):
    programme = started_programme(cast.village_a)
    with tenant_context(cast.village_a):
        other = ResidentFactory()
    connection.set_schema_to_public()
    own = register_directly(
        cast.village_a,
        programme,
        cast.resident_a,
        attended_at=timezone.now(),
        certificate_code="c-own-1",
    )
    theirs = register_directly(
        cast.village_a, programme, other, attended_at=timezone.now(), certificate_code="c-other-1"
    )

    mine = siti.get(f"/warga/pelatihan/{own.pk}/sertifikat/")
    not_mine = siti.get(f"/warga/pelatihan/{theirs.pk}/sertifikat/")
    anonymous = client_for(cast.village_a).get(f"/warga/pelatihan/{own.pk}/sertifikat/")

    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert mine.content.startswith(b"%PDF")
    assert not_mine.status_code == 404
    assert anonymous.status_code == 302


def test_no_certificate_before_attendance(cast, siti):
    programme = make_programme(cast.village_a)
    registration = register_directly(cast.village_a, programme, cast.resident_a)

    response = siti.get(f"/warga/pelatihan/{registration.pk}/sertifikat/")

    assert response.status_code == 404
    assert "Sertifikat hanya untuk peserta yang hadir." in response.content.decode()


# -- staff pages ------------------------------------------------------------------------------


def test_staff_create_a_programme_from_the_page(cast):
    start = timezone.localtime() + datetime.timedelta(days=10)

    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/pelatihan/baru/",
        {
            "title": "Kelas menjahit",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Balai kampung",
            "capacity": "12",
            "target_group": "perempuan",
            "status": "open",
        },
    )

    assert response.status_code == 302
    with tenant_context(cast.village_a):
        programme = Programme.objects.get(title="Kelas menjahit")
    assert (programme.capacity, programme.target_group) == (12, "perempuan")
    assert response["Location"] == f"/kantor/pelatihan/{programme.pk}/"


def test_bad_programme_input_shows_the_field_error_and_writes_nothing(cast):
    start = timezone.localtime() + datetime.timedelta(days=10)

    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/pelatihan/baru/",
        {
            "title": "Kelas tanpa kursi",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "",
            "capacity": "0",
            "target_group": "semua",
            "status": "open",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Kapasitas harus bilangan bulat, paling sedikit 1." in page
    assert "Waktu selesai harus setelah waktu mulai." in page
    assert "Isi tempat atau tautan daring." in page
    with tenant_context(cast.village_a):
        assert not Programme.objects.exists()


def test_staff_edit_a_programme_and_capacity_cannot_drop_below_the_confirmed(cast):
    programme = make_programme(cast.village_a, capacity=2)
    register_directly(cast.village_a, programme, cast.resident_a)
    with tenant_context(cast.village_a):
        register_directly(cast.village_a, programme, ResidentFactory())
    connection.set_schema_to_public()
    client = client_for(cast.village_a, user=cast.alice)
    form = client.get(f"/kantor/pelatihan/{programme.pk}/ubah/")
    data = {
        "title": "Judul baru",
        "starts_at": form.context["form"].initial["starts_at"],
        "ends_at": form.context["form"].initial["ends_at"],
        "place": "Balai kampung",
        "capacity": "1",
        "target_group": "semua",
        "status": "open",
    }

    refused = client.post(f"/kantor/pelatihan/{programme.pk}/ubah/", data)
    saved = client.post(f"/kantor/pelatihan/{programme.pk}/ubah/", {**data, "capacity": "3"})

    assert refused.status_code == 400
    assert "kapasitas tidak boleh lebih kecil" in refused.content.decode()
    assert saved.status_code == 302
    with tenant_context(cast.village_a):
        assert Programme.objects.get(pk=programme.pk).capacity == 3


def test_staff_find_a_resident_by_nik_and_register_them_on_their_behalf(cast):
    programme = make_programme(cast.village_a, capacity=1)
    client = client_for(cast.village_a, user=cast.alice)

    found = client.get(
        f"/kantor/pelatihan/{programme.pk}/",
        {"q": cast.resident_a_nik[:10]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="resident-results",
    )
    registered = client.post(
        f"/kantor/pelatihan/{programme.pk}/daftarkan/",
        {"resident_id": cast.resident_a.pk},
        follow=True,
    )

    assert found.status_code == 200
    assert "Siti Aminah" in found.content.decode()
    assert "<html" not in found.content.decode()  # the partial only
    assert "Siti Aminah terdaftar." in registered.content.decode()
    with tenant_context(cast.village_a):
        registration = Registration.objects.get(programme=programme)
        # the search is audited without the searched NIK
        entry = AuditEntry.objects.filter(object_type="resident", action="list").latest("id")
    assert registration.registered_by_id == cast.alice.pk
    assert entry.detail["filters"] == {"searched_by": ["nik"]}
    assert cast.resident_a_nik[:10] not in str(entry.detail)


def test_staff_registering_an_unknown_resident_get_a_field_error(cast):
    programme = make_programme(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pelatihan/{programme.pk}/daftarkan/", {"resident_id": "abc"}
    )

    assert response.status_code == 400
    assert "Pilih warga dari daftar penduduk desa ini." in response.content.decode()
    assert registrations_of(cast.village_a, programme) == []


def test_staff_take_attendance_with_htmx_and_certificates_are_issued(cast):
    programme = started_programme(cast.village_a)
    registration = register_directly(cast.village_a, programme, cast.resident_a)
    client = client_for(cast.village_a, user=cast.alice)

    response = client.post(
        f"/kantor/pelatihan/{programme.pk}/kehadiran/",
        {"registration_ids": [registration.pk]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="attendance",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="attendance">')
    assert f"/kantor/pelatihan/pendaftaran/{registration.pk}/sertifikat/" in page
    with tenant_context(cast.village_a):
        registration.refresh_from_db()
    assert registration.attended_at is not None and registration.certificate_code
    pdf = client.get(f"/kantor/pelatihan/pendaftaran/{registration.pk}/sertifikat/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_attendance_of_a_waiting_person_is_refused_and_nothing_is_marked(cast):
    programme = started_programme(cast.village_a, capacity=1)
    confirmed = register_directly(cast.village_a, programme, cast.resident_a)
    with tenant_context(cast.village_a):
        other = ResidentFactory()
    connection.set_schema_to_public()
    waiting = register_directly(cast.village_a, programme, other, status="waiting")

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pelatihan/{programme.pk}/kehadiran/",
        {"registration_ids": [confirmed.pk, waiting.pk]},
    )

    assert response.status_code == 400
    assert "Hanya peserta terdaftar" in response.content.decode()
    with tenant_context(cast.village_a):
        assert not Registration.objects.filter(attended_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("resident", 403), ("bob", 403), ("carol", 403)],
)
def test_only_staff_of_the_village_take_attendance_or_register_for_others(cast, who, expected):
    programme = started_programme(cast.village_a)
    registration = register_directly(cast.village_a, programme, cast.resident_a)
    if who == "resident":
        client = resident_client(cast.village_a, cast.resident_a_nik)
    else:
        client = client_for(cast.village_a, user=None if who == "anonymous" else getattr(cast, who))

    attendance = client.post(
        f"/kantor/pelatihan/{programme.pk}/kehadiran/", {"registration_ids": [registration.pk]}
    )
    register = client.post(
        f"/kantor/pelatihan/{programme.pk}/daftarkan/", {"resident_id": cast.resident_a.pk}
    )
    certificate = client.get(f"/kantor/pelatihan/pendaftaran/{registration.pk}/sertifikat/")

    assert (attendance.status_code, register.status_code, certificate.status_code) == (
        expected,
        expected,
        expected,
    )
    with tenant_context(cast.village_a):
        registration.refresh_from_db()
        assert Registration.objects.filter(programme=programme).count() == 1
    assert registration.attended_at is None


def test_the_staff_dashboard_links_the_programmes_page(cast):
    page = client_for(cast.village_a, user=cast.alice).get("/kantor/").content.decode()

    assert 'href="/kantor/pelatihan/"' in page


def test_the_materials_page_groups_by_topic_and_explains_self_service(cast):
    LearningMaterial.objects.create(
        title="Mengenal penipuan daring",
        topic="literasi_digital",
        kind="video",
        url="https://example.org/penipuan",
    )
    with tenant_context(cast.village_a):
        VillageMaterial.objects.create(
            title="Menanam singkong unggul",
            topic="pertanian",
            kind="panduan",
            url="https://example.org/singkong",
        )
    connection.set_schema_to_public()

    everything = client_for(cast.village_a).get("/materi/").content.decode()
    farming = client_for(cast.village_a).get("/materi/", {"topic": "pertanian"}).content.decode()

    assert "Mengenal penipuan daring" in everything
    assert "Menanam singkong unggul" in everything
    assert "Cara memakai layanan mandiri Balai" in everything
    assert "Mengenal penipuan daring" not in farming
    assert "Menanam singkong unggul" in farming


def test_staff_cancel_a_registration_and_the_first_waiting_person_moves_up(cast):
    # given a full programme of 1 seat: Siti has it, another resident waits
    programme = make_programme(cast.village_a, capacity=1)
    seat = register_directly(cast.village_a, programme, cast.resident_a)
    with tenant_context(cast.village_a):
        other = ResidentFactory(full_name="Rahmat Hidayat")
    connection.set_schema_to_public()
    register_directly(cast.village_a, programme, other, status="waiting")

    # when staff cancel Siti's seat
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pelatihan/pendaftaran/{seat.pk}/batal/", follow=True
    )

    # then the waiting resident has the seat, and the page says so
    page = response.content.decode()
    assert "Pendaftaran Siti Aminah dibatalkan." in page
    assert "Rahmat Hidayat naik dari daftar tunggu dan kini terdaftar." in page
    assert registrations_of(cast.village_a, programme) == [
        (cast.resident_a.pk, "cancelled"),
        (other.pk, "confirmed"),
    ]


@pytest.mark.parametrize(
    ("who", "host", "expected"),
    [
        ("anonymous", "a", 302),
        ("alice", "a", 403),
        ("carol", "a", 403),
        ("bob", "b", 403),
        # A's resident session means nothing on B's host: sent to sign in there.
        ("resident", "b", 302),
    ],
)
def test_resident_actions_refuse_everyone_but_the_resident(cast, who, host, expected):
    village = cast.village_a if host == "a" else cast.village_b
    programme = make_programme(village)
    seat = register_directly(cast.village_a, make_programme(cast.village_a), cast.resident_a)
    if who == "resident":
        client = resident_client(cast.village_a, cast.resident_a_nik)
        client.defaults["HTTP_HOST"] = client_for(cast.village_b).defaults["HTTP_HOST"]
    else:
        client = client_for(village, user=None if who == "anonymous" else getattr(cast, who))

    register = client.post(f"/pelatihan/{programme.pk}/daftar/")
    cancel = client.post(f"/warga/pelatihan/{seat.pk}/batal/")
    mine = client.get("/warga/pelatihan/")

    assert (register.status_code, cancel.status_code, mine.status_code) == (
        expected,
        expected,
        expected,
    )
    assert registrations_of(village, programme) == []
    with tenant_context(cast.village_a):
        assert Registration.objects.get(pk=seat.pk).status == "confirmed"


def test_the_programme_list_takes_a_fixed_number_of_queries(cast):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_for(cast.village_a).get("/pelatihan/").status_code == 200
        # Switching schemas (SET search_path) depends on what ran before, not on the page.
        return sum(not q["sql"].startswith("SET ") for q in captured.captured_queries)

    make_programme(cast.village_a)
    make_kecamatan_programme()
    queries_for_list()  # warms the host routing cache
    few = queries_for_list()
    for _ in range(4):
        make_programme(cast.village_a)
        make_kecamatan_programme()

    assert queries_for_list() == few
