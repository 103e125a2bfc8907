"""The Smart Economy journey in a real Chromium: a resident registers a business and a
product, staff verify it, and the product appears in the village catalog with its WhatsApp
link; screenshots of the catalog, the business page and the BUMDes page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import HTMX_READY, BalaiServer, screenshot

BUSINESS = "Kopi Bubuk Bu Siti"
PRODUCT = "Kopi robusta bubuk 250 g"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 72, 40)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def economy_village(django_db_setup, django_db_blocker):
    """Village A's resident NIK and a committed BUMDes; removes what the journey made.

    Set up before ``cast`` opens the test's transaction and torn down after it rolled back,
    so what it writes and removes is committed (the server sees only committed data)."""
    from balai.marketplace.models import Listing
    from services.economy.models import Bumdes, BumdesUnit, BumdesUnitYear, Business
    from services.residents.models import Resident
    from tenants.models import Village

    with django_db_blocker.unblock():
        village = Village.objects.get(slug="negarabatin")
        with schema_context(village.schema_name):
            nik = Resident.objects.get(full_name="Siti Aminah").nik
            bumdes = Bumdes.objects.create(
                id=1, name="BUMKam Maju Bersama", year_founded=2019, description="Milik kampung."
            )
            for name, kind, figures in (
                (
                    "Air Bersih",
                    "air_bersih",
                    ((2024, 90_000_000, 8_000_000), (2025, 110_000_000, 14_000_000)),
                ),
                (
                    "Toko Kampung",
                    "toko",
                    ((2024, 60_000_000, -2_000_000), (2025, 75_000_000, 5_000_000)),
                ),
            ):
                unit = BumdesUnit.objects.create(bumdes=bumdes, name=name, kind=kind)
                for year, revenue, profit in figures:
                    BumdesUnitYear.objects.create(
                        unit=unit, year=year, revenue=revenue, profit=profit
                    )
        connection.set_schema_to_public()
        # Two villages' published rows, as the marketplace worker would have copied them.
        for slug, code, product_id, name in (
            ("negarabatin", "18.08.11.2001", 9001, "Getah karet lembaran"),
            ("purwaagung", "18.08.11.2002", 9002, "Gula aren cetak"),
        ):
            Listing.objects.create(
                village_code=code,
                kecamatan_code=code[:8],
                kabupaten_code=code[:5],
                village_name=slug.title(),
                village_slug=slug,
                village_host=f"{slug}.localhost",
                product_id=product_id,
                business_id=1,
                name=name,
                price=12_500,
                unit="kg",
                category="hasil_kebun",
                stock="tersedia",
                business_name="Kelompok Tani",
                contact_url="https://wa.me/6281234567890?text=Halo",
                updated_at=timezone.now(),
            )
    yield nik
    with django_db_blocker.unblock():
        with schema_context(village.schema_name):
            for business in Business.objects.filter(name=BUSINESS):
                photos = [*business.photos]
                for product in business.products.all():
                    photos += product.photos
                business.products.all().delete()
                business.delete()
                for relative in photos:
                    (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
            Bumdes.objects.filter(id=1).delete()
        connection.set_schema_to_public()
        Listing.objects.filter(product_id__in=[9001, 9002]).delete()


def test_a_resident_sells_a_product_that_staff_verify(
    balai_server: BalaiServer, page: Page, economy_village, cast
):
    def url(path: str) -> str:
        return balai_server.url(path, village_slug="negarabatin")

    # given a resident logged in
    page.goto(url("/masuk/"))
    page.fill("#id_resident-nik", economy_village)
    page.fill("#id_resident-pin", RESIDENT_PIN)
    page.get_by_role("button", name="Masuk sebagai warga").click()
    # when they register a business
    page.get_by_role("link", name="Usaha saya").first.click()
    page.get_by_role("link", name="Daftarkan usaha").click()
    page.fill("#id_name", BUSINESS)
    page.select_option("#id_sector", "kuliner")
    page.fill("#id_whatsapp", "0812-3456-7890")
    page.fill("#id_description", "Kopi robusta dari kebun sendiri, disangrai di rumah.")
    page.set_input_files(
        "#id_photos", {"name": "kebun.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name=re.compile(BUSINESS))).to_be_visible()
    # and a bad price first: the field says why
    page.get_by_role("link", name="Tambah produk").click()
    page.fill("#id_name", PRODUCT)
    page.fill("#id_price", "-15000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Harga harus lebih dari nol.")).to_be_visible()
    screenshot(page, "economy-product-error")
    page.fill("#id_price", "35000")
    page.select_option("#id_unit", "bungkus")
    page.select_option("#id_category", "makanan")
    page.set_input_files(
        "#id_photos", {"name": "kopi.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("link", name=PRODUCT)).to_be_visible()
    page.get_by_role("button", name="Ajukan verifikasi").click()
    expect(page.get_by_text("Usaha diajukan.")).to_be_visible()
    screenshot(page, "economy-my-business")
    # then it is not public yet
    page.get_by_role("button", name="Keluar").click()
    page.goto(url("/produk/"))
    expect(page.get_by_text(PRODUCT)).to_have_count(0)

    # when staff verify it
    page.goto(url("/masuk/"))
    page.fill("#id_user-username", "alice")
    page.fill("#id_user-password", PASSWORD)
    page.locator("form:has(#id_user-username) button[type=submit]").click()
    page.goto(url("/kantor/ekonomi/"))
    expect(page.get_by_role("heading", name=BUSINESS)).to_be_visible()
    screenshot(page, "economy-staff")
    page.locator(f"section:has(h3:text-is('{BUSINESS}'))").get_by_role(
        "button", name="Verifikasi"
    ).click()
    expect(page.get_by_text(f"Usaha {BUSINESS} terverifikasi.")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()

    # then anyone finds the product in the catalog, with the WhatsApp link
    page.goto(url("/produk/"))
    page.wait_for_function(HTMX_READY)
    page.fill("#id_q", "robusta")
    card = page.locator("article.product", has_text=PRODUCT)
    expect(card).to_have_count(1)
    contact = card.get_by_role("link", name="Hubungi penjual")
    href = contact.get_attribute("href")
    assert href.startswith("https://wa.me/6281234567890?text=")
    assert "Kopi%20robusta%20bubuk" in href and "Negara%20Batin" in href
    page.goto(url("/produk/"))
    screenshot(page, "economy-catalog")
    page.locator("article.product", has_text=PRODUCT).get_by_role("link", name=BUSINESS).click()
    expect(page.get_by_role("heading", name=BUSINESS)).to_be_visible()
    screenshot(page, "economy-business")
    page.goto(url("/bumdes/"))
    expect(page.get_by_role("heading", name="BUMKam Maju Bersama")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(1)
    screenshot(page, "economy-bumdes")
    page.goto(url("/potensi/"))
    screenshot(page, "economy-potential")
    # and on the public host, the kecamatan's catalog links each product to its village
    page.goto(balai_server.url("/katalog/"))
    screenshot(page, "economy-regional-choose")
    page.select_option("#id_region", "18.08.11")
    page.get_by_role("button", name="Lihat katalog").click()
    expect(page.get_by_text("Gula aren cetak")).to_be_visible()
    village_link = page.get_by_role("link", name="Purwaagung")
    assert village_link.get_attribute("href").startswith("http://purwaagung.localhost:")
    screenshot(page, "economy-regional-catalog")
