"""Supervisor pages on the public host: the villages of their region and its dashboard.

Everything read here goes through balai.supervision.selectors, which bounds it by the
regions the user supervises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from balai.errors import BalaiError
from balai.regions.models import Region
from balai.supervision.selectors import supervised_villages_in
from frontend.access import request_supervised_codes, supervisor_page
from tenants.models import VillageStatus


@dataclass
class Panel:
    """One section of the supervisor dashboard: a template and what it shows."""

    template: str
    context: dict = field(default_factory=dict)


def villages_by_kecamatan_panel(request: HttpRequest, region_code: str | None) -> Panel:
    counts = (
        supervised_villages_in(user=request.user, region_code=region_code)
        .order_by("kecamatan_code")
        .values("kecamatan_code")
        .annotate(
            total=Count("id"),
            active=Count("id", filter=Q(status=VillageStatus.ACTIVE)),
            suspended=Count("id", filter=Q(status=VillageStatus.SUSPENDED)),
        )
    )
    rows = list(counts)
    names = dict(
        Region.objects.filter(code__in=[row["kecamatan_code"] for row in rows]).values_list(
            "code", "name"
        )
    )
    for row in rows:
        row["name"] = names.get(row["kecamatan_code"], "")
    totals = {key: sum(row[key] for row in rows) for key in ("total", "active", "suspended")}
    return Panel("supervisor/_panel_villages_by_kecamatan.html", {"rows": rows, "totals": totals})


# The dashboard shows these panels in order. The roll-ups of later issues (population,
# letters, complaints, budget per village) add their panel functions here.
DASHBOARD_PANELS: list[Callable[[HttpRequest, str | None], Panel]] = [
    villages_by_kecamatan_panel,
]


def _scope(request: HttpRequest) -> tuple[list[Region], str | None]:
    """The regions a supervisor may narrow to (their scope and its kecamatan), and the one
    asked for."""
    kecamatan_codes = supervised_villages_in(user=request.user).order_by().values("kecamatan_code")
    regions = Region.objects.filter(
        Q(code__in=request_supervised_codes(request)) | Q(code__in=kecamatan_codes)
    )
    return list(regions.order_by("code")), request.GET.get("region") or None


@supervisor_page
def dashboard(request: HttpRequest) -> HttpResponse:
    regions, region_code = _scope(request)
    try:
        panels = [panel(request, region_code) for panel in DASHBOARD_PANELS]
    except BalaiError as error:  # a region outside the scope: the selector says not found
        raise Http404 from error
    scope = request_supervised_codes(request)
    shown = [r for r in regions if r.code == region_code or (not region_code and r.code in scope)]
    return render(
        request,
        "supervisor/dashboard.html",
        {"regions": regions, "region_code": region_code, "shown": shown, "panels": panels},
    )


@supervisor_page
def village_list(request: HttpRequest) -> HttpResponse:
    regions, region_code = _scope(request)
    try:
        villages = list(supervised_villages_in(user=request.user, region_code=region_code))
    except BalaiError as error:
        raise Http404 from error
    return render(
        request,
        "supervisor/village_list.html",
        {"regions": regions, "region_code": region_code, "villages": villages},
    )
