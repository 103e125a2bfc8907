"""What a village publishes to the public catalog and the supervisors' summary.

Runs in the village schema (a VillageTask); writes the public-schema tables of
balai.marketplace, which the village connection reaches through its search path. Each
function reads the current state of the village, so running it twice, or late, publishes
the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from django.db import connection
from django.db.models import Max, Sum

from balai.marketplace import services as marketplace
from services.economy.models import BumdesUnitYear, Business, BusinessStatus, Product
from services.economy.selectors import products_public
from services.village.images import image_url
from services.village.models import VillageProfile
from tenants.models import Village
from tenants.routing import village_host


def village_place() -> marketplace.VillagePlace:
    village = connection.tenant
    if not isinstance(village, Village):
        # schema_context() leaves a FakeTenant that only knows its schema name.
        village = Village.objects.get(schema_name=connection.schema_name)
    return marketplace.VillagePlace(
        code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        name=village.name,
        slug=village.slug,
        host=village_host(village.slug),
    )


def contact_url(*, whatsapp: str, product_name: str, village_label: str) -> str:
    """The "contact the seller" link: WhatsApp with a message naming product and village."""
    message = (
        f"Halo, saya tertarik dengan {product_name} di lapak {village_label} (Balai). "
        "Apakah masih tersedia?"
    )
    return f"https://wa.me/{whatsapp}?text={quote(message, safe='')}"


def village_label() -> str:
    """How the village names itself, e.g. "Kampung Negara Batin"."""
    profile = VillageProfile.objects.filter(id=1).only("name", "local_term").first()
    if profile is None:
        return village_place().name
    return f"{profile.local_term.title()} {profile.name}"


def _thumbnail(product: Product, host: str) -> str:
    if not product.photos:
        return ""
    # Protocol-relative: the catalog page on the public host loads it from the village host.
    return f"//{host}{image_url(product.photos[0])}"


def listing_row(product: Product, *, place: marketplace.VillagePlace, label: str) -> dict:
    return {
        "product_id": product.pk,
        "business_id": product.business_id,
        "name": product.name,
        "price": product.price,
        "unit": product.unit,
        "category": product.category,
        "stock": product.stock,
        "thumbnail_url": _thumbnail(product, place.host),
        "business_name": product.business.name,
        "contact_url": contact_url(
            whatsapp=product.business.whatsapp, product_name=product.name, village_label=label
        ),
        "updated_at": max(product.updated_at, product.business.updated_at),
    }


def products_publish(*, product_ids: Iterable[int]) -> dict[str, int]:
    """Publish these products as they are now: listed if public, withdrawn otherwise."""
    wanted = set(product_ids)
    place = village_place()
    label = village_label()
    public = list(products_public().filter(pk__in=wanted))
    rows = [listing_row(product, place=place, label=label) for product in public]
    withdrawn = wanted - {product.pk for product in public}
    published = marketplace.listings_publish(
        place=place, rows=rows, withdrawn_product_ids=withdrawn
    )
    summary_refresh()
    return {"published": published, "withdrawn": len(withdrawn)}


def business_publish(*, business_id: int) -> dict[str, int]:
    product_ids = Product.objects.filter(business_id=business_id).values_list("pk", flat=True)
    # Products already deleted with their business are withdrawn by the full resync.
    return products_publish(product_ids=list(product_ids))


def village_publish_all() -> dict[str, int]:
    """The full resync: the village's catalog rows become exactly its public products."""
    place = village_place()
    label = village_label()
    rows = [listing_row(product, place=place, label=label) for product in products_public()]
    result = marketplace.listings_replace_for_village(place=place, rows=rows)
    summary_refresh()
    return result


def summary_refresh() -> None:
    """Counts and the latest reported BUMDes year, for the supervisors' figures."""
    place = village_place()
    latest_year = BumdesUnitYear.objects.aggregate(year=Max("year"))["year"]
    totals = {"revenue": None, "profit": None}
    if latest_year is not None:
        totals = BumdesUnitYear.objects.filter(year=latest_year).aggregate(
            revenue=Sum("revenue"), profit=Sum("profit")
        )
    marketplace.summary_write(
        place=place,
        businesses_verified=Business.objects.filter(status=BusinessStatus.VERIFIED).count(),
        businesses_total=Business.objects.count(),
        products_listed=products_public().count(),
        bumdes_year=latest_year,
        bumdes_revenue=totals["revenue"] or Decimal(0),
        bumdes_profit=totals["profit"] or Decimal(0),
    )
