"""The cross-village product catalog on the public host: choose a kabupaten or kecamatan,
then search the verified products of all its villages.

Everything comes from balai.marketplace's listing rows (copied from the villages by a
worker); no village schema is read while a visitor waits.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from balai.errors import BalaiError
from balai.marketplace.filters import catalog_filters_parse
from balai.marketplace.selectors import catalog_region_parse, catalog_search
from balai.regions.models import Region
from frontend.economy_forms import CatalogRegionForm, ProductFilterForm
from frontend.forms import add_balai_errors
from frontend.pages import page_of, query_without
from tenants.models import Village, VillageStatus

PAGE_SIZE = 24


def _region_choices() -> list[tuple[str, str]]:
    """Kabupaten and kecamatan that have an active village, named from the region table."""
    pairs = (
        Village.objects.filter(status=VillageStatus.ACTIVE)
        .order_by()
        .values_list("kabupaten_code", "kecamatan_code")
        .distinct()
    )
    codes = sorted({code for pair in pairs for code in pair})
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    choices = []
    for code in codes:
        name = names.get(code, code)
        # Kecamatan indented under their kabupaten (codes sort kabupaten first).
        prefix = "\u2003" if code.count(".") == 2 else ""
        choices.append((code, f"{prefix}{name}"))
    return choices


def _region_params(code: str) -> dict:
    return {"kecamatan" if code.count(".") == 2 else "kabupaten": code}


def regional_catalog(request: HttpRequest, region_code: str | None = None) -> HttpResponse:
    regions = _region_choices()
    if region_code is None:
        chosen = request.GET.get("region")
        if chosen and chosen in dict(regions):
            return redirect("page-regional-catalog", chosen)
        form = CatalogRegionForm(request.GET or None, regions=regions)
        return render(
            request,
            "economy/regional_choose.html",
            {"form": form},
            status=400 if request.GET.get("region") else 200,
        )
    try:
        level, code = catalog_region_parse(_region_params(region_code))
    except BalaiError as error:
        raise Http404 from error
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    form = ProductFilterForm(request.GET or None)
    status = 200
    try:
        listings = catalog_search(
            level=level, code=code, filters=catalog_filters_parse(request.GET)
        )
    except BalaiError as error:
        form.is_valid()
        add_balai_errors(form, error)
        listings, status = None, 400
    page = page_of(request, listings if listings is not None else [], PAGE_SIZE)
    context = {
        "region": region,
        "form": form,
        "page": page,
        "query": query_without(request, "halaman"),
        "region_form": CatalogRegionForm(initial={"region": code}, regions=regions),
    }
    template = "economy/_regional_results.html" if request.htmx else "economy/regional_catalog.html"
    return render(request, template, context, status=status)
