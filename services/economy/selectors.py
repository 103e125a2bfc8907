"""Reads of the village economy shared by the API, the pages and the publisher.

Objects a user asks for are reached only through ``businesses_for`` / ``products_for``, which
scope by who is asking: staff see the whole village, a resident only their own businesses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from balai.errors import BalaiError
from services.economy.models import (
    Bumdes,
    BumdesUnit,
    BumdesUnitYear,
    Business,
    BusinessStatus,
    Product,
)


@dataclass(frozen=True)
class Actor:
    """Who acts in the village: staff (any role) or a resident (by resident id)."""

    is_staff: bool
    resident_id: int | None = None
    user_id: int | None = None


def businesses_for(*, actor: Actor) -> QuerySet[Business]:
    if actor.is_staff:
        return Business.objects.all()
    if actor.resident_id is not None:
        return Business.objects.filter(owner_id=actor.resident_id)
    return Business.objects.none()


def business_get_for(*, actor: Actor, business_id: object) -> Business:
    try:
        return businesses_for(actor=actor).get(pk=int(str(business_id)))
    except (Business.DoesNotExist, ValueError):
        raise BalaiError.single(
            "business", "not_found", "Usaha tidak ditemukan.", "Business not found.", status=404
        ) from None


def products_for(*, actor: Actor) -> QuerySet[Product]:
    if actor.is_staff:
        return Product.objects.select_related("business")
    if actor.resident_id is not None:
        return Product.objects.select_related("business").filter(
            business__owner_id=actor.resident_id
        )
    return Product.objects.none()


def product_get_for(*, actor: Actor, product_id: object) -> Product:
    try:
        return products_for(actor=actor).get(pk=int(str(product_id)))
    except (Product.DoesNotExist, ValueError):
        raise BalaiError.single(
            "product", "not_found", "Produk tidak ditemukan.", "Product not found.", status=404
        ) from None


def businesses_public() -> QuerySet[Business]:
    return Business.objects.filter(status=BusinessStatus.VERIFIED)


def products_public() -> QuerySet[Product]:
    """Products anyone may see: of a verified business and not hidden by staff."""
    return Product.objects.select_related("business").filter(
        business__status=BusinessStatus.VERIFIED, hidden=False
    )


def bumdes_with_figures() -> Bumdes | None:
    """The village's BUMDes (None before its first save) with its units, each with its
    yearly figures newest first: three queries."""
    return (
        Bumdes.objects.prefetch_related(
            Prefetch(
                "units",
                BumdesUnit.objects.prefetch_related(
                    Prefetch("years", BumdesUnitYear.objects.order_by("-year"))
                ),
            )
        )
        .filter(id=1)
        .first()
    )
