"""The village office in a real Chromium: the kepala desa adds an operator, who logs in
and finds their dashboard; screenshots of the office pages at phone and desktop width."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from balai.accounts.models import User
from services.audit.models import AuditEntry
from tenants.models import Village
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import BalaiServer, screenshot

VILLAGE = "negarabatin"
OPERATOR = "operator-e2e"
OPERATOR_PASSWORD = "sandi-operator-e2e-1"


def _log_in(page: Page, username: str, password: str) -> None:
    page.fill("#id_user-username", username)
    page.fill("#id_user-password", password)
    page.locator("form:has(#id_user-username) button[type=submit]").click()


@pytest.fixture
def operator_added_by_the_browser(django_db_blocker):
    """Remove what the journey commits through the server: the operator and the log
    entries the server wrote meanwhile."""
    started = timezone.now()
    yield OPERATOR
    with django_db_blocker.unblock():
        User.objects.filter(username=OPERATOR).delete()
        village = Village.objects.get(slug=VILLAGE)
        with schema_context(village.schema_name):
            AuditEntry.objects.filter(created_at__gte=started).delete()


def test_the_kepala_desa_adds_an_operator_who_then_finds_their_dashboard(
    balai_server: BalaiServer, page: Page, operator_added_by_the_browser
):
    # given: the kepala desa is in the office
    page.goto(balai_server.url("/masuk/", village_slug=VILLAGE))
    _log_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="Kantor Kampung Negara Batin")).to_be_visible()
    expect(page.get_by_role("heading", name="Pekerjaan hari ini")).to_be_visible()
    screenshot(page, "office-dashboard")

    # when: she adds an operator on the staff page
    page.get_by_role("link", name="Staf dan peran").click()
    expect(page.get_by_role("heading", name="Staf dan peran", exact=True)).to_be_visible()
    page.fill("#id_new-username", OPERATOR)
    page.fill("#id_new-first_name", "Opi Operator")
    page.select_option("#id_new-role", "operator")
    page.fill("#id_new-password", OPERATOR_PASSWORD)
    page.get_by_role("button", name="Tambah staf").click()

    # then: the list shows the operator, and the change is in the audit log
    expect(page.get_by_text(f"{OPERATOR} kini Operator.")).to_be_visible()
    expect(page.get_by_role("heading", name="Opi Operator")).to_be_visible()
    screenshot(page, "office-staff")
    page.goto(balai_server.url("/kantor/audit/", village_slug=VILLAGE))
    expect(page.get_by_role("cell", name="Peran staf", exact=False).first).to_be_visible()
    screenshot(page, "office-audit")
    page.goto(balai_server.url("/kantor/statistik/", village_slug=VILLAGE))
    expect(page.get_by_role("heading", name="Piramida penduduk")).to_be_visible()
    screenshot(page, "office-statistics")

    # when: the operator logs in
    page.get_by_role("button", name="Keluar").click()
    page.goto(balai_server.url("/masuk/", village_slug=VILLAGE))
    _log_in(page, OPERATOR, OPERATOR_PASSWORD)

    # then: their dashboard, without the kepala desa's pages
    expect(page.get_by_role("heading", name="Kantor Kampung Negara Batin")).to_be_visible()
    expect(page.get_by_text("Anda masuk sebagai Opi Operator, Operator.")).to_be_visible()
    expect(page.get_by_role("link", name="Staf dan peran")).to_have_count(0)
    screenshot(page, "office-dashboard-operator")
    page.goto(balai_server.url("/kantor/staf/", village_slug=VILLAGE))
    expect(page.get_by_role("heading", name="Halaman ini bukan untuk akun Anda")).to_be_visible()


def test_the_resident_hub(balai_server: BalaiServer, page: Page, cast, django_db_blocker):
    started = timezone.now()
    page.goto(balai_server.url("/masuk/", village_slug=VILLAGE))
    page.fill("#id_resident-nik", cast.resident_a_nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    expect(page.get_by_role("heading", name="Halo, Siti Aminah")).to_be_visible()
    expect(page.get_by_role("heading", name="Layanan saya")).to_be_visible()
    screenshot(page, "office-resident-hub")
    with django_db_blocker.unblock(), schema_context(cast.village_a.schema_name):
        AuditEntry.objects.filter(created_at__gte=started).delete()
