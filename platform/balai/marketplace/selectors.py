"""Reads of the cross-village catalog and the economy summaries: public-schema rows only."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from balai.accounts.models import User
from balai.accounts.selectors import (
    region_is_supervised,
    supervisor_region_codes,
)
from balai.errors import BalaiError
from balai.marketplace.filters import CatalogFilters, catalog_filter
from balai.marketplace.models import Listing, VillageEconomySummary

KECAMATAN_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")
KABUPATEN_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}$")


def catalog_region_parse(params) -> tuple[str, str]:
    """The region a catalog covers: ``kecamatan=18.08.11`` or ``kabupaten=18.08``."""
    kecamatan = (params.get("kecamatan") or "").strip()
    kabupaten = (params.get("kabupaten") or "").strip()
    if bool(kecamatan) == bool(kabupaten):
        raise BalaiError.single(
            "kabupaten" if not kecamatan else "kecamatan",
            "region_required",
            "Pilih satu wilayah: kecamatan atau kabupaten.",
            "Choose one region: a kecamatan or a kabupaten.",
        )
    if kecamatan:
        if not KECAMATAN_CODE.match(kecamatan):
            raise BalaiError.single(
                "kecamatan",
                "invalid_region",
                "Kode kecamatan tidak valid (contoh 18.08.11).",
                "Invalid kecamatan code (e.g. 18.08.11).",
            )
        return "kecamatan", kecamatan
    if not KABUPATEN_CODE.match(kabupaten):
        raise BalaiError.single(
            "kabupaten",
            "invalid_region",
            "Kode kabupaten tidak valid (contoh 18.08).",
            "Invalid kabupaten code (e.g. 18.08).",
        )
    return "kabupaten", kabupaten


def catalog_search(*, level: str, code: str, filters: CatalogFilters) -> QuerySet[Listing]:
    listings = Listing.objects.filter(**{f"{level}_code": code})
    # Ordered by name then key, so pages are stable while rows are being republished.
    return catalog_filter(listings, filters).order_by("name", "village_code", "product_id")


def _summaries_under(code: str) -> Q:
    """Summary rows under a region code (the same levels as accounts.selectors.villages_under)."""
    depth = code.count(".") + 1
    if depth == 3:
        return Q(kecamatan_code=code)
    if depth == 2:
        return Q(kabupaten_code=code)
    if depth == 1:
        return Q(kabupaten_code__startswith=code + ".")
    return Q(village_code=code)


def economy_summaries_for(
    *, user: User, region_code: str | None = None
) -> QuerySet[VillageEconomySummary]:
    """Per-village figures of the villages the supervisor oversees, optionally narrowed.

    A region outside the scope is "not found", as in balai.supervision.selectors.
    """
    codes = supervisor_region_codes(user=user)
    if region_code:
        if not region_is_supervised(user=user, region_code=region_code):
            raise BalaiError.single(
                "region", "not_found", "Wilayah tidak ditemukan.", "Region not found.", status=404
            )
        codes = [region_code]
    if not codes:
        return VillageEconomySummary.objects.none()
    condition = Q()
    for code in codes:
        condition |= _summaries_under(code)
    return VillageEconomySummary.objects.filter(condition).order_by("village_code")
