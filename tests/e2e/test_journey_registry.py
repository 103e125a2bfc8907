"""The population register in a real Chromium, with a real worker: an operator finds a
resident, opens the record, and imports a file with bad rows to read the per-row report."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from services.audit.models import AuditEntry
from services.imports.models import ImportJob
from services.residents.models import Resident
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import HTMX_READY, BalaiServer, screenshot
from tests.test_import_residents import person, register_csv

pytestmark = pytest.mark.worker


@pytest.fixture
def bad_register_file(tmp_path, cast, django_db_blocker):
    """A register file of four people, two of them wrong; what the journey commits in
    village B (the import job and the audit rows of its reads) is removed afterwards."""
    rows = [person(nama=f"Jalan {i}", no_kk="", hubungan_keluarga="") for i in range(4)]
    rows[1]["tanggal_lahir"] = "2999-01-01"
    rows[2]["nik"] = "12345"
    path = tmp_path / "penduduk-desa.csv"
    path.write_bytes(register_csv(rows))
    started = timezone.now()
    yield path
    with django_db_blocker.unblock(), schema_context(cast.village_b.schema_name):
        ImportJob.objects.filter(created_at__gte=started).delete()
        AuditEntry.objects.filter(created_at__gte=started).delete()


def test_an_operator_imports_a_file_with_bad_rows_and_reads_the_report(
    balai_server: BalaiServer, page: Page, cast, live_worker, bad_register_file
):
    # given: bob, the operator of village B, logs in there
    page.goto(balai_server.url("/masuk/", village_slug="purwaagung"))
    page.fill("#id_user-username", "bob")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    page.get_by_role("navigation").get_by_role("link", name="Penduduk").click()

    # the list, searched as he types
    expect(page.get_by_role("heading", name="Penduduk", exact=True)).to_be_visible()
    results = page.locator("#resident-results")
    expect(results.get_by_role("link", name="Budi Santoso")).to_be_visible()
    screenshot(page, "registry-list")
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "tidak-ada-orang-ini")
    expect(results.get_by_text("Tidak ada penduduk", exact=True)).to_be_visible()
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "budi")
    results.get_by_role("link", name="Budi Santoso").click()

    # the record
    expect(page.get_by_role("heading", name="Budi Santoso")).to_be_visible()
    expect(page.get_by_role("heading", name="Riwayat peristiwa kependudukan")).to_be_visible()
    screenshot(page, "registry-detail")

    # a registration with nothing filled in is refused field by field
    page.goto(balai_server.url("/kantor/penduduk/baru/", village_slug="purwaagung"))
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Nama wajib diisi.")).to_be_visible()
    screenshot(page, "registry-new-errors")
    page.goto(balai_server.url("/kantor/keluarga/", village_slug="purwaagung"))
    expect(page.get_by_role("heading", name="Keluarga (KK)", exact=True)).to_be_visible()
    screenshot(page, "registry-families")

    # when: he uploads a file with two bad rows
    page.goto(balai_server.url("/kantor/impor/", village_slug="purwaagung"))
    screenshot(page, "registry-import")
    page.set_input_files("#id_file", str(bad_register_file))
    page.get_by_role("button", name="Unggah dan periksa").click()

    # then: the page follows the worker and ends on the report by row and column
    expect(page.get_by_role("heading", name="Laporan per baris")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("2 baris salah; tidak ada yang diimpor")).to_be_visible()
    report = page.locator("table.report")
    expect(report.get_by_role("row").filter(has_text="tanggal_lahir")).to_contain_text("3")
    expect(report.get_by_role("row").filter(has_text="nik").first).to_contain_text("4")
    screenshot(page, "registry-import-report")
    with schema_context(cast.village_b.schema_name):
        assert not Resident.objects.filter(full_name__startswith="Jalan ").exists()
        assert Resident.objects.filter(birth_date__gt=datetime.date.today()).count() == 0


@pytest.fixture
def audit_rows_removed(cast, django_db_blocker):
    """The audit rows the server commits in village A while the resident reads."""
    started = timezone.now()
    yield
    with django_db_blocker.unblock(), schema_context(cast.village_a.schema_name):
        AuditEntry.objects.filter(created_at__gte=started).delete()


def test_a_resident_reads_their_own_data(
    balai_server: BalaiServer, page: Page, cast, audit_rows_removed
):
    page.goto(balai_server.url("/masuk/", village_slug="negarabatin"))
    page.fill("#id_resident-nik", cast.resident_a_nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    page.get_by_role("navigation").get_by_role("link", name="Data saya").click()
    expect(page.get_by_role("heading", name="Data saya")).to_be_visible()
    expect(page.get_by_text(cast.resident_a_nik)).to_be_visible()
    screenshot(page, "registry-my-data")
