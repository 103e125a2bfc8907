"""A letter's journey in a real Chromium: a resident asks for a surat keterangan domisili,
an operator verifies it, the kepala desa signs it, the resident downloads the PDF, and the
QR code's verification page confirms it. Then the office side: a request entered at the
counter, the letter settings and the field editor. Screenshots at 360 and 1280 px."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from balai.accounts.models import StaffRole, User
from balai.accounts.services import membership_grant
from services.audit.models import AuditEntry
from services.events.models import DomainEvent
from services.letters.models import Letter, LetterCounter, LetterSettings, LetterType
from services.residents.models import Resident
from tenants.models import Village
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import HTMX_READY, BalaiServer, screenshot
from tests.factories import UserFactory

SLUG = "negarabatin"
OPERATOR = "operator-e2e-surat"


@pytest.fixture
def village_a(django_db_blocker):
    """Village A with a committed operator; what the journey commits is removed after."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug=SLUG)
        operator = UserFactory(username=OPERATOR, first_name="Opik")
        membership_grant(user=operator, village=village, role=StaffRole.OPERATOR)
        with schema_context(village.schema_name):
            nik = Resident.objects.get(full_name="Siti Aminah").nik
            before = {
                model: model.objects.order_by("-id").values_list("id", flat=True).first() or 0
                for model in (Letter, LetterCounter, AuditEntry, DomainEvent)
            }
    yield village, nik
    with django_db_blocker.unblock():
        with schema_context(village.schema_name):
            for model, last_id in before.items():
                model.objects.filter(id__gt=last_id).delete()
        User.objects.filter(username=OPERATOR).delete()


def _log_in_staff(page: Page, server: BalaiServer, username: str) -> None:
    page.goto(server.url("/masuk/", village_slug=SLUG))
    page.fill("#id_user-username", username)
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    expect(page.get_by_role("heading", name="Kantor Kampung Negara Batin")).to_be_visible()


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()


