"""A complaint's journey in a real Chromium: a person files it without logging in, follows
it with the tracking code, staff respond from the queue, and the tracking page shows it."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from services.audit.models import AuditEntry
from services.complaints.models import Complaint, ComplaintSettings
from services.events.models import DomainEvent
from services.notifications.models import Message
from tenants.models import Village
from tests.complaints_support import complaint_make, image_bytes, rate_limits_clear
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
        office.select_option("#status_status", "in_progress")
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


def _staff_login(page: Page, server: BalaiServer, next_path: str) -> None:
    page.goto(server.url(f"/masuk/?next={next_path}", village_slug=SLUG))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()


@pytest.fixture
def staff_tools_data(django_db_blocker, filed_by_the_browser):
    """Two complaints (one a duplicate), a failed message; the settings put back after."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug=SLUG)
        original = complaint_make(village, description="Pipa induk bocor di Dusun II.")
        duplicate = complaint_make(village, description="Pipa bocor lagi di Dusun II.")
        with schema_context(village.schema_name):
            grace = ComplaintSettings.objects.get(id=1).escalate_after_days
            failed = Message.objects.create(
                recipient_kind="reporter",
                recipient_id=original.tracking_code,
                channel="sms",
                template_key="complaint.replied",
                body="Pengaduan Anda ditanggapi.",
                idempotency_key=f"e2e:{original.tracking_code}:sms",
                status="failed",
                attempts=5,
                last_error="sms-utama: nomor tidak aktif",
                next_attempt_at=original.created_at,
            )
    yield original, duplicate, failed
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        ComplaintSettings.objects.filter(id=1).update(escalate_after_days=grace)
        # duplicate_of protects the original: unlink before the complaints are removed
        Complaint.objects.filter(pk=duplicate.pk).update(duplicate_of=None)


def test_a_person_files_with_three_photos(
    balai_server: BalaiServer, page: Page, filed_by_the_browser, tmp_path, django_db_blocker
):
    photos = []
    for n in range(3):
        path = tmp_path / f"foto-{n}.jpg"
        path.write_bytes(image_bytes())
        photos.append(str(path))
    page.goto(balai_server.url("/pengaduan/", village_slug=SLUG))
    page.select_option("#id_category", "jalan")
    # the category's question is swapped in
    page.select_option("#id_attr_tingkat_kerusakan", "berat")
    page.fill("#id_description", "Jalan berlubang besar di depan balai kampung.")
    page.fill("#id_phone", "0812 3456 7891")
    page.set_input_files("#id_photos", photos)
    page.get_by_role("button", name="Kirim pengaduan").click()
    expect(page.get_by_role("heading", name="Pengaduan terkirim")).to_be_visible()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    with django_db_blocker.unblock():
        with schema_context(Village.objects.get(slug=SLUG).schema_name):
            assert Complaint.objects.get(tracking_code=code).photos.count() == 3


def test_staff_merge_hide_set_escalation_and_send_a_message_again(
    balai_server: BalaiServer, page: Page, staff_tools_data, django_db_blocker
):
    original, duplicate, failed = staff_tools_data
    # the kepala desa merges the duplicate into the original
    _staff_login(page, balai_server, f"/kantor/pengaduan/{duplicate.tracking_code}/")
    expect(page.get_by_role("heading", name=f"Pengaduan {duplicate.tracking_code}")).to_be_visible()
    page.fill("#merge_original", original.tracking_code)
    page.get_by_role("button", name="Gabungkan", exact=True).click()
    expect(page.get_by_text("Duplikat dari", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=original.tracking_code)).to_be_visible()
    screenshot(page, "complaint-merged")

    # and hides the original's wording from the public, then the form offers to show it
    page.get_by_role("link", name=original.tracking_code).click()
    page.fill("#visibility_reason", "Memuat nama orang tanpa izin.")
    page.get_by_role("button", name="Sembunyikan", exact=True).click()
    expect(page.get_by_role("button", name="Tampilkan lagi")).to_be_visible()
    expect(page.get_by_text("Memuat nama orang tanpa izin.").first).to_be_visible()
    screenshot(page, "complaint-hidden")

    # the escalation settings: a bad value is refused on its field, a good one saved
    page.goto(balai_server.url("/kantor/pengaduan/pengaturan/", village_slug=SLUG))
    page.fill("#id_escalate_after_days", "120")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Isi antara 0 dan 90 hari.")).to_be_visible()
    page.fill("#id_escalate_after_days", "5")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pengaturan eskalasi disimpan.")).to_be_visible()
    screenshot(page, "complaint-settings")

    # the delivery log: the failed message is sent again (htmx swaps the table)
    page.goto(balai_server.url("/kantor/notifikasi/?status=failed", village_slug=SLUG))
    expect(page.get_by_text("sms-utama: nomor tidak aktif")).to_be_visible()
    page.get_by_role("button", name=f"Kirim ulang pesan {failed.pk}").click()
    expect(page.get_by_text("Pesan diantrekan untuk dikirim ulang.")).to_be_visible()
    screenshot(page, "notification-log-retry")
    with django_db_blocker.unblock():
        with schema_context(Village.objects.get(slug=SLUG).schema_name):
            failed.refresh_from_db()
            grace = ComplaintSettings.objects.get(id=1).escalate_after_days
    # the message is back in the outbox with fresh attempts (5 before); when a live worker of
    # an earlier test is still running it may already have tried the (unreachable) gateway
    assert (failed.status, failed.attempts) == ("created", 0) or failed.attempts < 5
    assert grace == 5
