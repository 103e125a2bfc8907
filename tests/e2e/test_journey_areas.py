"""The village areas page in a real Chromium: alice finds it in the dashboard's grouped menu,
adds a dusun, an RW under it (through the dusun's own "add here" link) and an RT under that;
screenshots of the dashboard and the areas page at phone and desktop width."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from services.village.home_cache import home_cache_forget
from services.village.models import Area
from tenants.models import Village
from tests.conftest import PASSWORD
from tests.e2e.conftest import BalaiServer, screenshot

DUSUN = "Sukamaju Uji"


@pytest.fixture(scope="module")
def village_a(django_db_setup, django_db_blocker):
    """Village A; afterwards (outside the test's transaction) remove the areas the journey
    committed through the server: RT, RW, then the dusun."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug="negarabatin")
    yield village
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        Area.objects.filter(level="rt", parent__parent__name=DUSUN).delete()
        Area.objects.filter(level="rw", parent__name=DUSUN).delete()
        Area.objects.filter(level="dusun", name=DUSUN).delete()
        home_cache_forget()  # the public home lists the dusun


def test_alice_adds_a_dusun_an_rw_and_an_rt_under_it(
    balai_server: BalaiServer, page: Page, village_a, cast
):
    # ``cast`` (read only) also makes this session set up the test database.
    slug = village_a.slug
    # given: alice, kepala kampung of Negara Batin, logs in and lands on the dashboard
    page.goto(balai_server.url("/masuk/", village_slug=slug))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    group = page.get_by_role("region", name="Informasi desa")
    expect(group.get_by_role("link", name="Wilayah desa")).to_be_visible()
    screenshot(page, "areas-dashboard")

    # when: she opens the areas page and adds a dusun
    group.get_by_role("link", name="Wilayah desa").click()
    expect(page.get_by_role("heading", name="Wilayah desa", level=1)).to_be_visible()
    page.select_option("#id_level", "dusun")
    page.fill("#id_name", DUSUN)
    page.get_by_role("button", name="Tambah", exact=True).click()
    expect(page.get_by_text(f"Dusun {DUSUN} ditambahkan.")).to_be_visible()

    # and an RW through the dusun's own link, which chooses the parent and level for her
    dusun = page.locator("li[id^=wilayah-]").filter(has_text=f"Dusun {DUSUN}").first
    dusun.locator("summary").first.click()
    dusun.get_by_role("link", name="Tambah RW di sini").click()
    expect(page.locator("#id_level")).to_have_value("rw")
    page.fill("#id_name", "07")
    page.get_by_role("button", name="Tambah", exact=True).click()
    expect(page.get_by_text("RW 07 ditambahkan.")).to_be_visible()

    # and an RT under that RW, choosing it from the list
    page.select_option("#id_level", "rt")
    page.select_option("#id_parent", label=f"RW 07 (Dusun {DUSUN})")
    page.fill("#id_name", "003")
    page.get_by_role("button", name="Tambah", exact=True).click()

    # then: the tree shows the RT under the RW under the dusun, with no residents yet
    expect(page.get_by_text("RT 003 ditambahkan.")).to_be_visible()
    dusun = page.locator("li[id^=wilayah-]").filter(has_text=f"Dusun {DUSUN}").first
    rt_count = dusun.locator(".area-name:text-is('RT 003') + .area-count")
    expect(rt_count).to_have_text("0 penduduk")
    screenshot(page, "areas-tree")

    # and a second RT with the same name under the same RW is refused on the name field
    page.select_option("#id_level", "rt")
    page.select_option("#id_parent", label=f"RW 07 (Dusun {DUSUN})")
    page.fill("#id_name", "003")
    page.get_by_role("button", name="Tambah", exact=True).click()
    expect(page.locator("#tambah .errorlist")).to_contain_text("sudah ada di bawah induk")
