"""Filters of a product catalog, shared by the village catalog (products in the village
schema) and the cross-village catalog (public listing rows): both use the same field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet

from balai.errors import BalaiError

CATEGORIES = {
    "hasil_tani",
    "hasil_kebun",
    "ternak",
    "ikan",
    "makanan",
    "kerajinan",
    "kebutuhan",
    "jasa",
    "wisata",
    "lainnya",
}
STOCKS = {"tersedia", "habis", "pre_order"}


def _choice(value: str, *, field: str, allowed: set[str]) -> str:
    if value and value not in allowed:
        raise BalaiError.single(
            field,
            "invalid_choice",
            f"Pilihan {field} tidak dikenal.",
            f"Unknown value for {field}.",
        )
    return value


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    category: str = ""
    stock: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None


def _price_param(value: str | None, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or price < 0:
        raise BalaiError.single(
            field,
            "invalid_price",
            "Batas harga harus angka tidak negatif.",
            "The price bound must be a number, not negative.",
        )
    return price


def catalog_filters_parse(params) -> CatalogFilters:
    """Query parameters of a catalog (village or cross-village): q, category, stock, prices."""
    category = _choice(params.get("category") or "", field="category", allowed=CATEGORIES)
    stock = _choice(params.get("stock") or "", field="stock", allowed=STOCKS)
    return CatalogFilters(
        q=(params.get("q") or "").strip()[:100],
        category=category,
        stock=stock,
        min_price=_price_param(params.get("min_price"), field="min_price"),
        max_price=_price_param(params.get("max_price"), field="max_price"),
    )


def catalog_filter(queryset: QuerySet, filters: CatalogFilters) -> QuerySet:
    """Apply the filters to products or to public listings (same field names)."""
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.stock:
        queryset = queryset.filter(stock=filters.stock)
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    return queryset
