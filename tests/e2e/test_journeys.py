"""Journeys in a real Chromium: what a platform admin, a supervisor, staff and a resident
do, with screenshots of each main page at phone and desktop width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from balai.accounts.models import User
from tenants.models import Village
from tenants.offboarding import village_delete
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import HTMX_READY, BalaiServer, screenshot

NEW_VILLAGE = {"region_code": "18.08.11.2012", "slug": "adi-jaya", "admin": "kakam-adijaya"}
NEW_ADMIN_PASSWORD = "sandi-kakam-adijaya-1"


def _log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.fill("#id_user-username", username)
    page.fill("#id_user-password", password)
    page.locator("form:has(#id_user-username) button[type=submit]").click()


@pytest.fixture
def onboarded_by_the_browser(django_db_blocker):
    """Remove what the journey commits through the server: the village and its admin."""
    yield NEW_VILLAGE
    with django_db_blocker.unblock():
        village = Village.objects.filter(slug=NEW_VILLAGE["slug"]).first()
        if village is not None:
            village_delete(village=village, confirm=village.slug)
        User.objects.filter(username=NEW_VILLAGE["admin"]).delete()


def test_a_platform_admin_onboards_a_village_and_its_admin_logs_in_there(
    balai_server: BalaiServer, page: Page, onboarded_by_the_browser
):
    new = onboarded_by_the_browser
    # given: the platform admin logs in on the public host
    page.goto(balai_server.url("/"))
    screenshot(page, "public-home")
    page.get_by_role("link", name="Masuk", exact=True).first.click()
    screenshot(page, "public-login")
    _log_in(page, "pat")
    expect(page.get_by_role("heading", name="Desa", exact=True)).to_be_visible()
    screenshot(page, "platform-villages")

    # when: they onboard a village through the page
    page.get_by_role("link", name="Onboarding desa").click()
    page.fill("#id_region_code", new["region_code"])
    page.fill("#id_slug", new["slug"])
    page.select_option("#id_local_term", "kampung")
    page.fill("#id_admin_username", new["admin"])
    page.fill("#id_admin_password", NEW_ADMIN_PASSWORD)
    screenshot(page, "platform-onboard")
    page.get_by_role("button", name="Onboarding").click()

    # then: the result names the new host, and its admin logs in there
    expect(page.get_by_role("heading", name="Adi Jaya siap dipakai")).to_be_visible()
    screenshot(page, "platform-onboard-result")
    page.get_by_role("link", name=f"{new['slug']}.localhost").click()
    assert page.url == balai_server.url("/masuk/", village_slug=new["slug"])
    screenshot(page, "village-login")
    _log_in(page, new["admin"], NEW_ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Kantor Kampung Adi Jaya")).to_be_visible()
    expect(page.get_by_text("Kepala desa")).to_be_visible()
    screenshot(page, "staff-dashboard")


def test_the_village_list_filters_as_the_admin_types(balai_server: BalaiServer, page: Page):
    page.goto(balai_server.url("/masuk/"))
    _log_in(page, "pat")
    results = page.locator("#village-results")
    expect(results.get_by_role("link", name="Negara Batin")).to_be_visible()
    # htmx (served by Balai itself) swaps in the table for the search as it is typed; the
    # script is deferred, so on a busy machine the typing must wait for it.
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "purwa")
    expect(results.get_by_role("link", name="Negara Batin")).to_have_count(0, timeout=15_000)
    expect(results.get_by_role("link", name="Purwa Agung")).to_be_visible()
    # The address bar follows the search (hx-push-url), once the swap has settled.
    expect(page).to_have_url(re.compile(r"[?&]q=purwa"))
    page.goto(balai_server.url("/platform/desa/negarabatin/"))
    screenshot(page, "platform-village-detail")
    page.goto(balai_server.url("/platform/kesehatan/"))
    expect(page.get_by_role("heading", name="Kesehatan sistem")).to_be_visible()
    screenshot(page, "platform-health")
    page.goto(balai_server.url("/platform/desa/massal/"))
    screenshot(page, "platform-bulk")


def test_a_supervisor_sees_their_region(balai_server: BalaiServer, page: Page):
    page.goto(balai_server.url("/masuk/"))
    _log_in(page, "erin")
    expect(page.get_by_role("heading", name="Dasbor wilayah")).to_be_visible()
    expect(page.get_by_role("cell", name="18.08.11")).to_be_visible()
    screenshot(page, "supervisor-dashboard")
    page.get_by_role("link", name="Desa di wilayah").click()
    expect(page.get_by_role("cell", name="Kampung Negara Batin")).to_be_visible()
    screenshot(page, "supervisor-villages")


def test_a_resident_logs_in_and_switches_to_english(balai_server: BalaiServer, page: Page, cast):
    page.goto(balai_server.url("/", village_slug="negarabatin"))
    expect(page.get_by_role("heading", name="Kampung Negara Batin")).to_be_visible()
    screenshot(page, "village-home")
    page.goto(balai_server.url("/masuk/", village_slug="negarabatin"))
    page.fill("#id_resident-nik", cast.resident_a_nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    expect(page.get_by_role("heading", name="Halo, Siti Aminah")).to_be_visible()
    screenshot(page, "resident-home")
    # the language switch in the header
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.get_by_role("heading", name="Hello, Siti Aminah")).to_be_visible()
    screenshot(page, "resident-home-en")
