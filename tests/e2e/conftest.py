"""End-to-end tests in a real Chromium against a real server process.

``balai_server`` starts ``balai runserver`` on a free port against the test database
(pytest-django's ``live_server`` runs in this process and routes by one host only; village
pages need their own subdomains). The server sees only committed data: the session cast,
and what the browser makes through it, which each test removes again.

Chromium resolves every ``*.localhost`` name to 127.0.0.1 by itself, so the villages of
the cast are reached at ``http://<slug>.localhost:<port>/`` with no DNS set-up.
Playwright drives Debian's Chromium (.ci/run installs it): no browser is downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.worker import BALAI, REPO_DIR, database_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO_DIR / "test-artifacts" / "screenshots"
WIDTHS = (360, 1280)
# htmx is a deferred script: a field typed into before it ran sends nothing. A journey that
# reached the page by a click (which does not wait for the load event) waits for this first.
HTMX_READY = "() => window.htmx !== undefined"
START_TIMEOUT = 60.0

# Playwright's sync API keeps an asyncio loop on this thread; Django would then refuse the
# ORM calls the fixtures make between browser steps. Nothing here runs concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`;"
        " .ci/run does it)"
    )
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@dataclass
class BalaiServer:
    port: int
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str = "/", *, village_slug: str | None = None) -> str:
        host = f"{village_slug}.{settings.BALAI_BASE_DOMAIN}" if village_slug else "localhost"
        return f"http://{host}:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_it_answers(server: BalaiServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer in {START_TIMEOUT}s:\n{server.log()}")


@pytest.fixture(scope="session")
def balai_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[BalaiServer]:
    if settings.BALAI_BASE_DOMAIN != "localhost":
        pytest.skip("the e2e tests need BALAI_BASE_DOMAIN=localhost (Chromium's *.localhost)")
    settings_dict = connection.settings_dict
    if not settings_dict["NAME"].startswith(settings_dict["TEST"]["NAME"]):
        raise RuntimeError("the e2e server must run against the test database")
    port = _free_port()
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "DATABASE_URL": database_url(settings_dict),
        "BALAI_BASE_DOMAIN": "localhost",
        # No pool refill queued by onboardings: no worker of this run is there to take it.
        "BALAI_SCHEMA_POOL_SIZE": "0",
        "SENTRY_DSN": "",
        "DB_APPLICATION_NAME": "balai-test-e2e-server",
    }
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            # --insecure: static files from the app folders, as DEBUG is off in test mode.
            [str(BALAI), "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            cwd=REPO_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = BalaiServer(port=port, process=process, log_path=log_path)
    try:
        _wait_until_it_answers(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": WIDTHS[-1], "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def screenshot(page, name: str) -> None:
    """Save the page at phone and desktop width for reviewers; check it fits a phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if width == WIDTHS[0]:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
