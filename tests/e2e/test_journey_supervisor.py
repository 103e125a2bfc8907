"""A kecamatan supervisor's journey in a real Chromium: the region's dashboard, the
per-village comparison (which shows a village's new figures once the roll-up has run),
overdue complaints and duplicate NIKs, with screenshots at phone and desktop width."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from balai.rollups.models import RollupOutcome, VillageDailyIndicators
from balai.rollups.services import village_rollup
from balai.supervision.models import (
    ComplaintEscalation,
    ComplaintVillageCounts,
    NikFingerprint,
)
from services.residents.models import Resident
from tenants.models import Village
from tests.conftest import PASSWORD
from tests.e2e.conftest import BalaiServer, screenshot
from tests.factories import ResidentFactory

NEW_RESIDENTS = ("Warga Baru Satu", "Warga Baru Dua", "Warga Baru Tiga")


@pytest.fixture
def region_data(django_db_blocker):
    """Committed public rows for the overdue and duplicate pages; everything the journey
    commits (roll-up rows, new residents) is removed afterwards."""
    with django_db_blocker.unblock():
        village_a = Village.objects.get(region_id="18.08.11.2001")
        village_b = Village.objects.get(region_id="18.08.11.2002")
        now = timezone.now()
        ComplaintEscalation.objects.create(
            village=village_a,
            region_code=village_a.region_id,
            kecamatan_code=village_a.kecamatan_code,
            kabupaten_code=village_a.kabupaten_code,
            complaint_id=990001,
            tracking_code="E2E-TLT1",
            category_code="jalan",
            category_name="Jalan rusak",
            opened_at=now - datetime.timedelta(days=14),
            target_at=now - datetime.timedelta(days=7),
            escalated_at=now - datetime.timedelta(days=4),
        )
        ComplaintVillageCounts.objects.create(
            village=village_a,
            kecamatan_code=village_a.kecamatan_code,
            kabupaten_code=village_a.kabupaten_code,
            open_count=3,
            overdue_count=1,
            escalated_open_count=1,
            refreshed_at=now,
        )
        for village in (village_a, village_b):
            NikFingerprint.objects.create(
                nik_hash="e2e-duplicate",
                masked_nik="1808**********99",
                village_code=village.region_id,
                kecamatan_code=village.kecamatan_code,
                kabupaten_code=village.kabupaten_code,
            )
    yield village_a, village_b
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        ComplaintEscalation.objects.filter(tracking_code="E2E-TLT1").delete()
        ComplaintVillageCounts.objects.filter(village=village_a).delete()
        NikFingerprint.objects.filter(nik_hash="e2e-duplicate").delete()
        VillageDailyIndicators.objects.filter(village__in=[village_a, village_b]).delete()
        RollupOutcome.objects.filter(village__in=[village_a, village_b]).delete()
        with schema_context(village_a.schema_name):
            Resident.objects.filter(full_name__in=NEW_RESIDENTS).delete()
        connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_supervisor_navigation_leads_to_every_page_of_the_journey(cast, public_client):
    # A test that asks for the database, so pytest-django makes it when this file runs alone.
    public_client.force_login(cast.carol)
    body = public_client.get("/pengawas/").content.decode()
    pages = ("/pengawas/perbandingan/", "/pengawas/pengaduan-terlambat/", "/pengawas/nik-ganda/")
    for path in pages:
        assert f'href="{path}"' in body


def _roll_up(django_db_blocker, *villages) -> None:
    """What the nightly beat task does for each village (balai.rollups.tasks.rollup_village)."""
    with django_db_blocker.unblock():
        for village in villages:
            village_rollup(village=village, day=timezone.localdate())
        connection.set_schema_to_public()


def _population_cell(page: Page, village: str):
    return page.locator(f'tbody tr:has(th:has-text("{village}")) td').first


def test_a_supervisor_sees_a_villages_new_figures_after_the_roll_up(
    balai_server: BalaiServer, page: Page, region_data, django_db_blocker
):
    village_a, village_b = region_data
    _roll_up(django_db_blocker, village_a, village_b)
    with django_db_blocker.unblock():
        before = VillageDailyIndicators.objects.get(
            village=village_a, date=timezone.localdate()
        ).population_total

    page.goto(balai_server.url("/masuk/"))
    page.fill("#id_user-username", "carol")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    expect(page.get_by_role("heading", name="Dasbor wilayah")).to_be_visible()
    expect(page.get_by_role("heading", name="Ringkasan wilayah")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot(page, "supervisor-dashboard-figures")

    page.get_by_role("link", name="Perbandingan desa").first.click()
    expect(page.get_by_role("heading", name="Perbandingan desa")).to_be_visible()
    expect(_population_cell(page, "Negara Batin")).to_have_text(str(before))
    expect(page.locator("tbody")).not_to_contain_text("Desa C")
    screenshot(page, "supervisor-compare")

    # Three people move into village A; the page shows them once the roll-up has run.
    with django_db_blocker.unblock():
        with schema_context(village_a.schema_name):
            for name in NEW_RESIDENTS:
                ResidentFactory(full_name=name)
        connection.set_schema_to_public()
    page.reload()
    expect(_population_cell(page, "Negara Batin")).to_have_text(str(before))
    _roll_up(django_db_blocker, village_a)
    page.reload()
    expect(_population_cell(page, "Negara Batin")).to_have_text(str(before + 3))

    # Sorting by population puts the largest village first.
    page.get_by_role("link", name="Penduduk").click()
    expect(page.locator("tbody tr").first).to_contain_text("Negara Batin")

    page.get_by_role("link", name="Pengaduan terlambat").first.click()
    expect(page.get_by_role("cell", name="E2E-TLT1")).to_be_visible()
    screenshot(page, "supervisor-overdue")

    page.get_by_role("link", name="NIK ganda").first.click()
    expect(page.get_by_role("cell", name="1808**********99")).to_be_visible()
    screenshot(page, "supervisor-duplicates")
