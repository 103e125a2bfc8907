"""The import jobs through a real Celery worker, Redis and PostgreSQL.

The worker is another process: it sees only committed rows, and the test's own
connection sits in pytest-django's transaction, which never commits. What the worker
must see is therefore written by ``committed(...)``: in a thread of its own, whose own
connection is in autocommit, and every test removes what it and the worker committed.
The test's connection reads the worker's commits (READ COMMITTED).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from balai.celery_app import VillageContextMissingError, app
from services.audit.models import AuditEntry
from services.events.models import DomainEvent
from services.imports import services
from services.imports.models import ImportJob, ImportMode
from services.imports.tasks import import_job_run
from services.residents.models import Family, PopulationEvent, Resident
from services.village.models import Area
from tests.conftest import client_for
from tests.test_import_residents import person, register_csv, register_xlsx

# django_db: pytest-django creates the test database only for tests that ask for it.
pytestmark = [pytest.mark.worker, pytest.mark.django_db]

REPO_DIR = Path(__file__).resolve().parents[1]
BALAI = Path(sys.executable).with_name("balai")
KK = "1808110909090001"
T = TypeVar("T")


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory) -> Iterator[subprocess.Popen]:
    """``balai worker`` against the test database (whose name django_db_setup has set)."""
    settings_dict = connection.settings_dict
    assert settings_dict["NAME"].startswith(settings_dict["TEST"]["NAME"])
    hostname = f"balai-import-test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "DATABASE_URL": _database_url(settings_dict),
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SENTRY_DSN": "",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(BALAI),
                "worker",
                "--pool",
                "solo",
                "-Q",
                "default,platform",
                "-n",
                hostname,
                "--purge",  # messages an interrupted earlier run left in this Redis db
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log_path.read_text()}")
        process.log_path = log_path  # type: ignore[attr-defined]
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def committed(function: Callable[[], T]) -> T:
    """Run ``function`` on a connection of its own, outside the test's transaction."""

    def run() -> T:
        try:
            return function()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _cleanup(schema_name: str, niks: list[str], job_ids: list[int]) -> None:
    """Remove what a test committed in the village (the session cast stays)."""
    with schema_context(schema_name):
        residents = Resident.objects.filter(nik__in=niks)
        Family.objects.filter(kk_number=KK).update(head=None)
        PopulationEvent.objects.filter(resident__in=residents).delete()
        residents.delete()
        Family.objects.filter(kk_number=KK).delete()
        Area.objects.filter(level="rt", name="009").delete()
        Area.objects.filter(level="rw", name="009").delete()
        Area.objects.filter(name="Dusun Pekerja").delete()
        ImportJob.objects.filter(pk__in=job_ids).delete()
        AuditEntry.objects.filter(
            object_type="import_job", object_id__in=map(str, job_ids)
        ).delete()
        DomainEvent.objects.filter(name="residents.imported", payload__job__in=job_ids).delete()


def _wait_over(job_id: int, log_path: Path, timeout: float = 60.0) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.is_over:
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish; worker log:\n{log_path.read_text()}")


def _rows() -> list[dict[str, object]]:
    return [
        person(nama=f"Pekerja {i}", no_kk=KK, hubungan_keluarga="Kepala keluarga" if i == 0
               else "Anak", dusun="Dusun Pekerja", rw="9", rt="9")
        for i in range(30)
    ]  # fmt: skip


def test_a_real_worker_imports_an_uploaded_file_in_its_own_village(cast, worker):
    rows = _rows()
    niks = [str(r["nik"]) for r in rows]
    job_ids: list[int] = []
    with schema_context(cast.village_b.schema_name):
        residents_of_b = Resident.objects.count()

    def upload():
        client = client_for(cast.village_a, user=cast.alice)
        return client.post(
            "/api/village/imports/residents/",
            {
                "file": SimpleUploadedFile("penduduk.xlsx", register_xlsx(rows)),
                "mode": ImportMode.ALL_OR_NOTHING,
            },
        )

    try:
        # given an upload through the API, committed
        response = committed(upload)
        assert response.status_code == 202, response.content
        job_id = response.json()["id"]
        job_ids.append(job_id)
        # when the worker has run it
        with schema_context(cast.village_a.schema_name):
            job = _wait_over(job_id, worker.log_path)
            imported = Resident.objects.filter(nik__in=niks).count()
            family = Family.objects.select_related("head").get(kk_number=KK)
            events = PopulationEvent.objects.filter(resident__nik__in=niks).count()
        # then the rows are in village A, with the progress visible through the API
        assert (job.status, job.created_count, job.total, job.done) == ("finished", 30, 30, 30)
        assert (imported, events, family.head.full_name) == (30, 30, "Pekerja 0")
        client = client_for(cast.village_a, user=cast.alice)
        detail = client.get(f"/api/village/imports/{job_id}/").json()
        assert (detail["status"], detail["done"], detail["total"]) == ("finished", 30, 30)
        with schema_context(cast.village_b.schema_name):
            assert Resident.objects.count() == residents_of_b
    finally:
        committed(lambda: _cleanup(cast.village_a.schema_name, niks, job_ids))


def test_a_real_worker_rejects_a_file_with_bad_rows_in_all_or_nothing_mode(cast, worker):
    rows = _rows()
    rows[7]["tanggal_lahir"] = "2999-01-01"
    niks = [str(r["nik"]) for r in rows]
    job_ids: list[int] = []

    def upload():
        with schema_context(cast.village_a.schema_name):
            return services.resident_import_start(
                actor=None,
                name="penduduk.csv",
                content=register_csv(rows),
                mode=ImportMode.ALL_OR_NOTHING,
            )

    try:
        job, created = committed(upload)
        job_ids.append(job.pk)
        assert created
        with schema_context(cast.village_a.schema_name):
            job = _wait_over(job.pk, worker.log_path)
            assert not Resident.objects.filter(nik__in=niks).exists()
        assert (job.status, job.failure_code, job.error_rows) == ("failed", "rows_invalid", 1)
        assert [(e["row"], e["field"]) for e in job.report] == [(9, "tanggal_lahir")]
    finally:
        committed(lambda: _cleanup(cast.village_a.schema_name, niks, job_ids))


def test_an_import_task_cannot_be_queued_without_its_village():
    connection.set_schema_to_public()
    with pytest.raises(VillageContextMissingError):
        import_job_run.apply_async(kwargs={"job_id": 1})
