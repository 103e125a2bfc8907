"""A training programme in a real Chromium: a resident registers, staff take attendance on
the day, the resident downloads their certificate; screenshots of the programme list, a
programme's page and the attendance page at phone and desktop width."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from services.programmes.models import Programme, Registration
from services.residents.models import Resident
from tenants.models import Village
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import BalaiServer, screenshot

TITLE = "Kelas literasi digital: aman bertransaksi daring"


@pytest.fixture
def open_programme(django_db_blocker) -> Iterator[dict]:
    """An open programme of village A in a week, committed for the server; removed after."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug="negarabatin")
        start = timezone.now() + datetime.timedelta(days=7)
        with tenant_context(village):
            programme = Programme.objects.create(
                title=TITLE,
                description="Mengenali penipuan daring dan menjaga PIN.",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=3),
                place="Balai Kampung Negara Batin",
                capacity=20,
                target_group="semua",
                status="open",
            )
            nik = Resident.objects.get(full_name="Siti Aminah").nik
        connection.set_schema_to_public()
    try:
        yield {"village": village, "programme": programme, "nik": nik}
    finally:
        with django_db_blocker.unblock():
            with tenant_context(village):
                Registration.objects.filter(programme=programme).delete()
                programme.delete()
            connection.set_schema_to_public()


def _resident_logs_in(page: Page, server: BalaiServer, nik: str) -> None:
    page.goto(server.url("/masuk/", village_slug="negarabatin"))
    page.fill("#id_resident-nik", nik)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    expect(page.get_by_role("heading", name="Halo, Siti Aminah")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()


def test_a_resident_registers_staff_take_attendance_and_the_certificate_downloads(
    balai_server: BalaiServer, page: Page, open_programme, django_db_blocker, tmp_path: Path
):
    village, programme = open_programme["village"], open_programme["programme"]

    # given: the resident finds the programme on the village's training page
    _resident_logs_in(page, balai_server, open_programme["nik"])
    page.goto(balai_server.url("/pelatihan/", village_slug="negarabatin"))
    expect(page.get_by_role("heading", name="Pelatihan dan literasi digital")).to_be_visible()
    screenshot(page, "learning-programmes")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    screenshot(page, "learning-programme-detail")

    # when: they register
    page.get_by_role("button", name="Daftar", exact=True).click()

    # then: the page says they are registered, and so does their own list
    expect(page.get_by_text("Anda terdaftar sebagai peserta program ini.")).to_be_visible()
    page.get_by_role("link", name="Pelatihan saya").first.click()
    expect(page.get_by_role("cell", name="Terdaftar")).to_be_visible()
    _sign_out(page)

    # given: the day of the programme has come
    with django_db_blocker.unblock():
        with tenant_context(village):
            start = timezone.now() - datetime.timedelta(hours=1)
            Programme.objects.filter(pk=programme.pk).update(
                starts_at=start, ends_at=start + datetime.timedelta(hours=3)
            )
        connection.set_schema_to_public()

    # when: staff tick her as present on the attendance page (saved by htmx)
    page.goto(balai_server.url("/masuk/", village_slug="negarabatin"))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    page.goto(balai_server.url("/kantor/", village_slug="negarabatin"))
    page.get_by_role("link", name="Pelatihan", exact=True).first.click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Siti Aminah", exact=True).check()
    screenshot(page, "learning-attendance")
    page.get_by_role("button", name="Simpan kehadiran").click()

    # then: her certificate is issued
    expect(page.locator("#attendance").get_by_text("Terbit")).to_be_visible()
    expect(page.get_by_role("link", name="Unduh PDF")).to_be_visible()
    _sign_out(page)

    # and the resident downloads it from their own list
    _resident_logs_in(page, balai_server, open_programme["nik"])
    page.goto(balai_server.url("/warga/pelatihan/", village_slug="negarabatin"))
    expect(page.get_by_role("cell", name="Hadir")).to_be_visible()
    screenshot(page, "learning-my-programmes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh sertifikat (PDF)").click()
    saved = tmp_path / "sertifikat.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")


def test_a_visitor_finds_the_training_and_the_materials_from_the_header(
    balai_server: BalaiServer, page: Page, cast
):
    # Uses the (read-only) cast: it also makes pytest-django set up the test database when
    # this module runs alone.
    page.goto(balai_server.url("/", village_slug="desa-c"))
    page.get_by_role("navigation").get_by_role("link", name="Pelatihan", exact=True).click()
    expect(page.get_by_text("Belum ada program mendatang")).to_be_visible()
    screenshot(page, "learning-programmes-empty")
    page.get_by_role("link", name="Lihat materi belajar").click()
    expect(page.get_by_role("heading", name="Cara memakai layanan mandiri Balai")).to_be_visible()
    screenshot(page, "learning-materials")
