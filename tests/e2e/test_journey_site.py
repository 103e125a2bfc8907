"""The village site in a real Chromium: staff publish news and edit the profile, and the
public home shows both; screenshots of the home, an article, the budget page and the news
editor at phone and desktop width."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from services.budget.models import BudgetYear
from services.budget.services import LineInput, budget_line_create
from services.news.models import Article
from services.village.models import VillageProfile
from services.village.services import village_profile_update
from tenants.models import Village
from tests.conftest import PASSWORD
from tests.e2e.conftest import BalaiServer, screenshot

TITLE = "Gotong royong membersihkan saluran air"
ADDRESS = "Jl. Poros Kampung No. 7, Negara Batin"


@pytest.fixture
def village_a_site(balai_server, django_db_blocker):
    """A committed budget for the charts (the server sees only committed rows; no ``db``
    transaction here); afterwards remove what the journey committed."""
    year = timezone.localdate().year
    with django_db_blocker.unblock():
        village = Village.objects.get(slug="negarabatin")
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        before = VillageProfile.objects.values("address", "service_hours").get(id=1)
        for kind, sector, budget, realised in (
            ("pendapatan", "dana_desa", "1023456000", "800000000"),
            ("pendapatan", "alokasi_dana_desa", "412300000", "309225000"),
            ("belanja", "pemerintahan", "480000000", "360000000"),
            ("belanja", "pembangunan", "610000000", "452500000"),
            ("belanja", "pemberdayaan", "120000000", "64250500"),
        ):
            budget_line_create(
                year=year,
                line=LineInput(
                    kind=kind,
                    sector=sector,
                    description=f"Uji {sector}",
                    budget=budget,
                    realised=realised,
                ),
            )
    yield village
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        Article.objects.filter(title=TITLE).delete()
        BudgetYear.objects.filter(year=year).delete()
        # Through the service, so the cached home data is forgotten too.
        village_profile_update(changes=before)


def test_staff_publish_news_and_edit_the_profile_then_the_home_shows_them(
    balai_server: BalaiServer, page: Page, village_a_site
):
    slug = village_a_site.slug
    # given: alice, kepala kampung of Negara Batin, logs in
    page.goto(balai_server.url("/masuk/", village_slug=slug))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    page.get_by_role("link", name="Berita dan pengumuman").first.click()
    expect(page.get_by_role("heading", name="Berita dan pengumuman")).to_be_visible()

    # when: she writes and publishes a news item
    page.get_by_role("link", name="Tulis berita").click()
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Warga dusun bersama membersihkan saluran sebelum musim hujan.")
    page.fill("#id_body", "Sabtu pagi warga bekerja bakti.\n\nTerima kasih semua.")
    screenshot(page, "site-news-editor")
    page.get_by_role("button", name="Simpan dan terbitkan").click()
    expect(page.get_by_text("Artikel disimpan.")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(page, "site-staff-news")

    # and edits the office address
    page.goto(balai_server.url("/kantor/profil/", village_slug=slug))
    page.fill("#id_address", ADDRESS)
    page.fill("#id_service_hours", "Senin-Jumat 08.00-14.00")
    screenshot(page, "site-profile-editor")
    page.get_by_role("button", name="Simpan profil").click()
    expect(page.get_by_text("Profil disimpan.")).to_be_visible()

    # then: an anonymous visitor sees both on the public home
    visitor = page.context.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="id-ID"
    )
    try:
        public = visitor.new_page()
        public.goto(balai_server.url("/", village_slug=slug))
        expect(public.get_by_role("heading", name="Kampung Negara Batin")).to_be_visible()
        expect(public.get_by_text(ADDRESS)).to_be_visible()
        expect(public.get_by_role("link", name=TITLE)).to_be_visible()
        expect(public.locator("svg.chart")).to_be_visible()
        screenshot(public, "site-home")
        public.get_by_role("link", name=TITLE).click()
        expect(public.get_by_role("heading", name=TITLE)).to_be_visible()
        screenshot(public, "site-article")
        public.goto(balai_server.url("/anggaran/", village_slug=slug))
        expect(public.get_by_role("rowheader", name="Pelaksanaan Pembangunan Desa")).to_be_visible()
        expect(public.locator("svg.chart")).to_have_count(2)
        screenshot(public, "site-budget")
    finally:
        visitor.close()


def test_a_visitor_finds_news_budget_and_login_from_the_home_on_a_phone(
    balai_server: BalaiServer, page: Page, cast
):
    # ``cast`` (read only) also makes this session set up the test database.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(balai_server.url("/", village_slug=cast.village_a.slug))
    services = page.get_by_role("region", name="Layanan")
    for name in ("Berita", "Pengumuman", "Anggaran (APBDes)"):
        expect(services.get_by_role("link", name=name, exact=True)).to_be_visible()
    services.get_by_role("link", name="Anggaran (APBDes)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("APBDes")
    page.go_back()
    page.get_by_role("link", name="Masuk sebagai warga atau perangkat desa").click()
    expect(page).to_have_url(balai_server.url("/masuk/", village_slug=cast.village_a.slug))
