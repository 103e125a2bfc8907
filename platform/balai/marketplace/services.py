"""Writes to the public catalog and the economy summaries. Called by the village worker
(services.economy.publishing), never by a request: the tables are copies of village data.

Every write is an idempotent upsert or delete keyed by (village_code, product_id), so a
message delivered twice, or an old message delivered late, leaves the same rows: the worker
always publishes the product's current state, read at the time the task runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from balai.marketplace.models import Listing, VillageEconomySummary

LISTING_FIELDS = [
    "kecamatan_code",
    "kabupaten_code",
    "village_name",
    "village_slug",
    "village_host",
    "business_id",
    "name",
    "price",
    "unit",
    "category",
    "stock",
    "thumbnail_url",
    "business_name",
    "contact_url",
    "updated_at",
    "published_at",
]


@dataclass(frozen=True)
class VillagePlace:
    """Where a village sits, as stamped on each of its rows."""

    code: str
    kecamatan_code: str
    kabupaten_code: str
    name: str
    slug: str
    host: str


def listings_publish(
    *, place: VillagePlace, rows: Iterable[dict], withdrawn_product_ids: Iterable[int] = ()
) -> int:
    """Upsert the given products' rows and delete the withdrawn ones, in one transaction."""
    now = timezone.now()
    listings = [
        Listing(
            village_code=place.code,
            kecamatan_code=place.kecamatan_code,
            kabupaten_code=place.kabupaten_code,
            village_name=place.name,
            village_slug=place.slug,
            village_host=place.host,
            published_at=now,
            **row,
        )
        for row in rows
    ]
    withdrawn = list(withdrawn_product_ids)
    with transaction.atomic():
        if withdrawn:
            Listing.objects.filter(village_code=place.code, product_id__in=withdrawn).delete()
        if listings:
            # INSERT ... ON CONFLICT DO UPDATE: two workers publishing the same product at
            # once both succeed, and the row ends as the later one wrote it.
            Listing.objects.bulk_create(
                listings,
                update_conflicts=True,
                unique_fields=["village_code", "product_id"],
                update_fields=LISTING_FIELDS,
                batch_size=500,
            )
    return len(listings)


def listings_replace_for_village(*, place: VillagePlace, rows: list[dict]) -> dict[str, int]:
    """The nightly resync: the village's rows become exactly ``rows``."""
    keep = [row["product_id"] for row in rows]
    with transaction.atomic():
        removed, _ = (
            Listing.objects.filter(village_code=place.code).exclude(product_id__in=keep).delete()
        )
        published = listings_publish(place=place, rows=rows)
    return {"published": published, "removed": removed}


def listings_withdraw_village(*, village_code: str) -> int:
    """Take every row of a village off the catalog (a suspended or removed village)."""
    removed, _ = Listing.objects.filter(village_code=village_code).delete()
    VillageEconomySummary.objects.filter(village_code=village_code).delete()
    return removed


def summary_write(
    *,
    place: VillagePlace,
    businesses_verified: int,
    businesses_total: int,
    products_listed: int,
    bumdes_year: int | None,
    bumdes_revenue: Decimal,
    bumdes_profit: Decimal,
    as_of: datetime | None = None,
) -> VillageEconomySummary:
    summary = VillageEconomySummary(
        village_code=place.code,
        kecamatan_code=place.kecamatan_code,
        kabupaten_code=place.kabupaten_code,
        village_name=place.name,
        businesses_verified=businesses_verified,
        businesses_total=businesses_total,
        products_listed=products_listed,
        bumdes_year=bumdes_year,
        bumdes_revenue=bumdes_revenue,
        bumdes_profit=bumdes_profit,
        refreshed_at=as_of or timezone.now(),
    )
    # An upsert, not update_or_create: two first refreshes of a village at once would
    # otherwise race to INSERT the same primary key.
    VillageEconomySummary.objects.bulk_create(
        [summary],
        update_conflicts=True,
        unique_fields=["village_code"],
        update_fields=[
            "kecamatan_code",
            "kabupaten_code",
            "village_name",
            "businesses_verified",
            "businesses_total",
            "products_listed",
            "bumdes_year",
            "bumdes_revenue",
            "bumdes_profit",
            "refreshed_at",
        ],
    )
    return summary
