"""UMKM businesses and their products on the village host: who may do what, and bad input.

The cast: alice is kepala desa of A, bob operator of B, Siti Aminah a resident of A with a
PIN, carol a kecamatan supervisor (no village role), anonymous visitors.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context
from PIL import Image

from services.economy.models import Business, BusinessStatus, Product
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

BUSINESSES = "/api/village/economy/businesses/"
PRODUCTS = "/api/village/economy/products/"
CATALOG = "/api/village/economy/catalog/"


# -- helpers shared with the other economy tests ----------------------------------------------


def jpeg_upload(name: str = "foto.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf_named_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "foto.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="image/jpeg"
    )


def oversized_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "besar.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"
    )


def resident_client(village, nik: str):
    client = client_for(village)
    response = client.post(
        "/masuk/", {"kind": "resident", "resident-nik": nik, "resident-pin": RESIDENT_PIN}
    )
    assert response.status_code in (200, 302)
    return client


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()]


def make_business(village, *, owner=None, status=BusinessStatus.VERIFIED, **fields) -> Business:
    """A business straight in the village schema (the state under test is not its making)."""
    with tenant_context(village):
        owner = owner or ResidentFactory()
        values = {
            "name": "Keripik Singkong Bu Siti",
            "sector": "kuliner",
            "whatsapp": "6281234567890",
        }
        values.update(fields)
        business = Business.objects.create(owner=owner, status=status, **values)
    connection.set_schema_to_public()
    return business


def make_product(village, business, **fields) -> Product:
    with tenant_context(village):
        values = {
            "name": "Keripik singkong pedas",
            "price": Decimal("15000"),
            "unit": "bungkus",
            "category": "makanan",
        }
        values.update(fields)
        product = Product.objects.create(business=business, **values)
    connection.set_schema_to_public()
    return product


def errors_of(response) -> dict[str, dict]:
    return {error["field"]: error for error in response.json()["errors"]}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def resident_a_client(cast):
    return resident_client(cast.village_a, cast.resident_a_nik)


VALID_BUSINESS = {
    "name": "Keripik Singkong Bu Siti",
    "sector": "kuliner",
    "nib": "1234567890123",
    "whatsapp": "0812-3456-7890",
    "description": "Keripik singkong dari kebun sendiri.",
}


# -- registering a business -------------------------------------------------------------------


def test_a_resident_registers_their_own_business_as_a_draft(cast, resident_a_client, media_root):
    # when
    response = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, "photos": [jpeg_upload("rumah-saya.jpg")]}
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["owner_id"] == cast.resident_a.pk
    assert body["whatsapp"] == "6281234567890"
    # The stored photo is ours: re-encoded, under the village's folder, under a random name.
    [photo] = stored_files(media_root)
    assert photo.parent == media_root / "villages" / cast.village_a.schema_name / "economy"
    assert "rumah-saya" not in photo.name
    assert Image.open(photo).format == "JPEG"


def test_a_resident_cannot_register_a_business_for_someone_else(cast, resident_a_client):
    with tenant_context(cast.village_a):
        neighbour = ResidentFactory()
    response = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, "owner_id": neighbour.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["owner_id"] == cast.resident_a.pk


def test_staff_register_a_business_for_a_resident(cast):
    with tenant_context(cast.village_a):
        owner = ResidentFactory()
    response = client_for(cast.village_a, user=cast.alice).post(
        BUSINESSES, {**VALID_BUSINESS, "owner_id": owner.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["owner_id"] == owner.pk


def test_staff_must_name_an_owner_from_this_villages_register(cast):
    from services.residents.models import Resident

    with tenant_context(cast.village_a):
        # Resident ids are per village schema: one past the largest is no resident of A.
        missing_id = Resident.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    connection.set_schema_to_public()
    response = client_for(cast.village_a, user=cast.alice).post(
        BUSINESSES, {**VALID_BUSINESS, "owner_id": missing_id}, content_type="application/json"
    )
    assert response.status_code == 400
    assert errors_of(response)["owner_id"]["code"] == "owner_required"


@pytest.mark.parametrize("who", ["anonymous", "supervisor", "staff_of_b", "resident_on_b"])
def test_outsiders_cannot_register_a_business_in_village_a(cast, who):
    client = {
        "anonymous": lambda: client_for(cast.village_a),
        "supervisor": lambda: client_for(cast.village_a, user=cast.carol),
        "staff_of_b": lambda: client_for(cast.village_a, user=cast.bob),
        # Siti's session is made on A's host; a session cookie never reaches B, so we log her
        # in on A and send the request to B's host with the same cookies.
        "resident_on_b": None,
    }[who]
    if who == "resident_on_b":
        client_a = resident_client(cast.village_a, cast.resident_a_nik)
        client = client_for(cast.village_b)
        client.cookies = client_a.cookies
        url_village = cast.village_b
    else:
        client = client()
        url_village = cast.village_a
    response = client.post(BUSINESSES, VALID_BUSINESS, content_type="application/json")
    assert response.status_code in (401, 403)
    with tenant_context(url_village):
        assert not Business.objects.filter(name=VALID_BUSINESS["name"]).exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nib", "12345", "invalid_nib"),
        ("nib", "12345678901AB", "invalid_nib"),
        ("whatsapp", "0215551234", "invalid_whatsapp"),
        ("whatsapp", "+1 555 123 4567", "invalid_whatsapp"),
        ("sector", "tambang", "invalid_choice"),
        ("name", "", "required"),
    ],
)
def test_bad_business_fields_are_refused_naming_the_field(
    cast, resident_a_client, media_root, field, value, code
):
    response = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, field: value, "photos": [jpeg_upload()]}
    )
    assert response.status_code == 400
    error = errors_of(response)[field]
    assert error["code"] == code
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    with tenant_context(cast.village_a):
        assert not Business.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("upload", "code"),
    [(oversized_upload, "photo_too_large"), (pdf_named_jpg, "not_an_image")],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    cast, resident_a_client, media_root, upload, code
):
    # given a good photo first and a bad one second
    response = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, "photos": [jpeg_upload(), upload()]}
    )
    # then
    assert response.status_code == 400
    assert errors_of(response)["photos"]["code"] == code
    with tenant_context(cast.village_a):
        assert not Business.objects.exists()
    assert stored_files(media_root) == []


def test_a_failed_database_write_removes_the_photos_already_written(cast, media_root):
    from services.economy.services import business_register

    with tenant_context(cast.village_a):
        unsaved_owner = ResidentFactory.build()  # saving a business with it fails
        with pytest.raises(ValueError):
            business_register(owner=unsaved_owner, data=VALID_BUSINESS, photos=[jpeg_upload()])
        assert not Business.objects.exists()
    assert stored_files(media_root) == []


# -- the verification flow ------------------------------------------------------------------


def test_a_business_goes_from_draft_to_verified_and_appears_publicly(cast, resident_a_client):
    business = make_business(cast.village_a, owner=cast.resident_a, status=BusinessStatus.DRAFT)
    make_product(cast.village_a, business)
    staff = client_for(cast.village_a, user=cast.alice)
    public = client_for(cast.village_a)
    assert public.get(CATALOG).json()["count"] == 0

    # when the owner submits and staff verify
    submitted = resident_a_client.post(f"{BUSINESSES}{business.pk}/submit/")
    verified = staff.post(f"{BUSINESSES}{business.pk}/verify/")

    # then
    assert submitted.json()["status"] == "submitted"
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert public.get(CATALOG).json()["count"] == 1
    names = [
        b["name"] for b in public.get("/api/village/economy/public/businesses/").json()["results"]
    ]
    assert names == [business.name]


def test_staff_reject_with_a_reason_and_the_owner_can_resubmit(cast, resident_a_client):
    business = make_business(cast.village_a, owner=cast.resident_a, status=BusinessStatus.SUBMITTED)
    staff = client_for(cast.village_a, user=cast.alice)

    refused = staff.post(f"{BUSINESSES}{business.pk}/reject/", {"reason": ""})
    rejected = staff.post(f"{BUSINESSES}{business.pk}/reject/", {"reason": "Foto tidak jelas"})
    resubmitted = resident_a_client.post(f"{BUSINESSES}{business.pk}/submit/")

    assert refused.status_code == 400 and "reason" in errors_of(refused)
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Foto tidak jelas"
    assert resubmitted.json()["status"] == "submitted"


def test_verifying_a_draft_is_a_conflict(cast):
    business = make_business(cast.village_a, status=BusinessStatus.DRAFT)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"{BUSINESSES}{business.pk}/verify/"
    )
    assert response.status_code == 409
    assert "status" in errors_of(response)


@pytest.mark.parametrize("who", ["owner", "anonymous", "supervisor", "staff_of_b"])
def test_only_staff_of_the_village_verify(cast, who):
    business = make_business(cast.village_a, owner=cast.resident_a, status=BusinessStatus.SUBMITTED)
    client = {
        "owner": lambda: resident_client(cast.village_a, cast.resident_a_nik),
        "anonymous": lambda: client_for(cast.village_a),
        "supervisor": lambda: client_for(cast.village_a, user=cast.carol),
        "staff_of_b": lambda: client_for(cast.village_a, user=cast.bob),
    }[who]()
    response = client.post(f"{BUSINESSES}{business.pk}/verify/")
    assert response.status_code in (401, 403)
    with tenant_context(cast.village_a):
        assert Business.objects.get(pk=business.pk).status == BusinessStatus.SUBMITTED


def test_staff_of_b_see_only_b_businesses(cast):
    make_business(cast.village_a, name="Usaha di A")
    make_business(cast.village_b, name="Usaha di B")
    response = client_for(cast.village_b, user=cast.bob).get(BUSINESSES)
    assert [b["name"] for b in response.json()["results"]] == ["Usaha di B"]


def test_a_resident_sees_and_edits_only_their_own_business(cast, resident_a_client):
    mine = make_business(cast.village_a, owner=cast.resident_a, name="Punya Siti")
    theirs = make_business(cast.village_a, name="Punya tetangga")

    listed = resident_a_client.get(BUSINESSES).json()["results"]
    edit_theirs = resident_a_client.patch(
        f"{BUSINESSES}{theirs.pk}/", {"name": "Diambil alih"}, content_type="application/json"
    )
    edit_mine = resident_a_client.patch(
        f"{BUSINESSES}{mine.pk}/", {"name": "Keripik Siti"}, content_type="application/json"
    )

    assert [b["name"] for b in listed] == ["Punya Siti"]
    assert edit_theirs.status_code == 404
    assert edit_mine.json()["name"] == "Keripik Siti"


def test_the_business_list_costs_the_same_queries_for_many_businesses(
    cast, django_assert_max_num_queries
):
    for index in range(12):
        make_business(cast.village_a, name=f"Usaha {index:02d}")
    client = client_for(cast.village_a, user=cast.alice)
    client.get(BUSINESSES)  # warm the routing cache and session
    with django_assert_max_num_queries(8):
        response = client.get(BUSINESSES)
    assert response.json()["count"] == 12


# -- products -------------------------------------------------------------------------------


VALID_PRODUCT = {"name": "Gula aren", "price": "25000", "unit": "kg", "category": "makanan"}


def test_the_owner_lists_a_product_with_photos(cast, resident_a_client, media_root):
    business = make_business(cast.village_a, owner=cast.resident_a)
    response = resident_a_client.post(
        f"{BUSINESSES}{business.pk}/products/",
        {**VALID_PRODUCT, "photos": [jpeg_upload(), jpeg_upload()]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "25000.00"
    assert len(response.json()["photos"]) == 2
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("price", "0", "price_not_positive"),
        ("price", "-5000", "price_not_positive"),
        ("price", "murah", "invalid_price"),
        ("price", "1000.555", "invalid_price"),
        ("unit", "ton", "invalid_choice"),
        ("category", "senjata", "invalid_choice"),
        ("stock", "banyak", "invalid_choice"),
    ],
)
def test_bad_product_fields_are_refused_naming_the_field(
    cast, resident_a_client, media_root, field, value, code
):
    business = make_business(cast.village_a, owner=cast.resident_a)
    response = resident_a_client.post(
        f"{BUSINESSES}{business.pk}/products/",
        {**VALID_PRODUCT, field: value, "photos": [jpeg_upload()]},
    )
    assert response.status_code == 400
    assert errors_of(response)[field]["code"] == code
    with tenant_context(cast.village_a):
        assert not Product.objects.exists()
    assert stored_files(media_root) == []


def test_a_product_has_at_most_three_photos(cast, resident_a_client, media_root):
    business = make_business(cast.village_a, owner=cast.resident_a)
    four = resident_a_client.post(
        f"{BUSINESSES}{business.pk}/products/",
        {**VALID_PRODUCT, "photos": [jpeg_upload() for _ in range(4)]},
    )
    product = make_product(cast.village_a, business)
    first = resident_a_client.post(
        f"{PRODUCTS}{product.pk}/photos/", {"photos": [jpeg_upload(), jpeg_upload()]}
    )
    two_more = resident_a_client.post(
        f"{PRODUCTS}{product.pk}/photos/", {"photos": [jpeg_upload(), jpeg_upload()]}
    )

    assert four.status_code == 400 and errors_of(four)["photos"]["code"] == "too_many_photos"
    assert first.status_code == 201
    assert two_more.status_code == 400
    assert errors_of(two_more)["photos"]["code"] == "too_many_photos"
    assert len(stored_files(media_root)) == 2


def test_a_resident_cannot_touch_a_product_of_another_business(cast, resident_a_client):
    product = make_product(cast.village_a, make_business(cast.village_a, name="Tetangga"))
    patch = resident_a_client.patch(
        f"{PRODUCTS}{product.pk}/", {"price": "1"}, content_type="application/json"
    )
    delete = resident_a_client.delete(f"{PRODUCTS}{product.pk}/")
    assert patch.status_code == 404 and delete.status_code == 404
    with tenant_context(cast.village_a):
        assert Product.objects.get(pk=product.pk).price == Decimal("15000")


def test_the_owner_updates_and_deletes_a_product(cast, resident_a_client):
    product = make_product(cast.village_a, make_business(cast.village_a, owner=cast.resident_a))
    patch = resident_a_client.patch(
        f"{PRODUCTS}{product.pk}/",
        {"stock": "habis", "price": "17500"},
        content_type="application/json",
    )
    delete = resident_a_client.delete(f"{PRODUCTS}{product.pk}/")
    assert patch.json()["stock"] == "habis" and patch.json()["price"] == "17500.00"
    assert delete.status_code == 204
    with tenant_context(cast.village_a):
        assert not Product.objects.filter(pk=product.pk).exists()


# -- moderation -----------------------------------------------------------------------------


def test_staff_hide_a_listing_with_a_reason_and_unhide_it(cast):
    product = make_product(cast.village_a, make_business(cast.village_a))
    staff = client_for(cast.village_a, user=cast.alice)
    public = client_for(cast.village_a)

    no_reason = staff.post(f"{PRODUCTS}{product.pk}/hide/")
    hidden = staff.post(f"{PRODUCTS}{product.pk}/hide/", {"reason": "Harga menyesatkan"})
    catalog_while_hidden = public.get(CATALOG).json()["count"]
    unhidden = staff.post(f"{PRODUCTS}{product.pk}/unhide/")

    assert no_reason.status_code == 400 and "reason" in errors_of(no_reason)
    assert hidden.json()["hidden"] is True
    assert hidden.json()["hidden_reason"] == "Harga menyesatkan"
    assert catalog_while_hidden == 0
    assert unhidden.json()["hidden"] is False
    assert public.get(CATALOG).json()["count"] == 1


@pytest.mark.parametrize("who", ["owner", "anonymous", "supervisor", "staff_of_b"])
def test_only_staff_of_the_village_moderate(cast, who):
    product = make_product(cast.village_a, make_business(cast.village_a, owner=cast.resident_a))
    client = {
        "owner": lambda: resident_client(cast.village_a, cast.resident_a_nik),
        "anonymous": lambda: client_for(cast.village_a),
        "supervisor": lambda: client_for(cast.village_a, user=cast.carol),
        "staff_of_b": lambda: client_for(cast.village_a, user=cast.bob),
    }[who]()
    response = client.post(f"{PRODUCTS}{product.pk}/hide/", {"reason": "x"})
    assert response.status_code in (401, 403)
    with tenant_context(cast.village_a):
        assert Product.objects.get(pk=product.pk).hidden is False


# -- the village's public catalog -------------------------------------------------------------


def test_the_catalog_shows_only_verified_businesses_products_with_a_whatsapp_link(cast):
    verified = make_business(cast.village_a, name="Kebun Pak Harjo", whatsapp="6281311112222")
    pending = make_business(cast.village_a, status=BusinessStatus.SUBMITTED, name="Belum")
    make_product(cast.village_a, verified, name="Getah karet", unit="kg", category="hasil_kebun")
    make_product(cast.village_a, pending, name="Belum diverifikasi")

    response = client_for(cast.village_a).get(CATALOG)

    [item] = response.json()["results"]
    assert item["name"] == "Getah karet"
    assert item["contact_url"].startswith("https://wa.me/6281311112222?text=")
    assert "Getah%20karet" in item["contact_url"]
    assert "Kampung%20Negara%20Batin" in item["contact_url"]
    assert "owner_id" not in item


def test_the_catalog_searches_and_filters(cast):
    business = make_business(cast.village_a)
    make_product(cast.village_a, business, name="Gula aren", price=Decimal("25000"))
    make_product(cast.village_a, business, name="Gula semut", price=Decimal("40000"), stock="habis")
    make_product(cast.village_a, business, name="Kopi robusta", price=Decimal("60000"))
    public = client_for(cast.village_a)

    def names(**params):
        return [p["name"] for p in public.get(CATALOG, params).json()["results"]]

    assert names(q="GULA") == ["Gula aren", "Gula semut"]
    assert names(q="gula", stock="tersedia") == ["Gula aren"]
    assert names(min_price="30000") == ["Gula semut", "Kopi robusta"]
    assert names(max_price="30000") == ["Gula aren"]
    bad = public.get(CATALOG, {"min_price": "-1"})
    assert bad.status_code == 400 and "min_price" in errors_of(bad)


def test_the_catalog_costs_the_same_queries_for_many_products(cast, django_assert_max_num_queries):
    business = make_business(cast.village_a)
    for index in range(15):
        make_product(cast.village_a, business, name=f"Produk {index:02d}")
    public = client_for(cast.village_a)
    public.get(CATALOG)
    with django_assert_max_num_queries(6):
        response = public.get(CATALOG)
    assert response.json()["count"] == 15


def test_a_village_catalog_never_shows_another_villages_products(cast):
    make_product(cast.village_b, make_business(cast.village_b), name="Produk B")
    assert client_for(cast.village_a).get(CATALOG).json()["count"] == 0
    assert client_for(cast.village_b).get(CATALOG).json()["count"] == 1


def test_an_address_must_point_at_an_rt_of_this_village(cast, resident_a_client):
    from services.village.models import Area, AreaLevel

    with tenant_context(cast.village_a):
        dusun = Area.objects.create(level=AreaLevel.DUSUN, name="Dusun Uji")
        rw = Area.objects.create(level=AreaLevel.RW, name="01", parent=dusun)
        rt = Area.objects.create(level=AreaLevel.RT, name="02", parent=rw)
    connection.set_schema_to_public()

    not_an_rt = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, "rt": rw.pk}, content_type="application/json"
    )
    an_rt = resident_a_client.post(
        BUSINESSES, {**VALID_BUSINESS, "rt": rt.pk}, content_type="application/json"
    )

    assert not_an_rt.status_code == 400 and errors_of(not_an_rt)["rt"]["code"] == "invalid_rt"
    assert an_rt.status_code == 201 and an_rt.json()["rt"] == rt.pk
