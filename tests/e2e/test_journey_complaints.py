"""A complaint's journey in a real Chromium: a person files it without logging in, follows
it with the tracking code, staff respond from the queue, and the tracking page shows it."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from services.audit.models import AuditEntry
from services.complaints.models import Complaint
from services.events.models import DomainEvent
from services.notifications.models import Message
from tenants.models import Village
from tests.complaints_support import rate_limits_clear
from tests.conftest import PASSWORD
from tests.e2e.conftest import BalaiServer, screenshot

SLUG = "negarabatin"


@pytest.fixture
def filed_by_the_browser(django_db_blocker):
    """Remove what the journey commits through the server in village A."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug=SLUG)
        with schema_context(village.schema_name):
            before = {
                model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for model in (Complaint, DomainEvent, Message, AuditEntry)
            }
    rate_limits_clear()
    yield
    rate_limits_clear()
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        for model in (Message, DomainEvent, AuditEntry, Complaint):
            model.objects.filter(pk__gt=before[model]).delete()


def test_a_person_files_anonymously_tracks_it_and_sees_the_staff_response(
    balai_server: BalaiServer, page: Page, browser, filed_by_the_browser
):
    # given: someone without an account opens the complaint form of village A
    page.goto(balai_server.url("/pengaduan/", village_slug=SLUG))
    expect(page.get_by_role("heading", name="Sampaikan pengaduan")).to_be_visible()
    screenshot(page, "complaint-file")

    # when: a first try without a phone number is refused on that field
    page.select_option("#id_category", "air-bersih")
    page.fill("#id_description", "Air bersih tidak mengalir sejak Senin di Dusun I.")
    page.get_by_role("button", name="Kirim pengaduan").click()
    expect(page.get_by_text("Nomor HP wajib diisi jika tidak masuk sebagai warga.")).to_be_visible()

    # and the complaint is sent with one
    page.fill("#id_phone", "0812 3456 7890")
    page.get_by_role("button", name="Kirim pengaduan").click()

    # then: the confirmation shows the tracking code
    expect(page.get_by_role("heading", name="Pengaduan terkirim")).to_be_visible()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code) == 10
    screenshot(page, "complaint-filed")
    page.get_by_role("link", name="Lacak pengaduan ini").click()
    expect(page.get_by_role("heading", name=f"{code} · Air bersih")).to_be_visible()
    expect(page.get_by_text("Baru", exact=True).first).to_be_visible()
    assert "3456" not in page.content()

    # when: the kepala desa finds it in the queue and responds publicly
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    try:
        office = staff.new_page()
        office.goto(balai_server.url("/masuk/?next=/kantor/pengaduan/", village_slug=SLUG))
        office.fill("#id_user-username", "alice")
        office.fill("#id_user-password", PASSWORD)
        office.locator("form:has(#id_user-username) button[type=submit]").click()
        expect(office.get_by_role("heading", name="Pengaduan masuk")).to_be_visible()
        screenshot(office, "complaint-queue")
        office.get_by_role("link", name=code).click()
        office.fill("#id_note", "Petugas sudah memperbaiki pipa di Dusun I.")
        office.get_by_role("button", name="Kirim tanggapan").click()
        expect(office.get_by_text("Perubahan disimpan.")).to_be_visible()
        office.select_option("#id_status", "in_progress")
        office.get_by_role("button", name="Simpan status").click()
        expect(office.get_by_role("heading", name=f"Pengaduan {code}")).to_contain_text("Diproses")
        screenshot(office, "complaint-staff-detail")
    finally:
        staff.close()

    # then: the tracking page shows the response and the new status
    page.reload()
    expect(page.get_by_text("Petugas sudah memperbaiki pipa di Dusun I.")).to_be_visible()
    expect(page.get_by_text("Diproses").first).to_be_visible()
    screenshot(page, "complaint-track")
