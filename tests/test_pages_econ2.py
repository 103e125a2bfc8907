"""Follow-up pages of Smart Economy and Smart People: staff edit village potential and BUMDes
units, register a business for a resident (owner found by NIK or name), page through the
verified businesses; a resident removes a photo; staff register residents for a kecamatan
programme and manage the village's own learning materials.

The cast: alice is kepala desa of A, bob operator of B (same kecamatan 18.08.11), Siti Aminah
a resident of A with a PIN.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from balai.learning.models import KecamatanRegistration
from services.audit.models import AuditEntry
from services.economy.models import (
    Bumdes,
    BumdesUnit,
    BumdesUnitYear,
    Business,
    BusinessStatus,
    Potential,
    Product,
)
from services.programmes.models import VillageMaterial
from tests.conftest import client_for
from tests.factories import ResidentFactory
from tests.learning_support import make_kecamatan_programme
from tests.test_economy_api import (
    jpeg_upload,
    make_business,
    make_product,
    resident_client,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def alice(cast):
    return client_for(cast.village_a, user=cast.alice)


@pytest.fixture
def resident_a(cast):
    return resident_client(cast.village_a, cast.resident_a_nik)


def in_a(cast, fn):
    with tenant_context(cast.village_a):
        result = fn()
    connection.set_schema_to_public()
    return result


POTENTIAL = {
    "category": "perkebunan",
    "name": "Karet",
    "description": "Kebun karet rakyat",
    "area_ha": "450",
    "production_tonnes_per_year": "380",
    "count": "",
    "count_unit": "",
}
BUSINESS = {
    "name": "Gula Aren Pak Darto",
    "sector": "kuliner",
    "nib": "",
    "address": "Dusun II",
    "whatsapp": "0812 3456 7890",
    "description": "",
}


def make_potential(cast, **fields) -> Potential:
    values = {"category": "perkebunan", "name": "Karet", "area_ha": Decimal("450")}
    values.update(fields)
    return in_a(cast, lambda: Potential.objects.create(**values))


def make_unit(cast, name="Unit Air Bersih") -> BumdesUnit:
    def _make():
        bumdes, _ = Bumdes.objects.get_or_create(id=1, defaults={"name": "BUMDes Maju"})
        unit = BumdesUnit.objects.create(bumdes=bumdes, name=name, kind="air_bersih")
        BumdesUnitYear.objects.create(
            unit=unit, year=2025, revenue=Decimal("1000000"), profit=Decimal("100000")
        )
        return unit

    return in_a(cast, _make)


# -- 1. potential and BUMDes units ------------------------------------------------------------


def test_staff_edit_a_potential_from_its_page(cast, alice):
    potential = make_potential(cast)
    assert (
        'value="450.00"'
        in alice.get(f"/kantor/ekonomi/potensi/{potential.pk}/ubah/").content.decode()
    )

    response = alice.post(
        f"/kantor/ekonomi/potensi/{potential.pk}/ubah/",
        {**POTENTIAL, "name": "Karet rakyat", "area_ha": "470"},
    )

    assert response.status_code == 302
    potential = in_a(cast, lambda: Potential.objects.get(pk=potential.pk))
    assert (potential.name, potential.area_ha) == ("Karet rakyat", Decimal("470"))
    assert (
        f"/kantor/ekonomi/potensi/{potential.pk}/ubah/"
        in alice.get("/kantor/ekonomi/potensi/").content.decode()
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("area_ha", "-5", "Jumlah tidak boleh negatif."),
        ("count", "banyak", "Jumlah harus bilangan bulat tidak negatif."),
        ("name", "x" * 150, "name paling banyak 120 karakter."),
    ],
)
def test_a_bad_potential_edit_is_a_field_error_and_changes_nothing(
    cast, alice, field, value, message
):
    potential = make_potential(cast)

    response = alice.post(
        f"/kantor/ekonomi/potensi/{potential.pk}/ubah/", {**POTENTIAL, field: value}
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert in_a(cast, lambda: Potential.objects.get(pk=potential.pk).area_ha) == Decimal("450")


def test_a_potential_error_is_shown_in_english(cast, alice):
    potential = make_potential(cast)
    alice.cookies["django_language"] = "en"

    response = alice.post(
        f"/kantor/ekonomi/potensi/{potential.pk}/ubah/",
        {**POTENTIAL, "area_ha": "-5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "The amount cannot be negative." in response.context["form"].errors["area_ha"]


def test_a_potential_of_another_village_cannot_be_edited(cast):
    potential = make_potential(cast)
    bob = client_for(cast.village_b, user=cast.bob)

    assert bob.post(f"/kantor/ekonomi/potensi/{potential.pk}/ubah/", POTENTIAL).status_code == 404
    assert in_a(cast, lambda: Potential.objects.get(pk=potential.pk).name) == "Karet"


def test_staff_rename_and_delete_a_bumdes_unit(cast, alice):
    unit = make_unit(cast)
    assert (
        f"/kantor/ekonomi/bumdes/unit/{unit.pk}/"
        in alice.get("/kantor/ekonomi/bumdes/").content.decode()
    )

    renamed = alice.post(
        f"/kantor/ekonomi/bumdes/unit/{unit.pk}/",
        {"name": "Unit Pamsimas", "kind": "air_bersih", "description": "Air bersih desa"},
    )
    assert renamed.status_code == 302
    assert in_a(cast, lambda: BumdesUnit.objects.get(pk=unit.pk).name) == "Unit Pamsimas"

    deleted = alice.post(f"/kantor/ekonomi/bumdes/unit/{unit.pk}/hapus/")
    assert deleted.status_code == 302
    assert not in_a(cast, lambda: BumdesUnit.objects.filter(pk=unit.pk).exists())
    assert not in_a(cast, lambda: BumdesUnitYear.objects.exists())


def test_a_bad_bumdes_unit_edit_is_a_field_error_and_changes_nothing(cast, alice):
    unit = make_unit(cast)

    response = alice.post(
        f"/kantor/ekonomi/bumdes/unit/{unit.pk}/",
        {"name": "x" * 121, "kind": "air_bersih", "description": ""},
    )

    assert response.status_code == 400
    assert "paling banyak 120 karakter" in " ".join(response.context["form"].errors["name"])
    assert in_a(cast, lambda: BumdesUnit.objects.get(pk=unit.pk).name) == "Unit Air Bersih"


def test_deleting_a_unit_needs_a_post(cast, alice):
    unit = make_unit(cast)

    assert alice.get(f"/kantor/ekonomi/bumdes/unit/{unit.pk}/hapus/").status_code == 405
    assert in_a(cast, lambda: BumdesUnit.objects.filter(pk=unit.pk).exists())


# -- 2. staff register a business for a resident ----------------------------------------------


def test_staff_find_the_owner_by_nik_with_htmx_and_the_search_is_audited(cast, alice):
    response = alice.get(
        "/kantor/ekonomi/usaha/baru/",
        {"q": cast.resident_a_nik[:10]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="owner-results",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Siti Aminah" in page and "<html" not in page
    assert f'name="owner_id" value="{cast.resident_a.pk}" form="business-form"' in page
    entry = in_a(
        cast, lambda: AuditEntry.objects.filter(object_type="resident", action="list").latest("id")
    )
    assert entry.detail["page"] == "business"
    assert cast.resident_a_nik[:10] not in str(entry.detail)


def test_staff_find_the_owner_by_name(cast, alice):
    response = alice.get("/kantor/ekonomi/usaha/baru/", {"q": "Siti"})

    assert response.status_code == 200
    assert "Siti Aminah" in response.content.decode()


def test_staff_register_a_business_for_a_resident_and_submit_it(cast, alice):
    response = alice.post(
        "/kantor/ekonomi/usaha/baru/",
        {**BUSINESS, "owner_id": cast.resident_a.pk, "submit": "on", "photos": [jpeg_upload()]},
    )

    assert response.status_code == 302
    business = in_a(cast, lambda: Business.objects.get())
    assert business.owner_id == cast.resident_a.pk
    assert business.status == BusinessStatus.SUBMITTED
    assert business.whatsapp == "6281234567890" and len(business.photos) == 1
    # the queue shows it; the resident finds it among their businesses
    assert "Gula Aren Pak Darto" in alice.get("/kantor/ekonomi/").content.decode()
    resident = resident_client(cast.village_a, cast.resident_a_nik)
    assert "Gula Aren Pak Darto" in resident.get("/warga/usaha/").content.decode()


def test_staff_may_leave_the_business_a_draft(cast, alice):
    response = alice.post(
        "/kantor/ekonomi/usaha/baru/", {**BUSINESS, "owner_id": cast.resident_a.pk}
    )

    assert response.status_code == 302
    assert in_a(cast, lambda: Business.objects.get().status) == BusinessStatus.DRAFT


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"owner_id": ""}, "owner_id", "Pilih pemilik usaha dari daftar penduduk desa ini."),
        ({"whatsapp": "12345"}, "whatsapp", "Nomor WhatsApp harus nomor HP Indonesia"),
        ({"nib": "123"}, "nib", "NIB harus 13 angka."),
    ],
)
def test_a_bad_staff_registration_is_a_field_error_and_writes_nothing(
    cast, alice, media_root, data, field, message
):
    response = alice.post(
        "/kantor/ekonomi/usaha/baru/",
        {**BUSINESS, "owner_id": cast.resident_a.pk, "photos": [jpeg_upload()], **data},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not in_a(cast, lambda: Business.objects.exists())
    assert stored_files(media_root) == []


# -- 3. a resident removes a photo -------------------------------------------------------------


def test_a_resident_removes_a_photo_of_their_business(
    cast, resident_a, media_root, django_capture_on_commit_callbacks
):
    resident_a.post(
        "/warga/usaha/baru/", {**BUSINESS, "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]}
    )
    business = in_a(cast, lambda: Business.objects.get())
    kept = business.photos[1]
    assert (
        f"/warga/usaha/{business.pk}/foto/0/hapus/"
        in resident_a.get(f"/warga/usaha/{business.pk}/").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = resident_a.post(f"/warga/usaha/{business.pk}/foto/0/hapus/")

    assert response.status_code == 302
    assert in_a(cast, lambda: Business.objects.get(pk=business.pk).photos) == [kept]
    assert [p.name for p in stored_files(media_root)] == [kept.rsplit("/", 1)[1]]


def test_a_resident_removes_a_photo_of_their_product(cast, resident_a):
    business = make_business(cast.village_a, owner=cast.resident_a)
    product = make_product(cast.village_a, business, photos=["villages/x/economy/a.jpg"])

    response = resident_a.post(f"/warga/usaha/produk/{product.pk}/foto/0/hapus/", follow=True)

    assert "Foto dihapus." in response.content.decode()
    assert in_a(cast, lambda: Product.objects.get(pk=product.pk).photos) == []


def test_removing_a_photo_that_is_not_there_says_so_and_changes_nothing(cast, resident_a):
    business = make_business(cast.village_a, owner=cast.resident_a, photos=["villages/x/a.jpg"])

    response = resident_a.post(f"/warga/usaha/{business.pk}/foto/3/hapus/", follow=True)

    assert "Data tidak ditemukan." in response.content.decode()
    assert in_a(cast, lambda: Business.objects.get(pk=business.pk).photos) == ["villages/x/a.jpg"]


def test_a_resident_cannot_remove_a_photo_of_someone_elses_business(cast, resident_a):
    other = make_business(cast.village_a, photos=["villages/x/a.jpg"])
    product = make_product(cast.village_a, other, photos=["villages/x/b.jpg"])

    assert resident_a.post(f"/warga/usaha/{other.pk}/foto/0/hapus/").status_code == 404
    assert resident_a.post(f"/warga/usaha/produk/{product.pk}/foto/0/hapus/").status_code == 404
    assert in_a(cast, lambda: Business.objects.get(pk=other.pk).photos) == ["villages/x/a.jpg"]
    assert in_a(cast, lambda: Product.objects.get(pk=product.pk).photos) == ["villages/x/b.jpg"]


# -- 4. verified businesses, 50 a page --------------------------------------------------------


def test_the_verified_businesses_are_paged_by_fifty(cast, alice):
    def _make():
        owner = ResidentFactory()
        Business.objects.bulk_create(
            Business(
                owner=owner,
                name=f"Usaha {i:03d}",
                sector="kuliner",
                whatsapp="6281234567890",
                status=BusinessStatus.VERIFIED,
            )
            for i in range(51)
        )

    in_a(cast, _make)

    first = alice.get("/kantor/ekonomi/").content.decode()
    second = alice.get("/kantor/ekonomi/", {"halaman": 2}).content.decode()

    assert "Usaha 049" in first and "Usaha 050" not in first
    assert "Usaha 050" in second and "Usaha 000" not in second
    assert "halaman=2" in first


# -- 5. kecamatan programmes: staff register their residents -----------------------------------


def test_the_staff_programmes_page_links_the_staff_page_of_a_kecamatan_programme(cast, alice):
    programme = make_kecamatan_programme()

    page = alice.get("/kantor/pelatihan/").content.decode()

    assert f'href="/kantor/pelatihan/kecamatan/{programme.pk}/"' in page


def test_staff_search_and_register_a_resident_for_a_kecamatan_programme(cast, alice):
    programme = make_kecamatan_programme()

    found = alice.get(
        f"/kantor/pelatihan/kecamatan/{programme.pk}/",
        {"q": cast.resident_a_nik[:8]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="resident-results",
    )
    registered = alice.post(
        f"/kantor/pelatihan/kecamatan/{programme.pk}/daftarkan/",
        {"resident_id": cast.resident_a.pk},
        follow=True,
    )

    assert "Siti Aminah" in found.content.decode()
    assert (
        f'action="/kantor/pelatihan/kecamatan/{programme.pk}/daftarkan/"' in found.content.decode()
    )
    assert "Siti Aminah terdaftar." in registered.content.decode()
    registration = KecamatanRegistration.objects.get(programme=programme)
    assert (registration.village_code, registration.resident_id) == (
        cast.village_a.region_id,
        cast.resident_a.pk,
    )
    assert registration.registered_by_id == cast.alice.pk
    assert registration.status == "confirmed"


def test_a_kecamatan_programme_refuses_a_resident_outside_its_target_group(cast):
    # Budi (male) of village B, for a programme for women.
    programme = make_kecamatan_programme(target_group="perempuan")
    with tenant_context(cast.village_b):
        budi = ResidentFactory(full_name="Budi Pratama", sex="L")
    connection.set_schema_to_public()

    response = client_for(cast.village_b, user=cast.bob).post(
        f"/kantor/pelatihan/kecamatan/{programme.pk}/daftarkan/", {"resident_id": budi.pk}
    )

    assert response.status_code == 400
    assert "Program ini khusus untuk perempuan." in response.content.decode()
    assert not KecamatanRegistration.objects.exists()


def test_staff_registering_an_unknown_resident_for_a_kecamatan_programme_get_a_field_error(
    cast, alice
):
    programme = make_kecamatan_programme()

    response = alice.post(
        f"/kantor/pelatihan/kecamatan/{programme.pk}/daftarkan/", {"resident_id": "abc"}
    )

    assert response.status_code == 400
    assert "Pilih warga dari daftar penduduk desa ini." in response.content.decode()
    assert not KecamatanRegistration.objects.exists()


def test_the_staff_page_lists_only_this_villages_registrations_and_cancels_one(cast, alice):
    programme = make_kecamatan_programme()
    mine = KecamatanRegistration.objects.create(
        programme=programme,
        village_code=cast.village_a.region_id,
        resident_id=cast.resident_a.pk,
        display_name="Siti Aminah",
        status="confirmed",
    )
    KecamatanRegistration.objects.create(
        programme=programme,
        village_code=cast.village_b.region_id,
        resident_id=1,
        display_name="Warga Desa B",
        status="confirmed",
    )

    page = alice.get(f"/kantor/pelatihan/kecamatan/{programme.pk}/").content.decode()
    cancelled = alice.post(f"/kantor/pelatihan/kecamatan/pendaftaran/{mine.pk}/batal/")

    assert "Siti Aminah" in page and "Warga Desa B" not in page
    assert cancelled.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_staff_cannot_cancel_another_villages_kecamatan_registration(cast, alice):
    programme = make_kecamatan_programme()
    theirs = KecamatanRegistration.objects.create(
        programme=programme,
        village_code=cast.village_b.region_id,
        resident_id=1,
        display_name="Warga Desa B",
        status="confirmed",
    )

    response = alice.post(f"/kantor/pelatihan/kecamatan/pendaftaran/{theirs.pk}/batal/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_a_kecamatan_programme_of_another_kecamatan_or_a_draft_has_no_staff_page(cast, alice):
    other = make_kecamatan_programme(kecamatan_code="18.08.01")
    draft = make_kecamatan_programme(status="draft")

    assert alice.get(f"/kantor/pelatihan/kecamatan/{other.pk}/").status_code == 404
    assert alice.get(f"/kantor/pelatihan/kecamatan/{draft.pk}/").status_code == 404
    response = alice.post(
        f"/kantor/pelatihan/kecamatan/{other.pk}/daftarkan/", {"resident_id": cast.resident_a.pk}
    )
    assert response.status_code == 404
    assert not KecamatanRegistration.objects.exists()


# -- 6. the village's own learning materials --------------------------------------------------

MATERIAL = {
    "title": "Cara menjual di marketplace",
    "topic": "umkm",
    "kind": "video",
    "url": "https://contoh.id/video",
    "summary": "Video 10 menit",
}


def test_staff_add_edit_and_remove_a_village_material(cast, alice):
    added = alice.post("/kantor/pelatihan/materi/", MATERIAL)
    assert added.status_code == 302
    material = in_a(cast, lambda: VillageMaterial.objects.get())
    assert material.created_by_id == cast.alice.pk
    assert (
        "Cara menjual di marketplace" in client_for(cast.village_a).get("/materi/").content.decode()
    )

    edited = alice.post(
        f"/kantor/pelatihan/materi/{material.pk}/", {**MATERIAL, "topic": "literasi_digital"}
    )
    assert edited.status_code == 302
    assert in_a(cast, lambda: VillageMaterial.objects.get().topic) == "literasi_digital"

    removed = alice.post(f"/kantor/pelatihan/materi/{material.pk}/hapus/")
    assert removed.status_code == 302
    assert not in_a(cast, lambda: VillageMaterial.objects.exists())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "alamat harus diawali http:// atau https://"),
        ("ftp://contoh.id/berkas", "alamat harus diawali http:// atau https://"),
        ("", "Tautan wajib diisi."),
    ],
)
def test_a_material_link_must_be_http_and_nothing_is_written(cast, alice, url, message):
    response = alice.post("/kantor/pelatihan/materi/", {**MATERIAL, "url": url})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["url"])
    assert not in_a(cast, lambda: VillageMaterial.objects.exists())


def test_a_bad_material_edit_changes_nothing(cast, alice):
    alice.post("/kantor/pelatihan/materi/", MATERIAL)
    material = in_a(cast, lambda: VillageMaterial.objects.get())

    response = alice.post(
        f"/kantor/pelatihan/materi/{material.pk}/", {**MATERIAL, "title": "", "url": "notaurl"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["title"] and response.context["form"].errors["url"]
    assert in_a(cast, lambda: VillageMaterial.objects.get().url) == "https://contoh.id/video"


def test_staff_of_another_village_do_not_see_or_change_the_material(cast, alice):
    alice.post("/kantor/pelatihan/materi/", MATERIAL)
    material = in_a(cast, lambda: VillageMaterial.objects.get())
    bob = client_for(cast.village_b, user=cast.bob)

    assert "Cara menjual" not in bob.get("/kantor/pelatihan/materi/").content.decode()
    assert bob.post(f"/kantor/pelatihan/materi/{material.pk}/", MATERIAL).status_code == 404
    assert bob.post(f"/kantor/pelatihan/materi/{material.pk}/hapus/").status_code == 404
    assert in_a(cast, lambda: VillageMaterial.objects.exists())
