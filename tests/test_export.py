"""Exporting the register: the template's columns, so an export imports back unchanged;
staff only, and every export is in the audit log."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from services.audit.models import AuditEntry
from services.imports.models import ImportMode, JobFile
from services.imports.tasks import export_job_run
from services.residents.exporting import EXPORT_HEADER
from services.residents.models import Resident
from tests.conftest import RESIDENT_PIN, client_for
from tests.test_import_residents import KK_2, person, register_csv, run_import

pytestmark = pytest.mark.django_db

CSV_URL = "/api/village/exports/residents.csv"
XLSX_URL = "/api/village/exports/residents.xlsx"


@pytest.fixture(autouse=True)
def _celery_trace_logs_off(caplog):
    caplog.set_level(logging.WARNING, logger="celery.app.trace")


@pytest.fixture
def imported(cast):
    rows = [
        person(nama="Ahmad"),
        person(nama="Rina", jenis_kelamin="P", hubungan_keluarga="Istri", golongan_darah=""),
        person(nama="Wayan", no_kk=KK_2, agama="Hindu", dusun="Dusun II", rw="", rt="7"),
    ]
    with schema_context(cast.village_a.schema_name):
        job = run_import(cast.village_a, register_csv(rows))
    assert job.created_count == 3
    return rows


def _csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_staff_export_the_register_as_csv_with_the_template_columns(cast, imported):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert tuple(rows[0].keys()) == EXPORT_HEADER
    by_name = {row["nama"]: row for row in rows}
    assert set(by_name) >= {"Ahmad", "Rina", "Wayan", "Siti Aminah"}
    wayan = by_name["Wayan"]
    assert (wayan["agama"], wayan["dusun"], wayan["rw"], wayan["rt"]) == (
        "Hindu",
        "Dusun II",
        "",
        "007",
    )
    assert (by_name["Rina"]["hubungan_keluarga"], by_name["Rina"]["status"]) == ("Istri", "hidup")
    with schema_context(cast.village_a.schema_name):
        entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_id, entry.object_type, entry.detail["format"]) == (
        cast.alice.pk,
        "resident",
        "csv",
    )


def test_a_text_that_looks_like_a_formula_is_exported_as_text(cast, imported):
    # given: an address typed as a spreadsheet formula, and a phone number with its +
    with schema_context(cast.village_a.schema_name):
        Resident.objects.filter(full_name="Ahmad").update(
            address='=HYPERLINK("http://contoh.id","klik")', phone="+62 812-3456-7890"
        )
    client = client_for(cast.village_a, user=cast.alice)
    # when
    rows = {row["nama"]: row for row in _csv_rows(client.get(CSV_URL))}
    workbook_rows = _xlsx_rows(cast)
    # then: the CSV cell starts with an apostrophe, the phone is untouched
    assert rows["Ahmad"]["alamat"] == '\'=HYPERLINK("http://contoh.id","klik")'
    assert rows["Ahmad"]["telepon"] == "+62 812-3456-7890"
    # and the .xlsx cell is a text cell, not a formula
    address = workbook_rows["Ahmad"][EXPORT_HEADER.index("alamat")]
    assert (address.data_type, address.value) == ("s", '=HYPERLINK("http://contoh.id","klik")')


def _xlsx_rows(cast) -> dict:
    from services.residents.exporting import resident_export_xlsx

    with schema_context(cast.village_a.schema_name):
        data = resident_export_xlsx()
    sheet = load_workbook(io.BytesIO(data)).active
    return {row[1].value: row for row in sheet.iter_rows(min_row=2)}


def test_an_exported_csv_imports_back_without_any_change(cast, imported):
    exported = b"".join(client_for(cast.village_a, user=cast.alice).get(CSV_URL).streaming_content)
    with schema_context(cast.village_a.schema_name):
        count = Resident.objects.count()
        job = run_import(cast.village_a, exported, mode=ImportMode.ALL_OR_NOTHING)
        assert Resident.objects.count() == count
    assert job.status == "finished", job.report
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, count)


def test_an_xlsx_export_runs_as_a_job_and_its_file_imports_back_unchanged(cast, imported):
    client = client_for(cast.village_a, user=cast.alice)
    # when the export is asked for, a job is queued
    response = client.post(XLSX_URL)
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert client.get(f"/api/village/imports/{job_id}/download/").status_code == 409
    # and a worker runs it
    with schema_context(cast.village_a.schema_name):
        export_job_run.apply(kwargs={"job_id": job_id})
    detail = client.get(f"/api/village/imports/{job_id}/").json()
    assert (detail["status"], detail["kind"]) == ("finished", "resident_export")
    download = client.get(f"/api/village/imports/{job_id}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == EXPORT_HEADER
    niks = {row[0] for row in rows}
    assert {r["nik"] for r in imported} <= niks  # NIKs as text, not rounded numbers
    with schema_context(cast.village_a.schema_name):
        again = run_import(cast.village_a, download.content, name="ekspor.xlsx")
        assert JobFile.objects.filter(job_id=job_id, role="result").exists()
        downloads = AuditEntry.objects.filter(action="export", detail__download=True).count()
    assert again.status == "finished", again.report
    assert (again.created_count, again.updated_count) == (0, 0)
    assert downloads == 1


@pytest.mark.parametrize("who", ["bob", "carol", "resident", "anonymous"])
def test_only_the_villages_own_staff_may_export(cast, who):
    client = client_for(cast.village_a)
    if who == "resident":
        client.post(
            "/masuk/",
            {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
        )
    elif who != "anonymous":
        client.force_login(getattr(cast, who))
    assert client.get(CSV_URL).status_code in (401, 403)
    assert client.post(XLSX_URL).status_code in (401, 403)
    with schema_context(cast.village_a.schema_name):
        assert not AuditEntry.objects.filter(action="export").exists()


def test_the_csv_export_takes_the_same_statements_for_any_number_of_residents(
    cast, imported, django_assert_max_num_queries
):
    client = client_for(cast.village_a, user=cast.alice)
    # session, user, role, audit (count + insert), areas, one cursor over the residents
    with django_assert_max_num_queries(10):
        rows = _csv_rows(client.get(CSV_URL))
    assert len(rows) >= 4
