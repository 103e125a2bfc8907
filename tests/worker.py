"""A real Celery worker for integration tests (a pytest plugin: see tests/conftest.py).

``live_worker`` starts ``balai worker`` in its own process against the test database and
this run's Redis, waits until it answers a ping, and stops it at the end of the session,
before pytest-django drops the test database the worker is connected to.

The worker sees only committed data. The session cast is committed; a test using the
worker still runs in pytest-django's transaction (``db``, which also makes pytest-django
create the test database), where it sees what the worker commits. What a test itself must
commit, or clean up after the worker, goes through ``committed_connection``: a second
connection in autocommit, so the session cast is never flushed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import AsyncResult
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from balai.celery_app import app

REPO_DIR = Path(__file__).resolve().parents[1]
BALAI = Path(sys.executable).with_name("balai")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# How long a test waits for a task result before calling the worker stuck.
RESULT_TIMEOUT = 30.0


@dataclass
class LiveWorker:
    hostname: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def result(self, async_result: AsyncResult, *, propagate: bool = True) -> object:
        try:
            return async_result.get(timeout=RESULT_TIMEOUT, propagate=propagate)
        except TimeoutError as error:
            raise AssertionError(f"the worker gave no result; its log:\n{self.log()}") from error


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database this test process really uses (the test one)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    options = settings_dict.get("OPTIONS") or {}
    # The embedded PostgreSQL's socket folder and port come as libpq options, not HOST.
    host = settings_dict.get("HOST") or options.get("host") or "127.0.0.1"
    port = settings_dict.get("PORT") or options.get("port") or "5432"
    name = quote(settings_dict["NAME"], safe="")
    if host.startswith("/"):
        # A Unix socket folder (the embedded PostgreSQL): libpq takes it as the host query.
        return f"postgres://{credentials}/{name}?host={quote(host, safe='/')}&port={port}"
    return f"postgres://{credentials}{host}:{port}/{name}"


def _wait_until_it_answers(worker: LiveWorker) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(
                f"the worker exited with {worker.process.returncode}:\n{worker.log()}"
            )
        if app.control.ping(destination=[worker.hostname], timeout=0.5):
            return
    raise RuntimeError(f"the worker did not answer a ping in {START_TIMEOUT}s:\n{worker.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LiveWorker]:
    settings_dict = connection.settings_dict
    # pytest-django creates the test database only when a selected test asks for ``db``;
    # without it the worker would be pointed at the development database.
    if not settings_dict["NAME"].startswith(settings_dict["TEST"]["NAME"]):
        raise RuntimeError("tests that use live_worker must also use the db fixture")
    test_database_url = database_url(settings_dict)
    hostname = f"balai-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "DATABASE_URL": test_database_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SENTRY_DSN": "",
        "DB_APPLICATION_NAME": "balai-test-worker",
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
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
                "--loglevel",
                "INFO",
                # Messages left in this Redis database by an earlier, interrupted run
                # would otherwise run against this session's data.
                "--purge",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = LiveWorker(hostname=hostname, process=process, log_path=log_path)
    try:
        _wait_until_it_answers(worker)
        yield worker
    finally:
        _stop(process)


@pytest.fixture
def committed_connection(django_db_blocker) -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the test database, in autocommit: what it writes is
    committed at once, outside the test's transaction."""
    with django_db_blocker.unblock():
        other = connection.copy()
        try:
            yield other
        finally:
            other.close()