def test_a_letter_from_request_to_verified_pdf(
    balai_server: BalaiServer, page: Page, village_a, django_db_blocker, cast
):
    # ``cast`` (last, so village_a has committed before its transaction begins) is what
    # makes pytest-django set up the test database when this file runs alone.
    village, nik = village_a
    # given: the resident logs in and asks for a letter
    page.goto(balai_server.url("/masuk/", village_slug=SLUG))
    page.fill("#id_resident-nik", nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    page.get_by_role("navigation").get_by_role("link", name="Surat saya").click()
    expect(page.get_by_role("heading", name="Surat saya")).to_be_visible()
    page.get_by_role("link", name="Ajukan surat").click()
    screenshot(page, "letters-request-choose")
    page.get_by_role("link", name="Surat Keterangan Domisili").click()
    # a request without its purpose is refused on the field, and nothing is written
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.get_by_text("Keperluan wajib diisi.")).to_be_visible()
    screenshot(page, "letters-request-form-error")
    page.fill("#id_keperluan", "Melamar pekerjaan")
    page.fill("#id_sejak", "2019-03-01")
    screenshot(page, "letters-request-form")
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.get_by_text("Permohonan surat terkirim.")).to_be_visible()
    expect(page.locator(".badge-requested")).to_have_text("Diajukan")
    screenshot(page, "letters-my-detail-requested")
    letter_path = urlsplit(page.url).path
    _log_out(page)

    # when: an operator verifies it from the queue
    _log_in_staff(page, balai_server, OPERATOR)
    page.get_by_role("navigation").get_by_role("link", name="Surat", exact=True).click()
    expect(page.get_by_role("heading", name="Antrean surat")).to_be_visible()
    expect(page.get_by_role("heading", name="Menunggu tanda tangan")).to_have_count(0)
    screenshot(page, "letters-queue-operator")
    page.get_by_role("link", name="Siti Aminah").first.click()
    expect(page.get_by_role("button", name="Tanda tangani")).to_have_count(0)
    screenshot(page, "letters-staff-detail")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator(".badge-verified")).to_be_visible()
    _log_out(page)

    # and the kepala desa signs it
    _log_in_staff(page, balai_server, "alice")
    page.goto(balai_server.url("/kantor/surat/", village_slug=SLUG))
    signing = page.locator("h2#tanda-tangan + .table-wrap")
    signing.get_by_role("link", name="Siti Aminah").first.click()
    page.get_by_role("button", name="Tanda tangani").click()
    expect(page.locator(".badge-signed")).to_be_visible()
    screenshot(page, "letters-staff-detail-signed")
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        letter = Letter.objects.get(pk=int(letter_path.rstrip("/").rsplit("/", 1)[-1]))
    page.goto(balai_server.url("/kantor/surat/arsip/", village_slug=SLUG))
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", letter.number)
    results = page.locator("#archive-results")
    expect(results.get_by_role("link", name=letter.number, exact=True)).to_be_visible()
    screenshot(page, "letters-archive")
    page.goto(balai_server.url("/kantor/surat/templat/", village_slug=SLUG))
    screenshot(page, "letters-templates")
    page.goto(balai_server.url("/kantor/surat/templat/domisili/", village_slug=SLUG))
    page.get_by_role("button", name="Pratinjau", exact=True).click()
    expect(page.locator("#preview")).to_contain_text("NAMA WARGA")
    screenshot(page, "letters-template-edit")
    _log_out(page)

    # then: the resident downloads the PDF
    page.goto(balai_server.url("/masuk/", village_slug=SLUG))
    page.fill("#id_resident-nik", nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    page.goto(balai_server.url(letter_path, village_slug=SLUG))
    expect(page.get_by_text(letter.number)).to_be_visible()
    screenshot(page, "letters-my-detail-signed")
    pdf_href = page.get_by_role("link", name="Unduh surat (PDF)").get_attribute("href")
    # Fetched by the page itself: Playwright's own HTTP client does not resolve *.localhost.
    pdf = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const bytes = new Uint8Array(await response.arrayBuffer());
            return {status: response.status, type: response.headers.get("content-type"),
                    head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length};
        }""",
        pdf_href,
    )
    assert pdf["status"] == 200
    assert pdf["type"] == "application/pdf"
    assert pdf["head"] == "%PDF-" and pdf["size"] > 1000
    page.goto(balai_server.url("/warga/surat/", village_slug=SLUG))
    screenshot(page, "letters-my-list")

    # and the verification page the QR code names confirms the letter
    verification = urlsplit(letter.issued["verification_url"])
    assert verification.hostname == f"{SLUG}.localhost"
    page.goto(balai_server.url(verification.path, village_slug=SLUG))
    expect(page.get_by_text("Surat ini asli")).to_be_visible()
    expect(page.get_by_text(letter.number)).to_be_visible()
    screenshot(page, "letters-verification")


@pytest.fixture
def letter_setup_restored(village_a, django_db_blocker):
    """The settings and the domisili type as they were: the journey below commits changes."""
    village, nik = village_a
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        options = LetterSettings.objects.values().get(id=1)
        fields = LetterType.objects.get(code="domisili").fields
    yield village, nik
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        LetterSettings.objects.filter(id=1).update(**options)
        LetterType.objects.filter(code="domisili").update(fields=fields)


def test_the_office_enters_a_counter_request_and_configures_letters(
    balai_server: BalaiServer, page: Page, letter_setup_restored, django_db_blocker, cast
):
    village, nik = letter_setup_restored
    _log_in_staff(page, balai_server, "alice")
    # given: Siti at the counter; the kepala desa finds her by typing her NIK
    page.get_by_role("link", name="Permohonan di loket").first.click()
    expect(page.get_by_role("heading", name="Permohonan di loket")).to_be_visible()
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", nik[:10])
    results = page.locator("#counter-residents")
    expect(results.get_by_text("Siti Aminah")).to_be_visible()
    screenshot(page, "letters-counter-search")
    results.get_by_role("link", name="Siti Aminah").click()
    screenshot(page, "letters-counter-choose")
    page.get_by_role("link", name="Surat Keterangan Domisili").click()
    # when: sent without the purpose, then with it
    page.get_by_role("button", name="Catat permohonan").click()
    expect(page.get_by_text("Keperluan wajib diisi.")).to_be_visible()
    screenshot(page, "letters-counter-form-error")
    page.fill("#id_keperluan", "Mendaftar BPJS")
    page.get_by_role("button", name="Catat permohonan").click()
    # then: the request is in the office's queue, recorded as made at the counter
    expect(page.get_by_text("Permohonan di loket tercatat.")).to_be_visible()
    expect(page.get_by_text("Di loket oleh petugas")).to_be_visible()
    screenshot(page, "letters-counter-done")
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        letter = Letter.objects.latest("id")
    assert (letter.channel, letter.field_values) == ("counter", {"keperluan": "Mendaftar BPJS"})

    # the kepala desa delegates signing to the sekretaris; a bad format is refused first
    page.goto(balai_server.url("/kantor/surat/", village_slug=SLUG))
    page.get_by_role("link", name="Pengaturan surat").click()
    page.fill("#id_number_format", "{seq}/{gaji}")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Bagian nomor tidak dikenal: {gaji}", exact=False)).to_be_visible()
    screenshot(page, "letters-settings-error")
    page.fill("#id_number_format", "{classification}/{seq:03d}/{village_code}/{month_roman}/{year}")
    page.get_by_label("Sekretaris desa").check()
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pengaturan surat tersimpan.")).to_be_visible()
    screenshot(page, "letters-settings")
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        assert LetterSettings.objects.get(id=1).signer_roles == ["kepala_desa", "sekretaris"]

    # and adds a field to the domisili letter in the first blank row
    page.goto(balai_server.url("/kantor/surat/templat/domisili/", village_slug=SLUG))
    page.get_by_role("link", name="Ubah isian surat").click()
    page.fill("#id_isian-2-name", "status_rumah")
    page.fill("#id_isian-2-label", "Status rumah")
    page.select_option("#id_isian-2-type", "choice")
    page.fill("#id_isian-2-choices", "Milik sendiri\nSewa")
    page.get_by_role("button", name="Simpan isian").click()
    expect(page.get_by_text("Isian surat tersimpan.")).to_be_visible()
    screenshot(page, "letters-fields-edit")
    with django_db_blocker.unblock(), schema_context(village.schema_name):
        fields = LetterType.objects.get(code="domisili").fields
    assert fields[-1]["name"] == "status_rumah"
    assert fields[-1]["choices"] == ["Milik sendiri", "Sewa"]
