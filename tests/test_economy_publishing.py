"""Publishing a village's products to the public catalog: the task logic, run eagerly.

The same tasks run in a real worker in tests/test_marketplace_worker.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from balai.celery_app import SCHEMA_HEADER, VillageContextMissingError, app
from balai.marketplace.models import Listing, VillageEconomySummary
from balai.marketplace.tasks import resync_all
from services.economy import services, tasks
from services.economy.models import Bumdes, BumdesUnit, BusinessStatus
from tests.test_economy_api import make_business, make_product

pytestmark = pytest.mark.django_db


def _publish(village, product_ids):
    """Run the task as a worker would: with the village in the message header."""
    result = tasks.products_publish.apply(
        kwargs={"product_ids": product_ids}, headers={SCHEMA_HEADER: village.schema_name}
    )
    connection.set_schema_to_public()
    return result.get()


def _listings(village):
    return list(Listing.objects.filter(village_code=village.region_id).order_by("name"))


@pytest.fixture
def eager(monkeypatch):
    """Tasks queued with apply_async run at once, in this process."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_a_public_product_is_published_with_its_village_and_contact(cast):
    business = make_business(cast.village_a, name="Kebun Pak Harjo", whatsapp="6281311112222")
    product = make_product(cast.village_a, business, name="Getah karet", price=Decimal("9500"))

    _publish(cast.village_a, [product.pk])

    [row] = _listings(cast.village_a)
    assert (row.product_id, row.name, row.price, row.business_name) == (
        product.pk,
        "Getah karet",
        Decimal("9500.00"),
        "Kebun Pak Harjo",
    )
    assert (row.kecamatan_code, row.kabupaten_code, row.village_slug) == (
        "18.08.11",
        "18.08",
        "negarabatin",
    )
    assert row.contact_url.startswith("https://wa.me/6281311112222?text=")


def test_publishing_twice_leaves_one_row(cast):
    product = make_product(cast.village_a, make_business(cast.village_a))
    _publish(cast.village_a, [product.pk])
    _publish(cast.village_a, [product.pk])
    assert len(_listings(cast.village_a)) == 1


@pytest.mark.parametrize("change", ["hide", "reject_business", "delete"])
def test_a_product_that_is_no_longer_public_is_withdrawn(cast, change):
    business = make_business(cast.village_a)
    product = make_product(cast.village_a, business)
    product_id = product.pk
    _publish(cast.village_a, [product_id])

    with tenant_context(cast.village_a):
        if change == "hide":
            services.product_hide(product=product, reason="Tidak pantas", by_user_id=cast.alice.pk)
        elif change == "reject_business":
            services.business_reject(business=business, reason="Tutup", by_user_id=cast.alice.pk)
        else:
            services.product_delete(product=product)
    _publish(cast.village_a, [product_id])

    assert _listings(cast.village_a) == []


def test_an_old_message_delivered_late_publishes_the_current_state(cast):
    product = make_product(cast.village_a, make_business(cast.village_a), price=Decimal("10000"))
    with tenant_context(cast.village_a):
        services.product_update(product=product, data={"price": "12500"})
    # Both the message of the first version and of the update publish what is there now.
    _publish(cast.village_a, [product.pk])
    [row] = _listings(cast.village_a)
    assert row.price == Decimal("12500.00")


def test_the_full_resync_makes_the_villages_rows_exactly_its_public_products(cast):
    business = make_business(cast.village_a)
    listed = make_product(cast.village_a, business, name="Masih dijual")
    Listing.objects.create(
        village_code=cast.village_a.region_id,
        kecamatan_code="18.08.11",
        kabupaten_code="18.08",
        village_name="Negara Batin",
        village_slug="negarabatin",
        village_host="negarabatin.localhost",
        product_id=listed.pk + 1000,  # a product the village no longer has
        business_id=business.pk,
        name="Sudah dihapus",
        price=Decimal("1"),
        unit="kg",
        category="lainnya",
        stock="tersedia",
        business_name=business.name,
        contact_url="https://wa.me/6281234567890",
        updated_at="2026-01-01T00:00:00Z",
    )

    result = tasks.village_publish.apply(headers={SCHEMA_HEADER: cast.village_a.schema_name}).get()
    connection.set_schema_to_public()

    assert result == {"published": 1, "removed": 1}
    assert [row.name for row in _listings(cast.village_a)] == ["Masih dijual"]


