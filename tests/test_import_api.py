"""The import API: only the village's own staff, and bad files refused with a 4xx that
names what is wrong, before anything is written."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from services.imports.models import ImportJob
from services.residents import importing
from services.residents.import_template import COLUMN_KEYS
from tests.conftest import RESIDENT_PIN, client_for
from tests.test_import_residents import person, register_csv, register_xlsx

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/village/imports/residents/"


@pytest.fixture(autouse=True)
def _celery_trace_logs_off(caplog):
    caplog.set_level(logging.WARNING, logger="celery.app.trace")


def _upload(client, content: bytes, *, name: str = "penduduk.csv", **data):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), **data})


def _jobs(village) -> int:
    with schema_context(village.schema_name):
        return ImportJob.objects.count()


def _error(response) -> dict:
    [error] = response.json()["errors"]
    return error


def test_staff_upload_queues_a_job_they_can_follow(cast, django_capture_on_commit_callbacks):
    client = client_for(cast.village_a, user=cast.alice)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _upload(client, register_csv([person()]), mode="good_rows")
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["mode"], job["file_format"]) == ("queued", "good_rows", "csv")
    assert len(callbacks) == 1  # the task is queued once the upload commits
    detail = client.get(f"/api/village/imports/{job['id']}/")
    assert detail.status_code == 200 and detail.json()["sha256"] == job["sha256"]
    listed = client.get("/api/village/imports/").json()["results"]
    assert [j["id"] for j in listed] == [job["id"]] and "report" not in listed[0]


def test_a_byte_identical_upload_answers_with_the_earlier_job(cast):
    client = client_for(cast.village_a, user=cast.alice)
    content = register_csv([person()])
    first = _upload(client, content).json()
    again = _upload(client, content, name="salinan.csv")
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["duplicate"]) == (first["id"], True)
    forced = _upload(client, content, force="true")
    assert forced.status_code == 202 and forced.json()["id"] != first["id"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("bob", 403), ("carol", 403), ("pat", 403), ("resident", 403), ("anonymous", 403)],
)
def test_only_the_villages_own_staff_may_import(cast, who, expected):
    client = client_for(cast.village_a)
    if who == "resident":
        client.post(
            "/masuk/",
            {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
        )
    elif who != "anonymous":
        client.force_login(getattr(cast, who))
    before = _jobs(cast.village_a)
    response = _upload(client, register_csv([person()]))
    # anonymous: 403 rather than 401, as DRF answers when session auth comes first
    assert response.status_code in ((401, 403) if who == "anonymous" else (expected,))
    assert _jobs(cast.village_a) == before
    assert client.get("/api/village/imports/").status_code in (401, 403)
    assert client.get("/api/village/imports/residents/template.xlsx").status_code in (401, 403)


def test_supervisors_get_nothing_from_the_public_host(cast, public_client):
    public_client.force_login(cast.carol)
    assert public_client.get("/api/village/imports/").status_code == 404


def test_a_job_of_another_village_cannot_be_reached(cast):
    client_a = client_for(cast.village_a, user=cast.alice)
    job_id = _upload(client_a, register_csv([person()])).json()["id"]
    with schema_context(cast.village_b.schema_name):
        assert not ImportJob.objects.filter(pk=job_id).exists()
    client_b = client_for(cast.village_b, user=cast.bob)
    assert client_b.get(f"/api/village/imports/{job_id}/").status_code == 404
    # and alice, staff of A only, cannot use B's host
    assert (
        client_for(cast.village_b, user=cast.alice).get("/api/village/imports/").status_code == 403
    )


def test_a_missing_column_is_named(cast):
    header = [key for key in COLUMN_KEYS if key != "no_kk"]
    content = register_xlsx([person()], header=header)
    response = _upload(client_for(cast.village_a, user=cast.alice), content, name="p.xlsx")
    assert response.status_code == 400
    error = _error(response)
    assert (error["field"], error["code"]) == ("file", "columns_missing")
    assert "no_kk" in error["message"] and "no_kk" in error["message_en"]
    assert _jobs(cast.village_a) == 0


def test_an_unknown_column_is_named(cast):
    content = register_xlsx([person()], header=(*COLUMN_KEYS, "goldar"))
    response = _upload(client_for(cast.village_a, user=cast.alice), content, name="p.xlsx")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "columns_unknown" and "goldar" in error["message_en"]


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("foto.png", b"\x89PNG\r\n\x1a\n....", 415, "file_type"),
        ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", 400, "file_type"),
        ("rusak.xlsx", b"PK\x03\x04 this is not a workbook", 400, "file_unreadable"),
        ("kosong.csv", b"", 400, "file_empty"),
        ("latin1.csv", "nik,nama\n1,Jos\xe9\n".encode("latin-1"), 400, "file_encoding"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(cast, name, content, status, code):
    response = _upload(client_for(cast.village_a, user=cast.alice), content, name=name)
    assert response.status_code == status
    error = _error(response)
    assert (error["field"], error["code"]) == ("file", code)
    assert error["message"] and error["message_en"]
    assert _jobs(cast.village_a) == 0


def test_an_empty_upload_field_and_a_wrong_mode_are_named(cast):
    client = client_for(cast.village_a, user=cast.alice)
    assert _error(client.post(IMPORT_URL, {}))["field"] == "file"
    response = _upload(client, register_csv([person()]), mode="sebagian")
    assert response.status_code == 400 and _error(response)["field"] == "mode"


def test_a_file_over_the_size_limit_is_refused(cast, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1_000)
    content = register_csv([person() for _ in range(10)])
    response = _upload(client_for(cast.village_a, user=cast.alice), content)
    assert response.status_code == 413
    assert _error(response)["code"] == "file_too_large"


@pytest.mark.parametrize("name", ["p.xlsx", "p.csv"])
def test_a_file_over_the_row_limit_is_refused(cast, monkeypatch, name):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [person() for _ in range(4)]
    content = register_xlsx(rows) if name.endswith("xlsx") else register_csv(rows)
    response = _upload(client_for(cast.village_a, user=cast.alice), content, name=name)
    assert response.status_code == 413
    assert _error(response)["code"] == "file_too_many_rows"


@pytest.mark.parametrize(
    ("name", "content"),
    [("p.xlsx", register_xlsx([])), ("p.csv", register_csv([]) + b",,,\r\n\r\n")],
)
def test_a_header_without_rows_is_refused(cast, name, content):
    response = _upload(client_for(cast.village_a, user=cast.alice), content, name=name)
    assert response.status_code == 400
    assert _error(response)["code"] == "file_no_rows"


def test_the_template_downloads_with_header_example_and_allowed_values(cast):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.get("/api/village/imports/residents/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header, example = list(workbook["Penduduk"].iter_rows(values_only=True))[:2]
    assert list(header) == list(COLUMN_KEYS)
    assert example[COLUMN_KEYS.index("nik")] == "1808115705900001"
    allowed = {(r[0], r[1]) for r in workbook["Pilihan"].iter_rows(min_row=2, values_only=True)}
    assert ("agama", "islam") in allowed and ("hubungan_keluarga", "kepala_keluarga") in allowed
    csv_response = client.get("/api/village/imports/residents/template.csv")
    assert csv_response.status_code == 200
    lines = csv_response.content.decode().splitlines()
    assert lines[0].split(",") == list(COLUMN_KEYS) and len(lines) == 2


def test_the_template_itself_imports_cleanly(cast):
    # The example row of the template is a valid, consistent person.
    client = client_for(cast.village_a, user=cast.alice)
    content = client.get("/api/village/imports/residents/template.xlsx").content
    inspected = importing.register_file_inspect(name="t.xlsx", content=content)
    _, rows = importing.register_file_rows(file_format="xlsx", content=content)
    check = importing.register_rows_check(rows=rows, columns=inspected.columns)
    assert (len(check.rows), check.report) == (1, [])


def test_the_import_and_export_endpoints_are_in_the_openapi_schema(cast):
    client = client_for(cast.village_a, user=cast.alice)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/village/imports/",
        "/api/village/imports/{id}/",
        "/api/village/imports/{id}/download/",
        "/api/village/imports/residents/",
        "/api/village/imports/residents/template.xlsx",
        "/api/village/exports/residents.csv",
        "/api/village/exports/residents.xlsx",
    ):
        assert path in paths, path
    upload = paths["/api/village/imports/residents/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_the_job_list_takes_the_same_statements_for_one_job_or_many(
    cast, django_assert_max_num_queries
):
    client = client_for(cast.village_a, user=cast.alice)
    for index in range(4):
        _upload(client, register_csv([person(nama=f"Orang {index}")]))
    # session, user, role, search_path, count, page
    with django_assert_max_num_queries(8):
        listed = client.get("/api/village/imports/").json()
    assert listed["count"] == 4
