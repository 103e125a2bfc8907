"""A kecamatan supervisor's journey in a real Chromium: the region's dashboard, the
per-village comparison (which shows a village's new figures once the roll-up has run),
overdue complaints and duplicate NIKs, with screenshots at phone and desktop width."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from balai.accounts.models import User
from balai.celery_app import SCHEMA_HEADER
from balai.onboarding.models import PlatformAuditEvent
from balai.onboarding.services import village_onboard
from balai.regions.models import VILLAGE_LEVELS, Region
from balai.rollups.models import RollupOutcome, VillageDailyIndicators
from balai.rollups.services import village_rollup
from balai.rollups.tasks import rollup_village
from balai.supervision.models import (
    ComplaintEscalation,
    ComplaintVillageCounts,
    NikFingerprint,
)
from services.residents.models import Resident
from services.residents.services import resident_create
from tenants.models import Village
from tenants.offboarding import village_delete
from tests.conftest import PASSWORD
from tests.e2e.conftest import BalaiServer, screenshot
from tests.factories import ResidentFactory, make_nik

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


# --- a new village, onboarded, filled and rolled up while the supervisor watches --------

NEW_VILLAGE_SLUG = "e2ebarusuper"
NEW_VILLAGE_ADMIN = "e2e-super2-kepala"


@pytest.fixture
def new_village(django_db_blocker, settings):
    """A village onboarded in carol's kecamatan (a free code of 18.08.11 from the bundled
    regions) with three residents added through the residents service; offboarded with
    every public row it left behind afterwards."""
    settings.BALAI_SCHEMA_POOL_SIZE = 0  # no pool refill queued for the live worker
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        taken = set(Village.objects.values_list("region_id", flat=True))
        region = (
            Region.objects.filter(code__startswith="18.08.11.", level__in=VILLAGE_LEVELS)
            .exclude(code__in=taken)
            .order_by("-code")
            .first()
        )
        result = village_onboard(
            region_code=region.code,
            slug=NEW_VILLAGE_SLUG,
            admin_username=NEW_VILLAGE_ADMIN,
            admin_password="Rahasia-e2e-2026!",
        )
        village = result.village
        with schema_context(village.schema_name):
            for n, name in enumerate(NEW_RESIDENTS):
                resident_create(
                    actor=result.admin,
                    data={
                        "full_name": name,
                        "sex": "P" if n % 2 else "L",
                        "birth_date": datetime.date(1990 + n, 3, 4),
                        "nik": make_nik(birth=datetime.date(1990 + n, 3, 4), female=bool(n % 2)),
                    },
                )
        connection.set_schema_to_public()
    yield village
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        village = Village.objects.get(pk=village.pk)
        village_delete(village=village, confirm=village.slug)
        NikFingerprint.objects.filter(village_code=village.region_id).delete()
        PlatformAuditEvent.objects.filter(village_code=village.region_id).delete()
        User.objects.filter(username=NEW_VILLAGE_ADMIN).delete()
        assert not VillageDailyIndicators.objects.filter(region_code=village.region_id).exists()


def test_a_supervisor_sees_a_new_villages_figures_after_the_roll_up(
    balai_server: BalaiServer, page: Page, new_village, live_worker, django_db_blocker
):
    code, name = new_village.region_id, new_village.name
    page.goto(balai_server.url("/masuk/"))
    page.fill("#id_user-username", "carol")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    expect(page.get_by_role("heading", name="Dasbor wilayah")).to_be_visible()

    # Before the roll-up the new village is listed without figures.
    page.goto(balai_server.url(f"/pengawas/desa/{code}/"))
    expect(page.get_by_text("Belum ada rekap harian")).to_be_visible()

    # The roll-up the beat task runs (balai.rollups.village), through the live worker.
    with django_db_blocker.unblock():
        sent = rollup_village.apply_async(headers={SCHEMA_HEADER: new_village.schema_name})
        assert live_worker.result(sent)["ok"] is True
        connection.set_schema_to_public()

    page.goto(balai_server.url("/pengawas/perbandingan/"))
    row = page.locator(f'tbody tr:has(th:has-text("{code}"))')
    expect(row.locator("td").first).to_have_text(str(len(NEW_RESIDENTS)))
    row.get_by_role("link", name=name).click()

    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator(".stats .stat").first).to_have_text(str(len(NEW_RESIDENTS)))
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_role("link", name="Beranda publik desa")).to_have_attribute(
        "href", re.compile(rf"//{NEW_VILLAGE_SLUG}\.localhost:\d+/$")
    )
    screenshot(page, "supervisor-village")
    page.get_by_role("link", name="365 hari").click()
    expect(page.get_by_role("link", name="365 hari")).to_have_attribute("aria-current", "page")
