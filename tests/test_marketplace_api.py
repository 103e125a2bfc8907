"""The cross-village catalog and supervisors' economy figures on the public host.

Both read only public-schema rows; here the rows are written directly, as the worker would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from balai.marketplace.models import Listing, VillageEconomySummary
from tests.conftest import client_for
from tests.test_economy_api import errors_of, resident_client

pytestmark = pytest.mark.django_db

CATALOG = "/api/catalog/"
FIGURES = "/api/supervisor/economy/"

VILLAGES = {
    "18.08.11.2001": ("Negara Batin", "negarabatin"),
    "18.08.11.2002": ("Purwa Agung", "purwaagung"),
    "18.08.01.2006": ("Desa C", "desa-c"),
}


def listing(village_code: str, product_id: int, name: str, **fields) -> Listing:
    village_name, slug = VILLAGES[village_code]
    values = {
        "price": Decimal("10000"),
        "unit": "kg",
        "category": "hasil_kebun",
        "stock": "tersedia",
        "business_name": "Usaha",
        "contact_url": "https://wa.me/6281234567890?text=Halo",
        "updated_at": timezone.now(),
    }
    values.update(fields)
    return Listing.objects.create(
        village_code=village_code,
        kecamatan_code=village_code[:8],
        kabupaten_code=village_code[:5],
        village_name=village_name,
        village_slug=slug,
        village_host=f"{slug}.localhost",
        product_id=product_id,
        business_id=1,
        name=name,
        **values,
    )


@pytest.fixture
def catalog_rows(db):
    listing("18.08.11.2001", 1, "Getah karet", price=Decimal("9500"))
    listing("18.08.11.2001", 2, "Gula aren", category="makanan", price=Decimal("25000"))
    listing("18.08.11.2002", 1, "Karet lembaran", price=Decimal("12000"), stock="habis")
    listing("18.08.01.2006", 1, "Kopi robusta", category="makanan", price=Decimal("60000"))


def _names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_a_kecamatan_catalog_lists_the_products_of_its_villages_only(public_client, catalog_rows):
    response = public_client.get(CATALOG, {"kecamatan": "18.08.11"})
    assert response.status_code == 200
    assert _names(response) == ["Getah karet", "Gula aren", "Karet lembaran"]
    first = response.json()["results"][0]
    assert first["village_name"] == "Negara Batin"
    assert first["contact_url"].startswith("https://wa.me/62")


def test_a_kabupaten_catalog_lists_every_village_of_the_kabupaten(public_client, catalog_rows):
    response = public_client.get(CATALOG, {"kabupaten": "18.08"})
    assert response.json()["count"] == 4


def test_the_catalog_searches_and_filters_across_villages(public_client, catalog_rows):
    def names(**params):
        return _names(public_client.get(CATALOG, {"kabupaten": "18.08", **params}))

    assert names(q="KARET") == ["Getah karet", "Karet lembaran"]
    assert names(category="makanan") == ["Gula aren", "Kopi robusta"]
    assert names(stock="habis") == ["Karet lembaran"]
    assert names(min_price="10000", max_price="30000") == ["Gula aren", "Karet lembaran"]


def test_the_catalog_is_paginated(public_client, db):
    for index in range(55):
        listing("18.08.11.2001", index + 1, f"Produk {index:02d}")
    first = public_client.get(CATALOG, {"kecamatan": "18.08.11"}).json()
    second = public_client.get(CATALOG, {"kecamatan": "18.08.11", "page": 2}).json()
    assert first["count"] == 55 and len(first["results"]) == 50
    assert [row["name"] for row in second["results"]] == [f"Produk {i}" for i in range(50, 55)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "kabupaten"),
        ({"kecamatan": "18.08.11", "kabupaten": "18.08"}, "kecamatan"),
        ({"kecamatan": "1808"}, "kecamatan"),
        ({"kabupaten": "18.08.11"}, "kabupaten"),
        ({"kabupaten": "18.08", "max_price": "murah"}, "max_price"),
        ({"kabupaten": "18.08", "category": "senjata"}, "category"),
    ],
)
def test_bad_catalog_parameters_are_refused_naming_the_field(public_client, db, params, field):
    response = public_client.get(CATALOG, params)
    assert response.status_code == 400
    error = errors_of(response)[field]
    assert error["message"] != error["message_en"]


def test_the_catalog_costs_the_same_queries_for_many_rows(
    public_client, db, django_assert_max_num_queries
):
    for index in range(40):
        listing("18.08.11.2001", index + 1, f"Produk {index:02d}")
    with django_assert_max_num_queries(3):
        assert public_client.get(CATALOG, {"kabupaten": "18.08"}).json()["count"] == 40


def test_the_cross_village_catalog_is_not_served_on_village_hosts(cast):
    assert client_for(cast.village_a).get(CATALOG, {"kabupaten": "18.08"}).status_code == 404


# -- supervisors' figures ---------------------------------------------------------------------


@pytest.fixture
def summaries(db):
    for code, (name, _) in VILLAGES.items():
        VillageEconomySummary.objects.create(
            village_code=code,
            kecamatan_code=code[:8],
            kabupaten_code=code[:5],
            village_name=name,
            businesses_verified=3,
            businesses_total=4,
            products_listed=7,
            bumdes_year=2025,
            bumdes_revenue=Decimal("100000000"),
            bumdes_profit=Decimal("-2000000"),
            refreshed_at=timezone.now(),
        )


def _codes(response) -> list[str]:
    return [row["village_code"] for row in response.json()["results"]]


def test_a_kecamatan_supervisor_sees_the_figures_of_their_villages(cast, public_client, summaries):
    public_client.force_login(cast.carol)
    response = public_client.get(FIGURES)
    assert response.status_code == 200
    assert _codes(response) == ["18.08.11.2001", "18.08.11.2002"]
    row = response.json()["results"][0]
    assert (row["businesses_verified"], row["products_listed"], row["bumdes_profit"]) == (
        3,
        7,
        "-2000000.00",
    )


def test_a_supervisor_of_another_kecamatan_sees_only_theirs(cast, public_client, summaries):
    public_client.force_login(cast.dave)
    assert _codes(public_client.get(FIGURES)) == ["18.08.01.2006"]


def test_a_kabupaten_supervisor_sees_all_and_can_narrow(cast, public_client, summaries):
    public_client.force_login(cast.erin)
    assert len(_codes(public_client.get(FIGURES))) == 3
    assert _codes(public_client.get(FIGURES, {"region": "18.08.01"})) == ["18.08.01.2006"]


def test_a_region_outside_the_scope_is_not_found(cast, public_client, summaries):
    public_client.force_login(cast.carol)
    response = public_client.get(FIGURES, {"region": "18.08.01"})
    assert response.status_code == 404
    assert "region" in errors_of(response)


@pytest.mark.parametrize("username", ["alice", "bob", "pat", None])
def test_non_supervisors_get_no_figures(cast, public_client, summaries, username):
    if username:
        public_client.force_login(getattr(cast, username))
    assert public_client.get(FIGURES).status_code in (401, 403)


def test_a_resident_gets_no_figures_and_they_are_not_on_village_hosts(cast, summaries):
    assert resident_client(cast.village_a, cast.resident_a_nik).get(FIGURES).status_code == 404
    assert client_for(cast.village_a, user=cast.carol).get(FIGURES).status_code == 404


def test_the_figures_cost_the_same_queries_for_many_villages(
    cast, public_client, summaries, django_assert_max_num_queries
):
    public_client.force_login(cast.erin)
    public_client.get(FIGURES)
    # session, user, scope (permission), scope (selector), count, page
    with django_assert_max_num_queries(7):
        assert len(_codes(public_client.get(FIGURES))) == 3


def test_the_catalog_filters_know_exactly_the_product_choices():
    # balai.marketplace (public schema) keeps its own copy of the lists so it does not import
    # a village app's models; this keeps the copies equal.
    from balai.marketplace.filters import CATEGORIES, STOCKS
    from services.economy.models import ProductCategory, StockStatus

    assert CATEGORIES == set(ProductCategory.values)
    assert STOCKS == set(StockStatus.values)
