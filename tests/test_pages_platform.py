"""Platform-admin pages: the village list, onboarding (single and bulk), suspension, export
and the worker health page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from balai.celery_app import app
from balai.onboarding.models import BulkOnboardingJob, PlatformAuditEvent
from balai.onboarding.tasks import onboard_villages_bulk
from tenants.models import Village, VillageStatus
from tenants.offboarding import export_job_get
from tests.conftest import client_for
from tests.worker import RESULT_TIMEOUT

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(cast, public_client) -> Client:
    public_client.force_login(cast.pat)
    return public_client


def test_the_village_list_shows_every_village_with_its_status(admin_client):
    page = admin_client.get("/platform/desa/").content.decode()
    for name in ("Negara Batin", "Purwa Agung", "Desa C"):
        assert name in page
    assert "badge-active" in page


def test_the_village_list_filters_by_kecamatan_and_search(admin_client):
    by_kecamatan = admin_client.get("/platform/desa/", {"kecamatan": "18.08.11"}).content.decode()
    assert "Negara Batin" in by_kecamatan and "Purwa Agung" in by_kecamatan
    assert "Desa C" not in by_kecamatan

    by_name = admin_client.get("/platform/desa/", {"q": "purwa"}).content.decode()
    assert "/platform/desa/purwaagung/" in by_name
    assert "/platform/desa/negarabatin/" not in by_name


def test_the_village_list_filters_by_status(cast, admin_client):
    Village.objects.filter(pk=cast.village_b.pk).update(status=VillageStatus.SUSPENDED)
    page = admin_client.get("/platform/desa/", {"status": "suspended"}).content.decode()
    assert "/platform/desa/purwaagung/" in page
    assert "/platform/desa/negarabatin/" not in page


def test_the_filter_form_gets_only_the_table_from_htmx(admin_client):
    response = admin_client.get(
        "/platform/desa/", {"q": "negara"}, headers={**HTMX, "HX-Target": "village-results"}
    )
    body = response.content.decode()
    assert "Negara Batin" in body
    assert "<html" not in body


def test_the_village_list_reads_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    # session, user, 2 filter choice lists, count, page
    with django_assert_max_num_queries(8):
        admin_client.get("/platform/desa/")


def test_a_platform_admin_onboards_a_village_through_the_page(admin_client):
    # when
    response = admin_client.post(
        "/platform/desa/baru/",
        {
            "region_code": "18.08.11.2007",
            "slug": "karta-jaya",
            "local_term": "kampung",
            "admin_username": "kakam-karta",
            "admin_password": "",
            "name": "",
            "admin_role": "kepala_desa",
        },
    )
    # then
    assert response.status_code == 201
    page = response.content.decode()
    assert "karta-jaya." in page
    assert response.context["result"].admin_password in page  # shown once
    village = Village.objects.get(slug="karta-jaya")
    assert village.name == "Karta Jaya"
    assert (
        client_for(village, user=response.context["result"].admin).get("/kantor/").status_code
        == 200
    )


def test_onboarding_errors_name_the_field(admin_client):
    response = admin_client.post(
        "/platform/desa/baru/",
        {
            "region_code": "18.08.11",
            "slug": "kec",
            "local_term": "desa",
            "admin_username": "x",
            "admin_role": "kepala_desa",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["region_code"] == [
        "Kode wilayah 18.08.11 adalah kecamatan, bukan desa/kelurahan."
    ]
    assert not Village.objects.filter(slug="kec").exists()


def test_onboarding_errors_are_in_english_when_english_is_chosen(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.post(
        "/platform/desa/baru/",
        {
            "region_code": "18.08.11.2001",
            "slug": "another-slug",
            "local_term": "desa",
            "admin_username": "x",
            "admin_role": "kepala_desa",
        },
    )
    assert response.status_code == 400
    assert "already onboarded as negarabatin" in response.content.decode()


def test_suspending_needs_a_reason_and_is_undone_by_reactivating(cast, admin_client):
    # given: no reason
    refused = admin_client.post("/platform/desa/purwaagung/tangguhkan/", {"reason": ""})
    assert refused.status_code == 400
    assert "Alasan penangguhan wajib diisi." in refused.content.decode()
    assert Village.objects.get(pk=cast.village_b.pk).status == VillageStatus.ACTIVE

    # when: with a reason
    response = admin_client.post(
        "/platform/desa/purwaagung/tangguhkan/", {"reason": "Kontrak berakhir"}, follow=True
    )
    # then
    village = Village.objects.get(pk=cast.village_b.pk)
    assert (village.status, village.status_reason) == (VillageStatus.SUSPENDED, "Kontrak berakhir")
    assert "Purwa Agung ditangguhkan." in response.content.decode()
    assert client_for(village).get("/").status_code == 403

    admin_client.post("/platform/desa/purwaagung/aktifkan/")
    assert Village.objects.get(pk=cast.village_b.pk).status == VillageStatus.ACTIVE
    assert PlatformAuditEvent.objects.filter(
        village_code=village.region_id, action="village_reactivated", actor=cast.pat
    ).exists()


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("desa.csv", text.encode(), content_type="text/csv")


def test_bulk_onboarding_queues_a_job_and_ends_with_a_result_per_row(
    cast, admin_client, django_capture_on_commit_callbacks
):
    # given
    rows = (
        "region_code,slug,name,admin_username\n"
        "18.08.11.2008,bumi-harjo,,kakam-bumi\n"
        "18.08.11,kecamatan-bukan-desa,,x\n"
        "18.08.11.2001,negarabatin,,alice\n"
    )
    # when: the page stores the job and queues the worker's task after commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post("/platform/desa/massal/", {"file": _csv(rows)})
    job = BulkOnboardingJob.objects.get(created_by=cast.pat)
    assert response["Location"] == f"/platform/desa/massal/{job.pk}/"
    assert len(callbacks) == 1
    queued = admin_client.get(response["Location"], headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in queued and "0 dari 3 baris" in queued

    # ... and the task (run here, eagerly: the live worker cannot see this transaction)
    onboard_villages_bulk.apply(args=[job.pk])

    # then
    page = admin_client.get(response["Location"]).content.decode()
    assert "hx-trigger" not in page.split('id="bulk-job"')[1]  # polling stops
    assert "1 dibuat, 1 gagal." in page
    assert "bumi-harjo." in page
    assert "bukan desa/kelurahan" in page
    assert "badge-exists" in page
    assert Village.objects.filter(slug="bumi-harjo").exists()


def test_a_bulk_file_without_the_required_columns_is_refused_on_the_form(admin_client):
    response = admin_client.post("/platform/desa/massal/", {"file": _csv("slug,name\nx,y\n")})
    assert response.status_code == 400
    assert "Kolom wajib tidak ada: region_code, admin_username." in response.content.decode()
    assert not BulkOnboardingJob.objects.exists()


def _wait_for_export(job_id: str, worker) -> dict:
    deadline = time.monotonic() + RESULT_TIMEOUT
    while time.monotonic() < deadline:
        job = export_job_get(job_id=job_id)
        if job and job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the export did not finish; the worker's log:\n{worker.log()}")


@pytest.mark.worker
def test_an_export_runs_in_the_worker_and_its_archive_can_be_downloaded(
    cast, admin_client, live_worker, django_capture_on_commit_callbacks, committed_connection
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/platform/desa/negarabatin/ekspor/")
    job_url = response["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[1]
    assert job_url.startswith("/platform/ekspor/")
    # when: the worker finishes (the page polls the same job)
    job = _wait_for_export(job_id, live_worker)
    archive = Path(settings.BALAI_EXPORT_DIR) / job["file"]
    try:
        page = admin_client.get(job_url, headers=HTMX).content.decode()
        download = admin_client.get(f"{job_url}unduh/")
        # then
        assert job["status"] == "finished", job["error"]
        assert "badge-finished" in page and job["sha256"] in page
        assert "hx-trigger" not in page
        assert download.status_code == 200
        assert b"".join(download.streaming_content)[:2] == b"\x1f\x8b"  # gzip
    finally:
        archive.unlink(missing_ok=True)
        with committed_connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM onboarding_platformauditevent WHERE action = 'village_exported'"
            )


@pytest.mark.worker
def test_the_health_page_shows_workers_queues_pool_and_template(admin_client, live_worker):
    # given: the worker is idle (a solo worker answers no ping while a task runs)
    assert app.control.ping(destination=[live_worker.hostname], timeout=RESULT_TIMEOUT)
    # when
    page = admin_client.get("/platform/kesehatan/").content.decode()
    # then
    assert live_worker.hostname in page
    assert "<td>default</td>" in page and "<td>platform</td>" in page
    assert "Mutakhir" in page


def test_the_export_of_an_unknown_job_is_not_found(admin_client):
    assert admin_client.get("/platform/ekspor/" + "0" * 32 + "/").status_code == 404
