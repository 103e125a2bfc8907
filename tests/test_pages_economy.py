"""Smart Economy pages: public lists show only verified businesses and approved products,
residents edit only their own, bad input is a field error that writes nothing, staff verify
and moderate, and the public host's regional catalog reads the published listings."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.marketplace.models import Listing
from services.economy.models import (
    Bumdes,
    BumdesUnit,
    BumdesUnitYear,
    Business,
    BusinessStatus,
    Potential,
    Product,
)
from tests.conftest import client_for
from tests.factories import ResidentFactory
from tests.test_economy_api import (
    jpeg_upload,
    make_business,
    make_product,
    oversized_upload,
    resident_client,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def resident_a(cast):
    return resident_client(cast.village_a, cast.resident_a_nik)


@pytest.fixture
def alice(cast):
    return client_for(cast.village_a, user=cast.alice)


def _in_a(cast, fn):
    with tenant_context(cast.village_a):
        result = fn()
    connection.set_schema_to_public()
    return result


BUSINESS_FORM = {
    "name": "Gula Aren Pak Darto",
    "sector": "kuliner",
    "nib": "",
    "address": "Dusun II",
    "whatsapp": "0812 3456 7890",
    "description": "Gula aren cetak",
}
PRODUCT_FORM = {
    "name": "Gula aren 1 kg",
    "price": "25000",
    "unit": "kg",
    "category": "makanan",
    "stock": "tersedia",
    "description": "",
}


# -- public pages ---------------------------------------------------------------------------


def test_the_umkm_list_shows_only_verified_businesses(cast):
    # given
    make_business(cast.village_a, name="Keripik Terverifikasi")
    make_business(cast.village_a, name="Warung Draf", status=BusinessStatus.DRAFT)
    make_business(cast.village_a, name="Usaha Diajukan", status=BusinessStatus.SUBMITTED)
    make_business(cast.village_b, name="Usaha Desa B")
    # when
    page = client_for(cast.village_a).get("/umkm/").content.decode()
    # then
    assert "Keripik Terverifikasi" in page
    assert "Warung Draf" not in page and "Usaha Diajukan" not in page
    assert "Usaha Desa B" not in page


def test_the_umkm_list_searches_and_filters_by_sector(cast):
    make_business(cast.village_a, name="Keripik Singkong", sector="kuliner")
    make_business(cast.village_a, name="Anyaman Bambu", sector="kerajinan")
    client = client_for(cast.village_a)
    assert "Anyaman Bambu" not in client.get("/umkm/?q=keripik").content.decode()
    page = client.get("/umkm/?sector=kerajinan").content.decode()
    assert "Anyaman Bambu" in page and "Keripik Singkong" not in page


def test_an_unverified_business_has_no_public_page(cast):
    draft = make_business(cast.village_a, status=BusinessStatus.SUBMITTED)
    assert client_for(cast.village_a).get(f"/umkm/{draft.pk}/").status_code == 404


def test_a_business_page_lists_its_shown_products_with_a_whatsapp_link(cast):
    # given
    business = make_business(cast.village_a, whatsapp="6281234567890")
    make_product(cast.village_a, business, name="Keripik pedas")
    make_product(cast.village_a, business, name="Keripik disembunyikan", hidden=True)
    # when
    page = client_for(cast.village_a).get(f"/umkm/{business.pk}/").content.decode()
    # then
    assert "Keripik pedas" in page and "Keripik disembunyikan" not in page
    link = page.split('href="https://wa.me/')[1].split('"')[0]
    assert link.startswith("6281234567890?text=")
    message = unquote(link.split("text=")[1])
    assert "Keripik pedas" in message and "Negara Batin" in message


def test_the_catalog_shows_only_approved_products_of_verified_businesses(cast):
    verified = make_business(cast.village_a)
    draft = make_business(cast.village_a, name="Draf", status=BusinessStatus.DRAFT)
    make_product(cast.village_a, verified, name="Madu hutan")
    make_product(cast.village_a, verified, name="Produk tersembunyi", hidden=True)
    make_product(cast.village_a, draft, name="Produk usaha draf")
    page = client_for(cast.village_a).get("/produk/").content.decode()
    assert "Madu hutan" in page
    assert "Produk tersembunyi" not in page and "Produk usaha draf" not in page
    assert "Hubungi penjual" in page and "https://wa.me/" in page


def test_the_catalog_searches_and_filters_by_category_and_stock(cast):
    business = make_business(cast.village_a)
    make_product(cast.village_a, business, name="Madu hutan", category="makanan")
    make_product(cast.village_a, business, name="Pisang kepok", category="hasil_tani")
    make_product(
        cast.village_a, business, name="Pisang habis", category="hasil_tani", stock="habis"
    )
    client = client_for(cast.village_a)
    page = client.get("/produk/?category=hasil_tani&stock=tersedia").content.decode()
    assert "Pisang kepok" in page and "Madu hutan" not in page and "Pisang habis" not in page
    # Search as you type: htmx asks for the results only.
    partial = client.get("/produk/?q=madu", HTTP_HX_REQUEST="true")
    assert "Madu hutan" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_a_bad_catalog_filter_is_a_field_error(cast):
    response = client_for(cast.village_a).get("/produk/?max_price=-5")
    assert response.status_code == 400
    assert "Batas harga harus angka tidak negatif." in response.content.decode()


def test_the_bumdes_page_shows_units_with_yearly_figures_and_a_chart(cast):
    def seed():
        bumdes = Bumdes.objects.create(id=1, name="BUMKam Maju Bersama")
        unit = BumdesUnit.objects.create(bumdes=bumdes, name="Unit Air Bersih", kind="air_bersih")
        BumdesUnitYear.objects.create(unit=unit, year=2024, revenue=120_000_000, profit=-5_000_000)
        BumdesUnitYear.objects.create(unit=unit, year=2025, revenue=150_000_000, profit=12_500_000)

    _in_a(cast, seed)
    page = client_for(cast.village_a).get("/bumdes/").content.decode()
    assert "BUMKam Maju Bersama" in page and "Unit Air Bersih" in page
    assert "Rp\u00a0150.000.000" in page and "-Rp\u00a05.000.000" in page
    assert '<svg class="chart"' in page


def test_the_bumdes_page_without_data_says_so(cast):
    response = client_for(cast.village_a).get("/bumdes/")
    assert response.status_code == 200
    assert "Belum ada data BUMDes" in response.content.decode()


def test_the_potential_page_shows_figures(cast):
    _in_a(
        cast,
        lambda: Potential.objects.create(
            category="perkebunan",
            name="Karet rakyat",
            area_ha=Decimal("450"),
            count=12,
            count_unit="kelompok tani",
        ),
    )
    page = client_for(cast.village_a).get("/potensi/").content.decode()
    assert "Karet rakyat" in page and "450 ha" in page and "12 kelompok tani" in page


# -- residents: their own businesses --------------------------------------------------------


def test_a_resident_registers_a_business_owned_by_themself(cast, resident_a):
    other = _in_a(cast, ResidentFactory)
    response = resident_a.post(
        "/warga/usaha/baru/",
        {**BUSINESS_FORM, "owner_id": other.pk, "photos": [jpeg_upload()]},
    )
    assert response.status_code == 302
    business = _in_a(cast, lambda: Business.objects.get(name="Gula Aren Pak Darto"))
    assert business.owner_id == cast.resident_a.pk
    assert business.whatsapp == "6281234567890"
    assert business.status == BusinessStatus.DRAFT and len(business.photos) == 1
    assert "Gula Aren Pak Darto" in resident_a.get("/warga/usaha/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("whatsapp", "021555", "Nomor WhatsApp harus nomor HP Indonesia"),
        ("nib", "123", "NIB harus 13 angka."),
    ],
)
def test_a_bad_business_field_is_an_error_on_that_field(cast, resident_a, field, value, message):
    response = resident_a.post("/warga/usaha/baru/", {**BUSINESS_FORM, field: value})
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert not _in_a(cast, lambda: Business.objects.exists())


def test_an_oversized_photo_is_an_error_on_the_photos_field_and_nothing_is_written(
    cast, resident_a, media_root
):
    response = resident_a.post(
        "/warga/usaha/baru/", {**BUSINESS_FORM, "photos": [jpeg_upload(), oversized_upload()]}
    )
    assert response.status_code == 400
    assert "Gambar terlalu besar" in " ".join(response.context["form"].errors["photos"])
    assert not _in_a(cast, lambda: Business.objects.exists())
    assert stored_files(media_root) == []


def test_an_oversized_photo_added_later_changes_nothing(cast, resident_a, media_root):
    business = make_business(cast.village_a, owner=cast.resident_a, status=BusinessStatus.DRAFT)
    response = resident_a.post(
        f"/warga/usaha/{business.pk}/foto/", {"photos": [oversized_upload()]}
    )
    assert response.status_code == 400
    assert response.context["photos_form"].errors["photos"]
    assert _in_a(cast, lambda: Business.objects.get(pk=business.pk).photos) == []
    assert stored_files(media_root) == []


def test_a_resident_edits_and_submits_their_business(cast, resident_a):
    business = make_business(cast.village_a, owner=cast.resident_a, status=BusinessStatus.DRAFT)
    response = resident_a.post(
        f"/warga/usaha/{business.pk}/", {**BUSINESS_FORM, "name": "Nama Baru"}
    )
    assert response.status_code == 302
    assert resident_a.post(f"/warga/usaha/{business.pk}/ajukan/").status_code == 302
    business = _in_a(cast, lambda: Business.objects.get(pk=business.pk))
    assert business.name == "Nama Baru" and business.status == BusinessStatus.SUBMITTED


def test_a_resident_cannot_reach_another_residents_business_or_product(cast, resident_a):
    # given a business of someone else
    other = make_business(cast.village_a, name="Milik Orang Lain", status=BusinessStatus.DRAFT)
    product = make_product(cast.village_a, other, name="Produk orang lain")
    # when / then
    assert resident_a.get(f"/warga/usaha/{other.pk}/").status_code == 404
    assert resident_a.post(f"/warga/usaha/{other.pk}/", BUSINESS_FORM).status_code == 404
    assert resident_a.post(f"/warga/usaha/{other.pk}/ajukan/").status_code == 404
    assert resident_a.post(f"/warga/usaha/{other.pk}/produk/baru/", PRODUCT_FORM).status_code == 404
    assert resident_a.post(f"/warga/usaha/produk/{product.pk}/", PRODUCT_FORM).status_code == 404
    assert resident_a.post(f"/warga/usaha/produk/{product.pk}/hapus/").status_code == 404
    other = _in_a(cast, lambda: Business.objects.get(pk=other.pk))
    assert other.name == "Milik Orang Lain" and other.status == BusinessStatus.DRAFT
    assert _in_a(cast, lambda: Product.objects.filter(pk=product.pk).exists())
    assert "Milik Orang Lain" not in resident_a.get("/warga/usaha/").content.decode()


def test_a_resident_adds_edits_and_deletes_a_product(cast, resident_a):
    business = make_business(cast.village_a, owner=cast.resident_a)
    response = resident_a.post(
        f"/warga/usaha/{business.pk}/produk/baru/", {**PRODUCT_FORM, "photos": [jpeg_upload()]}
    )
    assert response.status_code == 302
    product = _in_a(cast, lambda: Product.objects.get(business_id=business.pk))
    assert product.price == Decimal("25000") and len(product.photos) == 1
    response = resident_a.post(
        f"/warga/usaha/produk/{product.pk}/", {**PRODUCT_FORM, "price": "27500", "stock": "habis"}
    )
    assert response.status_code == 302
    product = _in_a(cast, lambda: Product.objects.get(pk=product.pk))
    assert product.price == Decimal("27500") and product.stock == "habis"
    assert resident_a.post(f"/warga/usaha/produk/{product.pk}/hapus/").status_code == 302
    assert not _in_a(cast, lambda: Product.objects.filter(pk=product.pk).exists())


@pytest.mark.parametrize("price", ["-1000", "0", "dua ribu"])
def test_a_bad_price_is_an_error_on_the_price_field_and_nothing_is_written(cast, resident_a, price):
    business = make_business(cast.village_a, owner=cast.resident_a)
    response = resident_a.post(
        f"/warga/usaha/{business.pk}/produk/baru/", {**PRODUCT_FORM, "price": price}
    )
    assert response.status_code == 400
    assert "Harga" in " ".join(response.context["form"].errors["price"])
    assert not _in_a(cast, lambda: Product.objects.exists())


def test_a_negative_price_on_edit_leaves_the_product_as_it_was(cast, resident_a):
    business = make_business(cast.village_a, owner=cast.resident_a)
    product = make_product(cast.village_a, business)
    response = resident_a.post(
        f"/warga/usaha/produk/{product.pk}/", {**PRODUCT_FORM, "price": "-5"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["price"]
    assert _in_a(cast, lambda: Product.objects.get(pk=product.pk).price) == Decimal("15000")


# -- staff ----------------------------------------------------------------------------------


def test_staff_see_the_pending_businesses_and_verify_one(cast, alice):
    business = make_business(cast.village_a, name="Menunggu", status=BusinessStatus.SUBMITTED)
    assert "Menunggu" in alice.get("/kantor/ekonomi/").content.decode()
    response = alice.post(f"/kantor/ekonomi/usaha/{business.pk}/verifikasi/")
    assert response.status_code == 302
    assert _in_a(cast, lambda: Business.objects.get(pk=business.pk).status) == "verified"
    assert "Menunggu" in client_for(cast.village_a).get("/umkm/").content.decode()


def test_a_rejection_needs_a_reason(cast, alice):
    business = make_business(cast.village_a, status=BusinessStatus.SUBMITTED)
    response = alice.post(
        f"/kantor/ekonomi/usaha/{business.pk}/tolak/", {"reason": ""}, follow=True
    )
    assert "reason wajib diisi." in response.content.decode()
    assert _in_a(cast, lambda: Business.objects.get(pk=business.pk).status) == "submitted"
    alice.post(f"/kantor/ekonomi/usaha/{business.pk}/tolak/", {"reason": "Foto tidak jelas"})
    business = _in_a(cast, lambda: Business.objects.get(pk=business.pk))
    assert business.status == "rejected" and business.rejection_reason == "Foto tidak jelas"


def test_staff_of_another_village_cannot_verify(cast):
    business = make_business(cast.village_a, status=BusinessStatus.SUBMITTED)
    bob_on_a = client_for(cast.village_a, user=cast.bob)
    assert bob_on_a.post(f"/kantor/ekonomi/usaha/{business.pk}/verifikasi/").status_code == 403
    # Bob on his own host reaches only his own village's businesses.
    bob = client_for(cast.village_b, user=cast.bob)
    assert bob.post(f"/kantor/ekonomi/usaha/{business.pk}/verifikasi/").status_code == 404
    assert _in_a(cast, lambda: Business.objects.get(pk=business.pk).status) == "submitted"


def test_staff_hide_and_approve_a_product_inline(cast, alice):
    business = make_business(cast.village_a)
    product = make_product(cast.village_a, business, name="Obat kuat")
    # when hidden without a reason: an error on the row, nothing changes
    response = alice.post(
        f"/kantor/ekonomi/produk/{product.pk}/sembunyikan/", {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert not _in_a(cast, lambda: Product.objects.get(pk=product.pk).hidden)
    # when hidden with a reason
    response = alice.post(
        f"/kantor/ekonomi/produk/{product.pk}/sembunyikan/",
        {"reason": "Klaim kesehatan"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'id="product-' in response.content.decode()
    assert _in_a(cast, lambda: Product.objects.get(pk=product.pk).hidden)
    assert "Obat kuat" not in client_for(cast.village_a).get("/produk/").content.decode()
    assert "Obat kuat" in alice.get("/kantor/ekonomi/produk/?tersembunyi=1").content.decode()
    # when approved again
    alice.post(f"/kantor/ekonomi/produk/{product.pk}/tampilkan/")
    assert not _in_a(cast, lambda: Product.objects.get(pk=product.pk).hidden)


def test_residents_and_supervisors_cannot_moderate(cast, resident_a):
    business = make_business(cast.village_a)
    product = make_product(cast.village_a, business)
    url = f"/kantor/ekonomi/produk/{product.pk}/sembunyikan/"
    assert resident_a.post(url, {"reason": "x"}).status_code == 403
    assert client_for(cast.village_a, user=cast.carol).post(url, {"reason": "x"}).status_code == 403
    assert client_for(cast.village_a).post(url, {"reason": "x"}).status_code == 302
    assert not _in_a(cast, lambda: Product.objects.get(pk=product.pk).hidden)


def test_staff_enter_the_bumdes_its_units_and_yearly_figures(cast, alice):
    alice.post("/kantor/ekonomi/bumdes/", {"action": "bumdes", "name": "BUMKam Jaya"})
    alice.post("/kantor/ekonomi/bumdes/", {"action": "unit", "name": "Toko Desa", "kind": "toko"})
    unit = _in_a(cast, lambda: BumdesUnit.objects.get(name="Toko Desa"))
    response = alice.post(
        "/kantor/ekonomi/bumdes/",
        {
            "action": "year",
            "unit": unit.pk,
            "year": "2025",
            "revenue": "80000000",
            "profit": "-250000",
        },
    )
    assert response.status_code == 302
    row = _in_a(cast, lambda: BumdesUnitYear.objects.get(unit=unit))
    assert row.year == 2025 and row.profit == Decimal("-250000")


def test_a_negative_bumdes_revenue_is_a_field_error(cast, alice):
    alice.post("/kantor/ekonomi/bumdes/", {"action": "bumdes", "name": "BUMKam Jaya"})
    alice.post("/kantor/ekonomi/bumdes/", {"action": "unit", "name": "Toko", "kind": "toko"})
    unit = _in_a(cast, lambda: BumdesUnit.objects.get(name="Toko"))
    response = alice.post(
        "/kantor/ekonomi/bumdes/",
        {"action": "year", "unit": unit.pk, "year": "2025", "revenue": "-1", "profit": "0"},
    )
    assert response.status_code == 400
    assert response.context["year_form"].errors["revenue"]
    assert not _in_a(cast, lambda: BumdesUnitYear.objects.exists())


def test_staff_enter_potential_and_bad_figures_are_field_errors(cast, alice):
    bad = alice.post(
        "/kantor/ekonomi/potensi/",
        {"category": "peternakan", "name": "Sapi", "area_ha": "-3"},
    )
    assert bad.status_code == 400 and bad.context["form"].errors["area_ha"]
    assert not _in_a(cast, lambda: Potential.objects.exists())
    good = alice.post(
        "/kantor/ekonomi/potensi/",
        {"category": "peternakan", "name": "Sapi", "count": "320", "count_unit": "ekor"},
    )
    assert good.status_code == 302
    assert _in_a(cast, lambda: Potential.objects.get().count) == 320


def test_the_staff_dashboard_links_the_economy_page(cast, alice):
    assert 'href="/kantor/ekonomi/"' in alice.get("/kantor/").content.decode()


# -- the regional catalog on the public host ------------------------------------------------


def _listing(village, product_id: int, name: str) -> Listing:
    return Listing.objects.create(
        village_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        village_name=village.name,
        village_slug=village.slug,
        village_host=f"{village.slug}.example.test",
        product_id=product_id,
        business_id=7,
        name=name,
        price=Decimal("10000"),
        unit="kg",
        category="hasil_kebun",
        stock="tersedia",
        business_name="Usaha",
        contact_url="https://wa.me/6281234567890?text=Halo",
        updated_at=timezone.now(),
    )


def test_the_regional_catalog_lists_the_verified_products_of_its_villages(cast, public_client):
    _listing(cast.village_a, 1, "Getah karet")
    _listing(cast.village_b, 1, "Gula aren")
    _listing(cast.village_c, 1, "Kopi robusta")
    kecamatan = public_client.get("/katalog/18.08.11/").content.decode()
    assert "Getah karet" in kecamatan and "Gula aren" in kecamatan
    assert "Kopi robusta" not in kecamatan
    assert "negarabatin.example.test" in kecamatan and "/umkm/7/" in kecamatan
    kabupaten = public_client.get("/katalog/18.08/?q=kopi").content.decode()
    assert "Kopi robusta" in kabupaten and "Getah karet" not in kabupaten


def test_the_catalog_start_page_offers_the_regions_and_goes_to_the_chosen_one(cast, public_client):
    page = public_client.get("/katalog/").content.decode()
    assert 'value="18.08.11"' in page and 'value="18.08"' in page
    response = public_client.get("/katalog/?region=18.08.11")
    assert response.status_code == 302 and response["Location"] == "/katalog/18.08.11/"


@pytest.mark.parametrize("code", ["18.08.99", "abc", "18"])
def test_an_unknown_region_has_no_catalog(cast, public_client, code):
    assert public_client.get(f"/katalog/{code}/").status_code == 404


def test_a_bad_regional_filter_is_a_field_error(cast, public_client):
    response = public_client.get("/katalog/18.08.11/?category=tambang")
    assert response.status_code == 400


def test_the_regional_catalog_is_not_on_village_hosts(cast):
    assert client_for(cast.village_a).get("/katalog/").status_code == 404
