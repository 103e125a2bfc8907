"""The population-register pages: the resident list and its search, a resident's detail
(audited), registering and correcting people, population events, families, the import
wizard through a real worker, and a resident's own data."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from balai.errors import BalaiError
from services.audit.models import AuditEntry
from services.imports import selectors as job_selectors
from services.imports.models import ImportJob, ImportMode
from services.imports.tasks import export_job_run
from services.residents import services
from services.residents.models import Family, PopulationEvent, Resident
from services.village.models import Area
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import ResidentFactory, make_nik
from tests.test_import_residents import person, register_csv
from tests.test_import_worker import committed

pytestmark = pytest.mark.django_db

KK_A = "1808110101200101"
KK_B = "1808110101200102"


@pytest.fixture
def register(cast):
    """Village A: Dusun I / RW 001 / RT 002, a family of three on KK_A, someone else on
    KK_B, and a person who died."""
    with schema_context(cast.village_a.schema_name):
        dusun = Area.objects.create(level="dusun", name="Dusun I")
        rw = Area.objects.create(level="rw", name="001", parent=dusun)
        rt = Area.objects.create(level="rt", name="002", parent=rw)
        other_rt = Area.objects.create(
            level="rt",
            name="001",
            parent=Area.objects.create(
                level="rw", name="002", parent=Area.objects.create(level="dusun", name="Dusun II")
            ),
        )
        family = services.family_create(actor=None, kk_number=KK_A, rt=rt)
        other_family = services.family_create(actor=None, kk_number=KK_B, rt=other_rt)
        head = services.resident_create(
            actor=None,
            data={
                "nik": make_nik(birth=datetime.date(1980, 1, 2)),
                "full_name": "Ahmad Fauzi",
                "birth_date": datetime.date(1980, 1, 2),
                "sex": "L",
                "family": family,
                "family_relation": "kepala_keluarga",
                "rt": rt,
            },
            arrival_date=datetime.date(2020, 1, 1),
        )
        wife = ResidentFactory(
            full_name="Rina Fauzi", sex="P", family=family, family_relation="istri", rt=rt
        )
        child = ResidentFactory(
            full_name="Dewi Fauzi", sex="P", family=family, family_relation="anak", rt=rt
        )
        neighbour = ResidentFactory(
            full_name="Joko Tetangga", family=other_family, family_relation="kepala_keluarga",
            rt=other_rt,
        )  # fmt: skip
        dead = ResidentFactory(full_name="Mbah Karto", status="mati", rt=other_rt)
    return {
        "dusun": dusun, "rw": rw, "rt": rt, "family": family, "other_family": other_family,
        "head": head, "wife": wife, "child": child, "neighbour": neighbour, "dead": dead,
    }  # fmt: skip


def _audit(cast, **filters) -> list[AuditEntry]:
    with schema_context(cast.village_a.schema_name):
        return list(AuditEntry.objects.filter(**filters))


def _names(response) -> list[str]:
    return [r.full_name for r in response.context["page"].object_list]


# -- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_register_and_filters_by_status_sex_and_area(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    everyone = client.get("/kantor/penduduk/")
    assert everyone.status_code == 200
    assert "Ahmad Fauzi" in everyone.content.decode()
    assert set(_names(everyone)) >= {"Ahmad Fauzi", "Mbah Karto", "Siti Aminah"}
    assert _names(client.get("/kantor/penduduk/?status=mati")) == ["Mbah Karto"]
    women = _names(client.get("/kantor/penduduk/?sex=P&area=dusun:" + str(register["dusun"].pk)))
    assert women == ["Dewi Fauzi", "Rina Fauzi"]
    in_rt = _names(client.get(f"/kantor/penduduk/?area=rt:{register['rt'].pk}"))
    assert in_rt == ["Ahmad Fauzi", "Dewi Fauzi", "Rina Fauzi"]
    in_rw = _names(client.get(f"/kantor/penduduk/?area=rw:{register['rw'].pk}"))
    assert in_rw == in_rt


def test_search_as_you_type_answers_with_the_rows_alone(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    # by name: htmx asks for the results target only
    response = client.get(
        "/kantor/penduduk/?q=fauzi",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="resident-results",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert "Ahmad Fauzi" in html and "Joko Tetangga" not in html
    # by NIK (its first digits) and by KK number
    nik = register["neighbour"].nik
    assert _names(client.get(f"/kantor/penduduk/?q={nik}")) == ["Joko Tetangga"]
    assert _names(client.get(f"/kantor/penduduk/?kk={KK_B}")) == ["Joko Tetangga"]
    assert len(_names(client.get("/kantor/penduduk/?kk=18081101012001"))) == 4
    # a KK searched with letters is named as the problem; the other filters still apply
    bad = client.get("/kantor/penduduk/?kk=abc&status=mati")
    assert _names(bad) == ["Mbah Karto"]
    assert "Pencarian No. KK hanya dengan angka." in bad.content.decode()


def test_every_list_request_is_audited_without_the_searched_values(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    nik = register["neighbour"].nik
    client.get(f"/kantor/penduduk/?q={nik}&status=hidup")
    (entry,) = _audit(cast, action="list", object_type="resident")
    assert entry.detail["filters"] == {"status": "hidup", "searched_by": ["nik"]}
    assert entry.detail["returned"] == 1
    assert nik not in str(entry.detail)


def test_fifty_rows_a_page_in_well_under_100_kb(cast):
    with schema_context(cast.village_a.schema_name):
        ResidentFactory.create_batch(55, address="Jl. Lintas Sumatra Km 12, dekat masjid")
    client = client_for(cast.village_a, user=cast.alice)
    first = client.get("/kantor/penduduk/")
    second = client.get("/kantor/penduduk/?page=2")
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 6  # 55 + Siti Aminah
    assert len(first.content) < 100 * 1024
    assert "Halaman 1 dari 2" in first.content.decode()


def test_the_list_takes_the_same_queries_for_5_or_50_rows(cast):
    client = client_for(cast.village_a, user=cast.alice)
    client.get("/kantor/penduduk/")  # warm the session and routing caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/kantor/penduduk/").status_code == 200
        return len(captured)

    with schema_context(cast.village_a.schema_name):
        ResidentFactory.create_batch(4)
    few = queries()
    with schema_context(cast.village_a.schema_name):
        ResidentFactory.create_batch(50)
    assert queries() == few
    assert few <= 12


# -- the detail -----------------------------------------------------------------------------


def test_the_detail_shows_the_family_and_history_and_is_audited(cast, register):
    head = register["head"]
    client = client_for(cast.village_a, user=cast.alice)
    response = client.get(f"/kantor/penduduk/{head.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert head.nik in html and KK_A in html
    assert "Rina Fauzi" in html and "Dewi Fauzi" in html and "Joko Tetangga" not in html
    assert "Pendataan awal" in html and "01-01-2020" in html
    (entry,) = _audit(cast, action="view", object_type="resident", object_id=str(head.pk))
    assert entry.actor_id == cast.alice.pk


def test_another_villages_staff_cannot_reach_a_resident_by_id(cast, register):
    client = client_for(cast.village_b, user=cast.bob)
    assert client.get(f"/kantor/penduduk/{register['head'].pk}/").status_code == 404


# -- registering and correcting -------------------------------------------------------------


def _person_form(**overrides) -> dict[str, str]:
    data = {
        "arrival": "pendataan", "nik": make_nik(birth=datetime.date(1995, 7, 8)),
        "full_name": "Bayu Saputra", "birth_date": "1995-07-08", "sex": "L",
        "citizenship": "wni", "residence": "tetap",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_staff_register_a_person_on_a_family_card(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        "/kantor/penduduk/baru/",
        _person_form(kk_number=KK_A, family_relation="anak", rt=str(register["rt"].pk)),
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        bayu = Resident.objects.get(full_name="Bayu Saputra")
        assert (bayu.family_id, bayu.rt_id) == (register["family"].pk, register["rt"].pk)
        assert list(bayu.events.values_list("kind", flat=True)) == ["pendataan"]
    assert response["Location"] == f"/kantor/penduduk/{bayu.pk}/"


def test_registering_a_birth_dates_it_on_the_birth_date_and_a_newborn_gets_a_temporary_id(cast):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        "/kantor/penduduk/baru/",
        _person_form(arrival="lahir", nik="", full_name="Bayi Baru", birth_date="2026-01-05"),
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        baby = Resident.objects.get(full_name="Bayi Baru")
        event = baby.events.get()
    assert baby.has_temporary_nik
    assert (event.kind, event.event_date) == ("lahir", datetime.date(2026, 1, 5))


def test_a_bad_nik_and_an_unknown_kk_are_field_errors_and_nothing_is_written(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    with schema_context(cast.village_a.schema_name):
        before = Resident.objects.count()
    response = client.post(
        "/kantor/penduduk/baru/", _person_form(nik="0123", full_name="Salah Nik")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["nik"]
    response = client.post("/kantor/penduduk/baru/", _person_form(kk_number="1808119999999999"))
    assert response.status_code == 400
    assert "belum terdaftar" in response.context["form"].errors["kk_number"][0]
    with schema_context(cast.village_a.schema_name):
        assert Resident.objects.count() == before


def test_editing_with_bad_input_answers_400_on_the_field_and_writes_nothing(cast, register):
    wife = register["wife"]
    client = client_for(cast.village_a, user=cast.alice)
    form = client.get(f"/kantor/penduduk/{wife.pk}/ubah/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(full_name="Rina Baru", nik=register["neighbour"].nik)  # somebody else's NIK
    data["acknowledge_warnings"] = ""
    response = client.post(f"/kantor/penduduk/{wife.pk}/ubah/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["nik"] == ["NIK ini sudah terdaftar di desa ini."]
    assert 'aria-invalid="true"' in response.content.decode()
    with schema_context(cast.village_a.schema_name):
        wife.refresh_from_db()
    assert wife.full_name == "Rina Fauzi"
    assert _audit(cast, action="update") == []
    # then, corrected, it saves and is audited
    data["nik"] = wife.nik
    response = client.post(f"/kantor/penduduk/{wife.pk}/ubah/", data)
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        wife.refresh_from_db()
    assert wife.full_name == "Rina Baru"
    (entry,) = _audit(cast, action="update", object_id=str(wife.pk))
    assert entry.fields == ["full_name"]


def test_errors_are_shown_in_english_after_the_language_switch(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/kantor/"})
    response = client.post("/kantor/penduduk/baru/", _person_form(nik="0123"))
    assert response.status_code == 400
    assert "The NIK must have 16 digits" in response.context["form"].errors["nik"][0]
    assert "Register a resident" in response.content.decode()


# -- population events ----------------------------------------------------------------------


def test_recording_a_death_changes_the_status_and_the_history(cast, register):
    head = register["head"]
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        f"/kantor/penduduk/{head.pk}/peristiwa/",
        {"kind": "mati", "event_date": "2026-02-01", "note": "sakit"},
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        head.refresh_from_db()
        kinds = list(head.events.values_list("kind", flat=True))
    assert head.status == "mati"
    assert kinds == ["pendataan", "mati"]
    assert "Meninggal" in client.get(f"/kantor/penduduk/{head.pk}/").content.decode()


def test_an_event_that_does_not_fit_is_a_field_error_and_nothing_is_recorded(cast, register):
    head, dead = register["head"], register["dead"]
    client = client_for(cast.village_a, user=cast.alice)
    # before the person's latest event
    response = client.post(
        f"/kantor/penduduk/{head.pk}/peristiwa/",
        {"kind": "pindah_keluar", "event_date": "2019-01-01"},
    )
    assert response.status_code == 400
    assert response.context["event_form"].errors["event_date"]
    # a death of someone already dead
    response = client.post(
        f"/kantor/penduduk/{dead.pk}/peristiwa/", {"kind": "mati", "event_date": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "tidak bisa dicatat" in response.context["event_form"].errors["kind"][0]
    with schema_context(cast.village_a.schema_name):
        assert PopulationEvent.objects.filter(resident__in=[head, dead]).count() == 1
        head.refresh_from_db()
    assert head.status == "hidup"


# -- families -------------------------------------------------------------------------------


def test_the_family_list_and_detail_show_cards_heads_and_members(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    listing = client.get("/kantor/keluarga/")
    html = listing.content.decode()
    assert KK_A in html and KK_B in html and "Ahmad Fauzi" in html
    assert [f.member_count for f in listing.context["page"].object_list] == [3, 1]
    assert [f.kk_number for f in client.get(f"/kantor/keluarga/?kk={KK_B}").context["page"]] == [
        KK_B
    ]
    family = register["family"]
    detail = client.get(f"/kantor/keluarga/{family.pk}/").content.decode()
    assert "Rina Fauzi" in detail and "Istri" in detail and "Joko Tetangga" not in detail
    assert _audit(cast, action="view", object_type="family", object_id=str(family.pk))


def test_a_new_family_card_is_checked_by_the_service(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post("/kantor/keluarga/baru/", {"kk_number": KK_A})
    assert response.status_code == 400
    assert response.context["family_form"].errors["kk_number"]
    response = client.post("/kantor/keluarga/baru/", {"kk_number": "1808110101200199"})
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Family.objects.filter(kk_number="1808110101200199").exists()


def test_staff_put_a_person_on_a_family_card(cast, register):
    family, dead = register["other_family"], register["dead"]
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        f"/kantor/keluarga/{family.pk}/anggota/", {"nik": "1808119999999999", "relation": "anak"}
    )
    assert response.status_code == 400
    assert response.context["member_form"].errors["nik"]
    response = client.post(
        f"/kantor/keluarga/{family.pk}/anggota/", {"nik": dead.nik, "relation": "orang_tua"}
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        dead.refresh_from_db()
    assert (dead.family_id, dead.family_relation) == (family.pk, "orang_tua")


# -- a resident's own data ------------------------------------------------------------------


def test_a_resident_sees_their_own_data_and_only_their_own_family(cast, register):
    with schema_context(cast.village_a.schema_name):
        services.family_add_member(
            actor=None, family=register["family"], resident=cast.resident_a, relation="famili_lain"
        )
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    response = client.get("/warga/data/")
    html = response.content.decode()
    assert response.status_code == 200
    assert cast.resident_a_nik in html and KK_A in html
    assert "Ahmad Fauzi" in html and "Rina Fauzi" in html
    assert "Joko Tetangga" not in html and KK_B not in html
    # other members' NIKs are not shown to them
    assert register["wife"].nik not in html
    assert _audit(cast, actor_kind="resident", action="view", object_type="resident")
    # and a resident cannot open the staff pages
    assert client.get(f"/kantor/penduduk/{register['wife'].pk}/").status_code == 403


# -- refused actions ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "bob", "carol", "resident"])
def test_register_actions_are_refused_to_others_and_change_nothing(cast, register, who):
    head, family = register["head"], register["family"]
    host = cast.village_b if who == "bob" else cast.village_a
    client = client_for(host, user=None if who in ("anonymous", "resident") else getattr(cast, who))
    if who == "resident":
        client.post(
            "/masuk/",
            {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
        )
    posts = [
        (f"/kantor/penduduk/{head.pk}/peristiwa/", {"kind": "mati", "event_date": "2026-01-01"}),
        (f"/kantor/penduduk/{head.pk}/ubah/", {"full_name": "Diganti", "sex": "L"}),
        (f"/kantor/penduduk/{head.pk}/setujui-nik/", {}),
        ("/kantor/penduduk/baru/", _person_form()),
        ("/kantor/keluarga/baru/", {"kk_number": "1808110101200198"}),
        (f"/kantor/keluarga/{family.pk}/anggota/", {"nik": head.nik, "relation": "anak"}),
        ("/kantor/impor/ekspor/", {}),
    ]
    if who == "bob":
        # Staff of B act in B: only A's objects, reached by id, are someone else's.
        posts = [
            (path, data) for path, data in posts if f"/{head.pk}/" in path or "anggota" in path
        ]
    for path, data in posts:
        response = client.post(path, data)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/masuk/")
        elif who == "bob":
            assert response.status_code == 404, path
        else:
            assert response.status_code == 403, path
    with schema_context(cast.village_a.schema_name):
        head.refresh_from_db()
        assert (head.status, head.full_name) == ("hidup", "Ahmad Fauzi")
        assert not Resident.objects.filter(full_name="Bayu Saputra").exists()
        assert not Family.objects.filter(kk_number="1808110101200198").exists()
        assert not ImportJob.objects.exists()


# -- import and export ----------------------------------------------------------------------


def test_the_import_page_offers_the_templates_and_refuses_a_file_that_is_not_a_register(cast):
    client = client_for(cast.village_a, user=cast.alice)
    page = client.get("/kantor/impor/").content.decode()
    assert "/kantor/impor/templat.xlsx" in page and "/kantor/impor/templat.csv" in page
    template = client.get("/kantor/impor/templat.csv")
    assert template.status_code == 200 and b"nik,nama" in template.content
    assert client.get("/kantor/impor/templat.xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    response = client.post(
        "/kantor/impor/",
        {"file": SimpleUploadedFile("foto.csv", b"ini,bukan\n1,2\n"), "mode": "all_or_nothing"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    with schema_context(cast.village_a.schema_name):
        assert not ImportJob.objects.exists()


def _wait_over(schema: str, job_id: int, worker, timeout: float = 60.0) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context(schema):
            job = ImportJob.objects.get(pk=job_id)
        if job.is_over:
            return job
        time.sleep(0.3)
    raise AssertionError(f"the job did not finish; worker log:\n{worker.log()}")


@pytest.mark.worker
def test_an_import_with_bad_rows_runs_in_the_worker_and_shows_the_per_row_report(cast, live_worker):
    rows = [person(nama=f"Impor {i}", no_kk="") for i in range(5)]
    for row in rows:
        row["hubungan_keluarga"] = ""
    rows[1]["tanggal_lahir"] = "2999-01-01"
    rows[3]["jenis_kelamin"] = "X"
    schema = cast.village_a.schema_name
    job_ids: list[int] = []

    def upload():
        return client_for(cast.village_a, user=cast.alice).post(
            "/kantor/impor/",
            {
                "file": SimpleUploadedFile("penduduk.csv", register_csv(rows)),
                "mode": ImportMode.ALL_OR_NOTHING,
            },
        )

    def cleanup():
        with schema_context(schema):
            ImportJob.objects.filter(pk__in=job_ids).delete()
            AuditEntry.objects.filter(object_type="import_job").delete()

    try:
        # given an upload through the page, committed for the worker to see
        response = committed(upload)
        assert response.status_code == 302
        job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        job_ids.append(job_id)
        client = client_for(cast.village_a, user=cast.alice)
        page = client.get(f"/kantor/impor/{job_id}/").content.decode()
        if "every 2s" not in page:  # the worker may already be done
            assert "Laporan per baris" in page
        # when the worker has run it
        _wait_over(schema, job_id, live_worker)
        polled = client.get(f"/kantor/impor/{job_id}/", HTTP_HX_REQUEST="true")
        html = polled.content.decode()
        # then the polled partial stops polling and shows the report by row and field
        assert "every 2s" not in html and "<html" not in html
        assert "2 baris salah; tidak ada yang diimpor" in html
        report = polled.context["job"].report
        assert {(e["row"], e["field"]) for e in report if e["level"] == "error"} == {
            (3, "tanggal_lahir"),
            (5, "jenis_kelamin"),
        }
        assert '<td class="num">3</td><td>tanggal_lahir</td>' in html
        with schema_context(schema):
            assert not Resident.objects.filter(full_name__startswith="Impor ").exists()
    finally:
        committed(cleanup)


def test_an_xlsx_export_polls_its_job_and_ends_with_a_download(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    # when the export is asked for, a job is queued and its page polls it
    response = client.post("/kantor/impor/ekspor/")
    assert response.status_code == 302
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    queued = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in queued
    assert f"/kantor/impor/{job_id}/unduh/" not in queued
    assert client.get(f"/kantor/impor/{job_id}/unduh/").status_code == 404
    # then, once the task has run, the partial stops polling and offers the file
    with schema_context(cast.village_a.schema_name):
        export_job_run.apply(kwargs={"job_id": job_id})
    done = client.get(f"/kantor/impor/{job_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in done and f"/kantor/impor/{job_id}/unduh/" in done
    download = client.get(f"/kantor/impor/{job_id}/unduh/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="penduduk-')
    assert _audit(cast, action="export", detail__download=True)


def test_the_csv_export_streams_the_register_and_is_audited(cast, register):
    response = client_for(cast.village_a, user=cast.alice).get("/kantor/penduduk/ekspor.csv")
    body = b"".join(response.streaming_content).decode()
    assert body.lstrip("\ufeff").startswith("nik,nama,no_kk")
    assert "Ahmad Fauzi" in body and "Budi Santoso" not in body
    assert _audit(cast, action="export", detail__format="csv")


def test_a_nik_that_disagrees_with_the_birth_date_needs_the_acknowledgement(cast):
    client = client_for(cast.village_a, user=cast.alice)
    odd = _person_form(nik=make_nik(birth=datetime.date(1970, 1, 1)), full_name="Nik Aneh")
    # when: posted without the acknowledgement, the warning is the NIK field's error
    response = client.post("/kantor/penduduk/baru/", odd)
    assert response.status_code == 400
    assert response.context["form"].errors["nik"]
    with schema_context(cast.village_a.schema_name):
        assert not Resident.objects.filter(full_name="Nik Aneh").exists()
    # then: acknowledged, it is kept so
    response = client.post("/kantor/penduduk/baru/", {**odd, "acknowledge_warnings": "on"})
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Resident.objects.get(full_name="Nik Aneh").nik_warning_acknowledged


def test_a_job_is_reached_only_on_its_own_villages_host(cast):
    with schema_context(cast.village_a.schema_name):
        job = ImportJob.objects.create(kind="resident_export", report=[{"row": 2}])
        assert job_selectors.import_job_get(job_id=job.pk) == job
        assert [j.pk for j in job_selectors.import_jobs_recent()] == [job.pk]
    with schema_context(cast.village_b.schema_name), pytest.raises(BalaiError) as refused:
        job_selectors.import_job_get(job_id=job.pk)
    assert refused.value.status == 404
    assert (
        client_for(cast.village_b, user=cast.bob).get(f"/kantor/impor/{job.pk}/").status_code == 404
    )
    assert (
        client_for(cast.village_a, user=cast.alice).get(f"/kantor/impor/{job.pk}/").status_code
        == 200
    )


def test_a_birth_from_a_family_page_comes_with_its_card_filled_in(cast, register):
    client = client_for(cast.village_a, user=cast.alice)
    family = register["family"]
    detail = client.get(f"/kantor/keluarga/{family.pk}/").content.decode()
    assert f"/kantor/penduduk/baru/?arrival=lahir&amp;kk_number={KK_A}" in detail
    form = client.get(f"/kantor/penduduk/baru/?arrival=lahir&kk_number={KK_A}").context["form"]
    assert (form["arrival"].value(), form["kk_number"].value()) == ("lahir", KK_A)
    assert form["family_relation"].value() == "anak"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("alice", 200), ("anonymous", 302), ("carol", 403), ("resident", 403), ("bob", 404)],
)
def test_the_record_pages_open_only_for_the_villages_own_staff(cast, register, who, expected):
    with schema_context(cast.village_a.schema_name):
        job = ImportJob.objects.create(kind="resident_export")
    host = cast.village_b if who == "bob" else cast.village_a
    user = getattr(cast, who) if who in ("alice", "bob", "carol") else None
    client = client_for(host, user=user)
    if who == "resident":
        client.post(
            "/masuk/",
            {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
        )
    head, family = register["head"], register["family"]
    for path in (
        f"/kantor/penduduk/{head.pk}/",
        f"/kantor/penduduk/{head.pk}/ubah/",
        f"/kantor/keluarga/{family.pk}/",
        f"/kantor/impor/{job.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert response["Location"].startswith("/masuk/?next=")
    if who != "alice":
        assert _audit(cast, action="view") == []