def test_the_summary_counts_businesses_products_and_the_latest_bumdes_year(cast):
    verified = make_business(cast.village_a)
    make_business(cast.village_a, status=BusinessStatus.DRAFT)
    make_product(cast.village_a, verified)
    make_product(cast.village_a, verified, hidden=True)
    with tenant_context(cast.village_a):
        bumdes = Bumdes.objects.create(id=1, name="BUMKam")
        shop = BumdesUnit.objects.create(bumdes=bumdes, name="Toko", kind="toko")
        water = BumdesUnit.objects.create(bumdes=bumdes, name="Air", kind="air_bersih")
        services.bumdes_unit_year_report(unit=shop, year=2024, data={"revenue": 50, "profit": 5})
        services.bumdes_unit_year_report(unit=shop, year=2025, data={"revenue": 70, "profit": 9})
        services.bumdes_unit_year_report(unit=water, year=2025, data={"revenue": 30, "profit": -4})

    tasks.summary_refresh.apply(headers={SCHEMA_HEADER: cast.village_a.schema_name}).get()
    connection.set_schema_to_public()

    summary = VillageEconomySummary.objects.get(village_code=cast.village_a.region_id)
    assert (summary.businesses_verified, summary.businesses_total, summary.products_listed) == (
        1,
        2,
        1,
    )
    assert (summary.bumdes_year, summary.bumdes_revenue, summary.bumdes_profit) == (
        2025,
        Decimal("100.00"),
        Decimal("5.00"),
    )


def test_a_change_queues_its_publish_after_commit(cast, eager, django_capture_on_commit_callbacks):
    business = make_business(cast.village_a)
    with tenant_context(cast.village_a):
        with django_capture_on_commit_callbacks(execute=True):
            product = services.product_create(
                business=business,
                data=dict(name="Madu hutan", price="85000", unit="liter", category="makanan"),
            )
    connection.set_schema_to_public()
    assert [(row.product_id, row.name) for row in _listings(cast.village_a)] == [
        (product.pk, "Madu hutan")
    ]


def test_nothing_is_queued_when_the_change_rolls_back(
    cast, eager, django_capture_on_commit_callbacks
):
    business = make_business(cast.village_a)
    with tenant_context(cast.village_a), django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(Exception):  # noqa: B017 - any error aborts the change
            services.product_create(
                business=business,
                data={"name": "X", "price": "0", "unit": "kg", "category": "makanan"},
            )
    assert callbacks == []


def test_publishing_refuses_to_be_queued_from_the_public_schema(cast):
    connection.set_schema_to_public()
    with pytest.raises(VillageContextMissingError):
        tasks.products_publish_queue(product_ids=[1])
    with pytest.raises(VillageContextMissingError):
        tasks.products_publish.apply(kwargs={"product_ids": [1]})


def test_the_nightly_resync_fans_out_to_every_active_village(cast, eager):
    product_a = make_product(cast.village_a, make_business(cast.village_a), name="Dari A")
    make_product(cast.village_c, make_business(cast.village_c), name="Dari C")

    result = resync_all.apply().get()
    connection.set_schema_to_public()

    assert result["queued"] >= 3
    assert [row.product_id for row in _listings(cast.village_a)] == [product_a.pk]
    assert [row.name for row in _listings(cast.village_c)] == ["Dari C"]
    codes = set(VillageEconomySummary.objects.values_list("village_code", flat=True))
    assert {"18.08.11.2001", "18.08.11.2002", "18.08.01.2006"} <= codes
