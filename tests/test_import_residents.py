"""Importing the resident register: rows checked and reported, written all at once.

These run the import task eagerly (``.apply()``) inside the test's transaction; the
real-worker path is in test_import_worker.py, the HTTP API in test_import_api.py.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging

import pytest
from django_tenants.utils import schema_context
from openpyxl import Workbook

from services.imports import services
from services.imports.models import ImportJob, ImportMode, JobFile, JobStatus
from services.imports.tasks import import_job_run
from services.residents import importing
from services.residents.import_template import COLUMN_KEYS
from services.residents.models import Family, PopulationEvent, Resident
from services.village.models import Area
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

KK_1 = "1808110101200001"
KK_2 = "1808110101200002"


@pytest.fixture(autouse=True)
def _celery_trace_logs_off(caplog):
    # balai.logging_filters turns Celery's mapping log arguments into a tuple, which breaks
    # the formatting of "Task ... succeeded" under pytest (fixed on main, not merged here).
    caplog.set_level(logging.WARNING, logger="celery.app.trace")


def person(**overrides: object) -> dict[str, object]:
    """One register row as the template names its columns; a consistent NIK by default."""
    birth = overrides.pop("birth", datetime.date(1985, 3, 9))
    female = overrides.get("jenis_kelamin", "L") == "P"
    row: dict[str, object] = {
        "nik": make_nik(birth=birth, female=female),
        "nama": "Ahmad Fauzi",
        "no_kk": KK_1,
        "hubungan_keluarga": "Kepala keluarga",
        "tempat_lahir": "Blambangan Umpu",
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": "L",
        "agama": "Islam",
        "pendidikan": "SLTA/sederajat",
        "pekerjaan": "Petani/pekebun",
        "status_perkawinan": "Kawin",
        "kewarganegaraan": "WNI",
        "golongan_darah": "O",
        "dusun": "Dusun I",
        "rw": "001",
        "rt": "002",
        "alamat": "Jl. Lintas Sumatra",
        "telepon": "081234567890",
    }
    row.update(overrides)
    return row


def register_csv(
    rows: list[dict[str, object]], *, delimiter: str = ",", bom: bool = False
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    for row in rows:
        writer.writerow([row.get(key, "") for key in COLUMN_KEYS])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def register_xlsx(rows: list[dict[str, object]], *, header=COLUMN_KEYS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(key) for key in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(
    village,
    content: bytes,
    *,
    name: str = "penduduk.csv",
    mode: str = ImportMode.ALL_OR_NOTHING,
    actor=None,
    force: bool = False,
) -> ImportJob:
    """Queue an import as the API does, then run its task eagerly in the village."""
    job, created = services.resident_import_start(
        actor=actor, name=name, content=content, mode=mode, force=force
    )
    if created:
        import_job_run.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    return job


def errors_of(job: ImportJob) -> set[tuple[int, str, str]]:
    return {(e["row"], e["field"], e["code"]) for e in job.report if e["level"] == "error"}


def test_a_clean_file_creates_people_families_areas_and_registration_events(cast):
    # given a family of three and a single person in another family
    rows = [
        person(nama="Ahmad Fauzi"),
        person(nama="Siti Rahma", jenis_kelamin="P", hubungan_keluarga="Istri"),
        person(nama="Rudi", hubungan_keluarga="Anak", birth=datetime.date(2010, 1, 2)),
        person(nama="Wayan", no_kk=KK_2, agama="Hindu", dusun="Dusun II", rw="1", rt="1"),
    ]
    with schema_context(cast.village_a.schema_name):
        # when
        job = run_import(cast.village_a, register_csv(rows), actor=cast.alice)
        # then
        assert job.status == JobStatus.FINISHED
        assert (job.total, job.done, job.created_count, job.error_rows) == (4, 4, 4, 0)
        family = Family.objects.get(kk_number=KK_1)
        assert family.members.count() == 3
        assert family.head.full_name == "Ahmad Fauzi"
        wayan = Resident.objects.get(full_name="Wayan")
        assert wayan.religion == "hindu"
        # "1" and "001" are the same RT: the names are kept in one spelling
        assert (wayan.rt.name, wayan.rt.parent.name, wayan.rt.parent.parent.name) == (
            "001",
            "001",
            "Dusun II",
        )
        assert Area.objects.filter(level="dusun", name="Dusun I").count() == 1
        events = PopulationEvent.objects.filter(resident__full_name__in=[r["nama"] for r in rows])
        assert {e.kind for e in events} == {"pendataan"} and events.count() == 4
        assert {e.recorded_by_id for e in events} == {cast.alice.pk}
        # the upload, personal data, is not kept once the import has run
        assert not JobFile.objects.filter(job=job).exists()


def test_reference_values_are_read_as_codes_or_labels_in_any_case(cast):
    rows = [
        person(agama="ISLAM", pendidikan="slta/sederajat", status_perkawinan="KAWIN"),
        person(
            agama="katholik",
            pendidikan="Tamat SD / Sederajat",
            status_perkawinan="cerai_mati",
            hubungan_keluarga="ORANGTUA",
            jenis_kelamin="Perempuan",
            golongan_darah="ab+",
            kewarganegaraan="",
            pekerjaan="PEGAWAI NEGERI SIPIL (PNS)",
        ),
        person(agama="buddha", pendidikan="Diploma IV/Strata I", hubungan_keluarga="anak"),
    ]
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv(rows))
        assert job.status == JobStatus.FINISHED, job.report
        stored = {r.nik: r for r in Resident.objects.filter(nik__in=[row["nik"] for row in rows])}
        first, second, third = (stored[row["nik"]] for row in rows)
    assert (first.religion, first.education, first.marital_status) == ("islam", "slta", "kawin")
    assert (second.religion, second.education, second.marital_status) == (
        "katolik",
        "sd",
        "cerai_mati",
    )
    assert (second.family_relation, second.sex, second.blood_type) == ("orang_tua", "P", "ab+")
    assert (second.citizenship, second.occupation) == ("wni", "pns")
    assert (third.religion, third.education) == ("buddha", "d4_s1")


def test_bad_rows_import_nothing_in_all_or_nothing_mode_and_are_reported_by_row_and_field(cast):
    rows = [
        person(nama="Baik"),
        person(nik="18081109038", hubungan_keluarga="Anak"),  # row 3: 11 digits
        person(tanggal_lahir="31-02-1990", hubungan_keluarga="Anak"),  # row 4
        person(agama="Pastafarian", hubungan_keluarga="Anak"),  # row 5
        person(nama="", hubungan_keluarga="Anak"),  # row 6
    ]
    with schema_context(cast.village_a.schema_name):
        before = Resident.objects.count()
        job = run_import(cast.village_a, register_csv(rows), mode=ImportMode.ALL_OR_NOTHING)
        assert Resident.objects.count() == before
        assert not Family.objects.filter(kk_number=KK_1).exists()
    assert (job.status, job.failure_code, job.error_rows, job.created_count) == (
        JobStatus.FAILED,
        "rows_invalid",
        4,
        0,
    )
    assert errors_of(job) == {
        (3, "nik", "nik_length"),
        (4, "tanggal_lahir", "invalid_date"),
        (5, "agama", "invalid_choice"),
        (6, "nama", "required"),
    }
    message = next(e for e in job.report if e["row"] == 3)
    assert "16" in message["message"] and "16 digits" in message["message_en"]


def test_good_rows_mode_imports_the_good_rows_and_reports_the_others(cast):
    rows = [
        person(nama="Baik Satu"),
        person(nik="0", hubungan_keluarga="Anak"),
        person(nama="Baik Dua", hubungan_keluarga="Anak", birth=datetime.date(2012, 7, 1)),
    ]
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv(rows), mode=ImportMode.GOOD_ROWS)
        names = set(
            Resident.objects.filter(family__kk_number=KK_1).values_list("full_name", flat=True)
        )
    assert job.status == JobStatus.FINISHED
    assert (job.created_count, job.error_rows) == (2, 1)
    assert names == {"Baik Satu", "Baik Dua"}
    assert errors_of(job) == {(3, "nik", "nik_length")}


def test_importing_the_same_people_again_updates_them_and_creates_no_duplicates(cast):
    rows = [person(nama="Ahmad"), person(nama="Rina", jenis_kelamin="P", hubungan_keluarga="Istri")]
    with schema_context(cast.village_a.schema_name):
        first = run_import(cast.village_a, register_csv(rows))
        # given a second file with the same people, one of them changed
        rows[1]["pekerjaan"] = "Guru"
        rows[1]["alamat"] = "Jl. Baru 2"
        second = run_import(cast.village_a, register_csv(rows, delimiter=";"))
        rina = Resident.objects.get(nik=rows[1]["nik"])
        people = Resident.objects.filter(nik__in=[r["nik"] for r in rows]).count()
        events = PopulationEvent.objects.filter(resident__nik__in=[r["nik"] for r in rows]).count()
    assert (first.created_count, second.created_count) == (2, 0)
    assert (second.updated_count, second.unchanged_count) == (1, 1)
    assert people == 2 and events == 2
    assert (rina.occupation, rina.address) == ("guru", "Jl. Baru 2")


def test_a_byte_identical_file_is_recognised_and_not_imported_twice(cast):
    content = register_csv([person()])
    with schema_context(cast.village_a.schema_name):
        first = run_import(cast.village_a, content)
        # when the very same bytes come again
        again, created = services.resident_import_start(
            actor=None, name="lagi.csv", content=content, mode=ImportMode.ALL_OR_NOTHING
        )
        # then the earlier job answers; asked explicitly, it runs again and changes nothing
        forced = run_import(cast.village_a, content, force=True)
    assert (created, again.pk) == (False, first.pk)
    assert forced.pk != first.pk
    assert (forced.status, forced.created_count, forced.unchanged_count) == ("finished", 0, 1)


def test_a_nik_whose_date_part_disagrees_is_imported_flagged_and_warned_about(cast):
    # the NIK says a man born 17-05-1990; the row says a woman born 1991
    nik = make_nik(birth=datetime.date(1990, 5, 17))
    rows = [person(nik=nik, jenis_kelamin="P", tanggal_lahir="1991-05-17")]
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv(rows))
        resident = Resident.objects.get(nik=nik)
    assert (job.status, job.created_count, job.warning_rows) == ("finished", 1, 1)
    [warning] = job.report
    assert (warning["row"], warning["field"], warning["code"], warning["level"]) == (
        2,
        "nik",
        "nik_mismatch",
        "warning",
    )
    assert resident.nik_warning_acknowledged is False


def test_a_nik_twice_in_one_file_is_reported_on_its_second_row(cast):
    twin = person()
    rows = [twin, person(nik=twin["nik"], nama="Kembar", hubungan_keluarga="Anak")]
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv(rows), mode=ImportMode.GOOD_ROWS)
    assert errors_of(job) == {(3, "nik", "nik_repeated_in_file")}
    assert job.created_count == 1


def test_an_xlsx_file_with_date_cells_number_cells_and_extra_columns_order(cast):
    # given an xlsx whose columns are in another order, with a real date cell and the
    # NIK typed as a number
    header = tuple(reversed(COLUMN_KEYS))
    nik = make_nik(birth=datetime.date(1985, 3, 9))
    row = person(nik=int(nik), tanggal_lahir=datetime.datetime(1985, 3, 9), rt=2)
    with schema_context(cast.village_a.schema_name):
        job = run_import(
            cast.village_a, register_xlsx([row], header=header), name="Data Penduduk.xlsx"
        )
        resident = Resident.objects.select_related("rt").get(nik=nik)
    assert job.status == JobStatus.FINISHED, job.report
    assert job.file_format == "xlsx"
    assert resident.birth_date == datetime.date(1985, 3, 9)
    assert resident.rt.name == "002"


def test_a_csv_with_a_bom_and_semicolons_is_read(cast):
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv([person()], delimiter=";", bom=True))
    assert (job.status, job.created_count) == ("finished", 1)


def test_writing_checked_rows_takes_the_same_statements_for_five_rows_or_fifty(
    cast, django_assert_max_num_queries
):
    def rows_for(count: int, kk_prefix: str, dusun: str) -> list[importing.CleanRow]:
        content = register_csv(
            [
                person(
                    no_kk=f"{kk_prefix}{i % 5:05d}",
                    hubungan_keluarga="Anak",
                    dusun=dusun,
                    rw=str(i % 3),
                    rt=str(i % 10),
                )
                for i in range(count)
            ]
        )
        inspected = importing.register_file_inspect(name="x.csv", content=content)
        _, rows = importing.register_file_rows(file_format="csv", content=content)
        return importing.register_rows_check(rows=rows, columns=inspected.columns).rows

    with schema_context(cast.village_a.schema_name):
        few = rows_for(5, "18081101012", "Dusun Kecil")
        many = rows_for(50, "18081101013", "Dusun Besar")
        # search_path, savepoint, areas (read, then create + read per new level: 7), known
        # NIKs, new ids, families (2), COPY residents, COPY events, the village's code and
        # the duplicate-NIK fingerprints, the domain event, release: 19 however many rows.
        with django_assert_max_num_queries(19):
            importing.register_rows_write(rows=few, actor_id=None)
        with django_assert_max_num_queries(18):  # the search_path is set by now
            importing.register_rows_write(rows=many, actor_id=None)
        assert Resident.objects.filter(family__kk_number__startswith="18081101013").count() == 50


def test_the_check_reports_progress_every_few_hundred_rows(monkeypatch):
    # given progress reported every 2 rows (500 in production)
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    content = register_csv([person(hubungan_keluarga="Anak") for _ in range(5)])
    inspected = importing.register_file_inspect(name="p.csv", content=content)
    _, rows = importing.register_file_rows(file_format="csv", content=content)
    seen: list[tuple[int, int]] = []
    # when
    importing.register_rows_check(
        rows=rows, columns=inspected.columns, on_progress=lambda d, t: seen.append((d, t))
    )
    # then
    assert seen == [(2, 5), (4, 5)]


def test_imported_people_join_the_supervisors_duplicate_nik_report(cast):
    from balai.supervision.models import NikFingerprint
    from balai.supervision.nik_index import nik_hash

    # given the same person in village B's register already
    shared = person(nama="Pindah Dua Kali")
    with schema_context(cast.village_b.schema_name):
        run_import(cast.village_b, register_csv([shared]))
    # when village A imports them too
    with schema_context(cast.village_a.schema_name):
        run_import(cast.village_a, register_csv([shared]))
    # then both villages hold the NIK's fingerprint, and nothing personal
    rows = NikFingerprint.objects.filter(nik_hash=nik_hash(shared["nik"]))
    assert sorted(rows.values_list("village_code", flat=True)) == [
        cast.village_a.region_id,
        cast.village_b.region_id,
    ]
