"""The follow-up staff pages in a real Chromium: staff register a business for a resident
found by name (htmx), correct a village potential, add a village learning material after a
bad link, and register a resident for a kecamatan programme; screenshots of each page at
phone and desktop width."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from balai.learning.models import KecamatanProgramme, KecamatanRegistration
from services.economy.models import Business, Potential
from services.programmes.models import VillageMaterial
from tenants.models import Village
from tests.conftest import PASSWORD
from tests.e2e.conftest import HTMX_READY, BalaiServer, screenshot

BUSINESS = "Tenun Tapis Bu Siti"
PROGRAMME = "Pelatihan pemasaran daring se-kecamatan"
MATERIAL = "Memotret produk dengan ponsel"


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """A potential of village A and an open kecamatan programme, committed for the server;
    everything the journey made is removed after."""
    with django_db_blocker.unblock():
        village = Village.objects.get(slug="negarabatin")
        start = timezone.now() + datetime.timedelta(days=10)
        programme = KecamatanProgramme.objects.create(
            title=PROGRAMME,
            place="Aula Kecamatan Negara Batin",
            capacity=30,
            target_group="semua",
            status="open",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=4),
            kecamatan_code="18.08.11",
        )
        with tenant_context(village):
            potential = Potential.objects.create(category="perkebunan", name="Karet", area_ha=450)
        connection.set_schema_to_public()
    try:
        yield {"village": village, "programme": programme, "potential": potential}
    finally:
        with django_db_blocker.unblock():
            KecamatanRegistration.objects.filter(programme=programme).delete()
            programme.delete()
            with tenant_context(village):
                Potential.objects.filter(pk=potential.pk).delete()
                Business.objects.filter(name=BUSINESS).delete()
                VillageMaterial.objects.filter(title=MATERIAL).delete()
            connection.set_schema_to_public()


def test_staff_run_the_follow_up_pages(balai_server: BalaiServer, page: Page, committed, cast):
    def url(path: str) -> str:
        return balai_server.url(path, village_slug="negarabatin")

    page.goto(url("/masuk/"))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()

    # a business registered for Siti, whose name is found as staff type
    page.goto(url("/kantor/ekonomi/"))
    page.get_by_role("link", name="Daftarkan usaha warga").first.click()
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "Siti Ami")
    page.get_by_role("radio", name="Siti Aminah").check()
    page.fill("#id_name", BUSINESS)
    page.select_option("#id_sector", "kerajinan")
    page.fill("#id_whatsapp", "0812-3456-7890")
    screenshot(page, "econ2-staff-business-new")
    page.get_by_role("button", name="Daftarkan usaha").click()
    expect(page.get_by_text(f"Usaha {BUSINESS} terdaftar atas nama Siti Aminah.")).to_be_visible()
    expect(page.get_by_role("heading", name=BUSINESS)).to_be_visible()  # submitted: in the queue

    # a potential corrected
    page.goto(url("/kantor/ekonomi/potensi/"))
    page.get_by_role("link", name="Ubah").first.click()
    page.fill("#id_area_ha", "-3")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Jumlah tidak boleh negatif.")).to_be_visible()
    screenshot(page, "econ2-staff-potential-edit")
    page.fill("#id_area_ha", "470")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Potensi desa tersimpan.")).to_be_visible()

    # a village material, after a link that is not http(s)
    page.goto(url("/kantor/pelatihan/"))
    page.get_by_role("link", name="Materi belajar desa").click()
    page.fill("#id_title", MATERIAL)
    page.select_option("#id_topic", "umkm")
    page.fill("#id_url", "javascript:alert(1)")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("alamat harus diawali http:// atau https://")).to_be_visible()
    page.fill("#id_url", "https://contoh.id/memotret-produk")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Materi ditambahkan.")).to_be_visible()
    screenshot(page, "econ2-staff-materials")

    # a resident registered for the kecamatan programme
    page.goto(url("/kantor/pelatihan/"))
    page.get_by_role("link", name=PROGRAMME).click()
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "Siti")
    page.get_by_role("button", name="Daftarkan Siti Aminah").click()
    expect(page.get_by_text("Siti Aminah terdaftar.")).to_be_visible()
    expect(page.get_by_role("cell", name="Siti Aminah", exact=True)).to_be_visible()
    screenshot(page, "econ2-staff-kecamatan-programme")
