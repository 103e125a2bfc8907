"""Supervisor pages on the public host: the dashboard of their region, the villages, the
per-village comparison (with its CSV export), overdue complaints and duplicate NIKs.

Everything read here is a public-schema roll-up table (VillageDailyIndicators,
ComplaintVillageCounts, ComplaintEscalation, VillageEconomySummary, NikFingerprint),
through the selectors of balai.rollups, balai.supervision and balai.marketplace, which bound
it by the regions the user supervises. No village schema is read per request, and the
number of queries of every page is the same for 3 villages or 1,000.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.errors import BalaiError
from balai.learning.selectors import adoption_for
from balai.marketplace.selectors import economy_summaries_for
from balai.regions.models import Region
from balai.rollups import selectors as rollups
from balai.rollups.models import AGE_GROUPS
from balai.spreadsheets import Echo, spreadsheet_cell
from balai.supervision.duplicates import duplicate_nik_groups
from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts
from balai.supervision.selectors import supervised_villages_in
from frontend.access import request_supervised_codes, supervisor_page
from frontend.charts import PyramidRow, Series, line_chart, population_pyramid
from frontend.pages import query_without
from frontend.supervisor_forms import (
    COMPARE_COLUMNS,
    VILLAGE_PERIODS,
    CompareForm,
    RegionPageForm,
    VillagePageForm,
)
from tenants.models import VillageStatus
from tenants.routing import village_host

PAGE_SIZE = 50
TREND_DAYS = 30
# A village's stocks are those of its latest row within this many days of the "as of" day.
STOCK_WINDOW_DAYS = 31
DASHBOARD_COLUMNS = (
    "population_total",
    "letters_requested",
    "letters_requested_online",
    "letters_issued",
    "complaints_opened",
)


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


@dataclass
class Figures:
    """The roll-up figures of the region asked for, computed once per request."""

    codes: list[str]
    as_of: datetime.date | None
    month_start: datetime.date | None
    totals: dict[str, Any]
    days: list[dict[str, Any]]
    complaints: dict[str, int]


def _codes(request: HttpRequest, region_code: str | None) -> list[str]:
    return rollups.scope_codes(user=request.user, region_code=region_code)


def _complaint_counts(codes: list[str]) -> dict[str, int]:
    return ComplaintVillageCounts.objects.filter(
        village__in=rollups.villages_in(codes).values("pk")
    ).aggregate(
        open=Sum("open_count", default=0),
        overdue=Sum("overdue_count", default=0),
        escalated_open=Sum("escalated_open_count", default=0),
    )


def region_as_of(request: HttpRequest, region_code: str | None) -> tuple[list[str], Any]:
    """The region codes asked for (within the scope) and their latest roll-up day."""
    codes = _codes(request, region_code)
    as_of = rollups.latest_date(scope=rollups.rows_in(codes), today=timezone.localdate())
    return codes, as_of


def region_figures(request: HttpRequest, region_code: str | None) -> Figures:
    """The region as of its latest roll-up day: stocks of each village's latest row, flows
    of the month so far, the last days' series. The same few queries for any number of
    villages, shared by the panels of one request."""
    cached = getattr(request, "_balai_region_figures", None)
    if cached is not None and cached[0] == region_code:
        return cached[1]
    codes, as_of = region_as_of(request, region_code)
    totals: dict[str, Any] = {}
    days: list[dict[str, Any]] = []
    month_start = None
    if as_of is not None:
        month_start = as_of.replace(day=1)
        totals, days = rollups.region_dashboard(
            codes=codes,
            as_of=as_of,
            days=TREND_DAYS,
            stocks_days=STOCK_WINDOW_DAYS,
            columns=DASHBOARD_COLUMNS,
        )
    figures = Figures(codes, as_of, month_start, totals, days, _complaint_counts(codes))
    request._balai_region_figures = (region_code, figures)
    return figures


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def region_totals_panel(request: HttpRequest, region_code: str | None) -> Panel:
    figures = region_figures(request, region_code)
    return Panel(
        "supervisor/_panel_totals.html",
        {
            "as_of": figures.as_of,
            "month_start": figures.month_start,
            "totals": figures.totals,
            "complaints": figures.complaints,
            "adoption_percent": _percent(figures.totals.get("families_with_account_share")),
            "online_percent": _percent(figures.totals.get("letters_online_share")),
        },
    )


def _age_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"{low}+"


def population_panel(request: HttpRequest, region_code: str | None) -> Panel:
    totals = region_figures(request, region_code).totals
    rows = [
        PyramidRow(
            _age_label(low, high),
            totals.get(f"pop_{group}_male", 0),
            totals.get(f"pop_{group}_female", 0),
        )
        for group, low, high in AGE_GROUPS
    ]
    chart = None
    if any(row.male or row.female for row in rows):
        chart = population_pyramid(
            rows,
            title=_("Piramida penduduk wilayah"),
            male=_("Laki-laki"),
            female=_("Perempuan"),
        )
    unknown = totals.get("pop_age_unknown_male", 0) + totals.get("pop_age_unknown_female", 0)
    return Panel(
        "supervisor/_panel_population.html",
        {"chart": chart, "rows": list(reversed(rows)), "unknown": unknown},
    )


def trend_panel(request: HttpRequest, region_code: str | None) -> Panel:
    days = region_figures(request, region_code).days
    charts = []

    def series(name: str, column: str) -> Series:
        return Series(name, [(day["date"], day[column] or 0) for day in days])

    if days:
        population_title, services_title = _("Penduduk per hari"), _("Layanan per hari")
        charts.append(
            (
                population_title,
                line_chart([series(_("Penduduk"), "population_total")], title=population_title),
            )
        )
        charts.append(
            (
                services_title,
                line_chart(
                    [
                        series(_("Surat diajukan"), "letters_requested"),
                        series(_("Surat terbit"), "letters_issued"),
                        series(_("Pengaduan"), "complaints_opened"),
                    ],
                    title=services_title,
                ),
            )
        )
    return Panel(
        "supervisor/_panel_trend.html",
        {"charts": charts, "days": list(reversed(days)), "trend_days": TREND_DAYS},
    )


# The dashboard shows these panels in order; later issues add their panel functions here.
DASHBOARD_PANELS: list[Callable[[HttpRequest, str | None], Panel]] = [
    region_totals_panel,
    population_panel,
    trend_panel,
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


# --- per-village comparison -------------------------------------------------------------

COMPARE_CSV_COLUMNS = (
    "region_code",
    "village_name",
    "population_total",
    "families_total",
    "letters_requested",
    "complaints_overdue",
    "adoption_share",
    "businesses_total",
    "businesses_verified",
    "products_listed",
    "bumdes_year",
    "bumdes_revenue",
)


def comparison_rows(
    request: HttpRequest, region_code: str | None, sort: str
) -> tuple[list[dict[str, Any]], datetime.date | None]:
    """One row per village of the region: its latest roll-up figures, this month's letters,
    its overdue complaints and its economy summary, sorted by ``sort`` (a leading "-" for
    descending; villages without the figure last). Six queries, whatever the number of
    villages; the sorting of a few thousand rows is done here."""
    codes, as_of = region_as_of(request, region_code)
    villages = rollups.villages_in(codes).values_list("pk", "region_id", "name")
    indicators: dict[int, dict[str, Any]] = {}
    if as_of is not None:
        indicators = rollups.villages_latest_rows(
            codes=codes,
            start=as_of.replace(day=1),
            end=as_of,
            stocks_from=as_of - datetime.timedelta(days=STOCK_WINDOW_DAYS - 1),
            flows=("letters_requested",),
        )
    overdue = dict(
        ComplaintVillageCounts.objects.filter(
            village__in=rollups.villages_in(codes).values("pk")
        ).values_list("village_id", "overdue_count")
    )
    economy = {
        row["village_code"]: row
        for row in economy_summaries_for(user=request.user, region_code=region_code).values(
            "village_code",
            "businesses_total",
            "businesses_verified",
            "products_listed",
            "bumdes_year",
            "bumdes_revenue",
        )
    }
    rows = []
    for pk, code, name in villages:
        figures_of = indicators.get(pk, {})
        economy_of = economy.get(code, {})
        rows.append(
            {
                "region_code": code,
                "village_name": name,
                "has_rollup": bool(figures_of),
                "population_total": figures_of.get("population_total"),
                "families_total": figures_of.get("families_total"),
                "families_with_account": figures_of.get("families_with_account"),
                "letters_requested": figures_of.get("letters_requested"),
                "complaints_overdue": overdue.get(pk),
                "adoption_share": figures_of.get("families_with_account_share"),
                "adoption_percent": _percent(figures_of.get("families_with_account_share")),
                "businesses_total": economy_of.get("businesses_total"),
                "businesses_verified": economy_of.get("businesses_verified"),
                "products_listed": economy_of.get("products_listed"),
                "bumdes_year": economy_of.get("bumdes_year"),
                "bumdes_revenue": economy_of.get("bumdes_revenue"),
            }
        )
    return sort_rows(rows, sort or "region_code"), as_of


def sort_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    rows = sorted(rows, key=lambda row: row["region_code"])
    present = [row for row in rows if row[key] is not None]
    absent = [row for row in rows if row[key] is None]
    if key == "village_name":
        present.sort(key=lambda row: row[key].casefold(), reverse=descending)
    else:
        present.sort(key=lambda row: row[key], reverse=descending)
    return present + absent


# Summed over a kecamatan's villages; the adoption share is weighted by families.
KECAMATAN_SUMS = (
    "population_total",
    "families_total",
    "families_with_account",
    "letters_requested",
    "complaints_overdue",
    "businesses_total",
    "businesses_verified",
    "products_listed",
    "bumdes_revenue",
)
KECAMATAN_CSV_COLUMNS = (
    "region_code",
    "kecamatan_name",
    "villages",
    "villages_reporting",
    "population_total",
    "families_total",
    "letters_requested",
    "complaints_overdue",
    "adoption_share",
    "businesses_total",
    "businesses_verified",
    "products_listed",
    "bumdes_revenue",
)


def _sum(values: list[Any]) -> Any:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def kecamatan_rows(village_rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """The villages' rows summed per kecamatan: counts added up, the adoption share as the
    kecamatan's families with an account over its families (not an average of shares), the
    BUMDes revenue of every village whatever its year. One query (the kecamatan names)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in village_rows:
        groups.setdefault(row["region_code"][:8], []).append(row)
    names = dict(Region.objects.filter(code__in=list(groups)).values_list("code", "name"))
    rows = []
    for code, villages in groups.items():
        row: dict[str, Any] = {
            column: _sum([v[column] for v in villages]) for column in KECAMATAN_SUMS
        }
        families, with_account = row["families_total"], row["families_with_account"]
        share = round(with_account / families, 4) if families and with_account is not None else None
        row.update(
            region_code=code,
            village_name=names.get(code, code),
            kecamatan_name=names.get(code, ""),
            villages=len(villages),
            villages_reporting=sum(1 for v in villages if v["has_rollup"]),
            adoption_share=share,
            adoption_percent=_percent(share),
        )
        rows.append(row)
    return sort_rows(rows, sort)


def _sort_links(sort: str, by_kecamatan: bool = False) -> list[dict[str, str]]:
    """The column headings with the link that sorts by them (flipping the current one)."""
    current = sort.lstrip("-")
    descending = sort.startswith("-")
    headings = []
    for key, label in COMPARE_COLUMNS:
        if key == current:
            next_sort, aria = (
                (key if descending else f"-{key}"),
                ("descending" if descending else "ascending"),
            )
        else:
            # Names sort A-Z first, figures largest first.
            next_sort, aria = (key if key == "village_name" else f"-{key}"), ""
        if by_kecamatan and key == "village_name":
            label = _("Kecamatan")
        headings.append({"key": key, "label": label, "sort": next_sort, "aria_sort": aria})
    return headings


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]):
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_query(request: HttpRequest, template: str, form, regions) -> HttpResponse:
    """A query string the form refuses: the page with the field's error, status 400."""
    return render(
        request,
        template,
        {"form": form, "regions": regions, "region_code": None, "rows": [], "totals": {}},
        status=400,
    )


@supervisor_page
def compare(request: HttpRequest, export: bool = False) -> HttpResponse:
    regions, _region = _scope(request)
    form = CompareForm(request.GET)
    if not form.is_valid():
        return _bad_query(request, "supervisor/compare.html", form, regions)
    region_code = form.cleaned_data["region"] or None
    sort = form.cleaned_data["sort"] or "region_code"
    by_kecamatan = form.cleaned_data["tingkat"] == "kecamatan"
    try:
        rows, as_of = comparison_rows(request, region_code, sort)
    except BalaiError as error:
        raise Http404 from error
    if by_kecamatan:
        rows = kecamatan_rows(rows, sort)
    if export or form.cleaned_data["format"] == "csv":
        columns = KECAMATAN_CSV_COLUMNS if by_kecamatan else COMPARE_CSV_COLUMNS
        return csv_response(
            f"perbandingan-{'kecamatan' if by_kecamatan else 'desa'}-{as_of or 'kosong'}.csv",
            columns,
            ([row[column] for column in columns] for row in rows),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(form.cleaned_data["page"])
    return render(
        request,
        "supervisor/compare.html",
        {
            "form": form,
            "regions": regions,
            "region_code": region_code,
            "sort": sort,
            "headings": _sort_links(sort, by_kecamatan),
            "by_kecamatan": by_kecamatan,
            "level_query": query_without(request, "page", "sort", "format", "tingkat"),
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "as_of": as_of,
            "month_start": as_of.replace(day=1) if as_of else None,
            "query": query_without(request, "page", "sort", "format"),
            "page_query": query_without(request, "page", "format"),
            "csv_query": query_without(request, "page", "format"),
        },
    )


@supervisor_page
def compare_csv(request: HttpRequest) -> HttpResponse:
    return compare.__wrapped__(request, export=True)


# --- overdue complaints -----------------------------------------------------------------


@supervisor_page
def overdue_complaints(request: HttpRequest) -> HttpResponse:
    regions, _region = _scope(request)
    form = RegionPageForm(request.GET)
    if not form.is_valid():
        return _bad_query(request, "supervisor/overdue.html", form, regions)
    region_code = form.cleaned_data["region"] or None
    try:
        codes = _codes(request, region_code)
    except BalaiError as error:
        raise Http404 from error
    in_scope = Q(village__in=rollups.villages_in(codes).values("pk"))
    escalations = (
        ComplaintEscalation.objects.filter(in_scope, closed_at__isnull=True)
        .select_related("village")
        .order_by("target_at", "id")
    )
    page = Paginator(escalations, PAGE_SIZE).get_page(form.cleaned_data["page"])
    now = timezone.now()
    rows = [
        {
            "escalation": escalation,
            "age_days": (now - escalation.opened_at).days,
            "overdue_days": max(0, (now - escalation.target_at).days),
        }
        for escalation in page.object_list
    ]
    counts = list(
        ComplaintVillageCounts.objects.filter(in_scope, overdue_count__gt=0)
        .select_related("village")
        .order_by("-overdue_count", "village__region_id")[:PAGE_SIZE]
    )
    return render(
        request,
        "supervisor/overdue.html",
        {
            "regions": regions,
            "region_code": region_code,
            "rows": rows,
            "page": page,
            "counts": counts,
            "totals": _complaint_counts(codes),
            "page_query": query_without(request, "page"),
        },
    )


# --- duplicate NIKs ---------------------------------------------------------------------


def _duplicates(request: HttpRequest, region_code: str | None):
    groups = duplicate_nik_groups(user=request.user, region_code=region_code)
    names = dict(rollups.villages_in(_codes(request, region_code)).values_list("region_id", "name"))
    return groups, names


@supervisor_page
def duplicate_niks(request: HttpRequest, export: bool = False) -> HttpResponse:
    regions, _region = _scope(request)
    form = RegionPageForm(request.GET)
    if not form.is_valid():
        return _bad_query(request, "supervisor/duplicates.html", form, regions)
    region_code = form.cleaned_data["region"] or None
    try:
        groups, names = _duplicates(request, region_code)
    except BalaiError as error:
        raise Http404 from error
    if export:
        return csv_response(
            "nik-ganda.csv",
            ("masked_nik", "village_count", "village_codes", "village_names"),
            (
                (
                    group["masked_nik"],
                    group["village_count"],
                    " ".join(group["village_codes"]),
                    "; ".join(names.get(code, "") for code in group["village_codes"]),
                )
                for group in groups.iterator()
            ),
        )
    page = Paginator(groups, PAGE_SIZE).get_page(form.cleaned_data["page"])
    rows = [
        {
            "masked_nik": group["masked_nik"],
            "village_count": group["village_count"],
            "villages": [(code, names.get(code, "")) for code in group["village_codes"]],
        }
        for group in page.object_list
    ]
    return render(
        request,
        "supervisor/duplicates.html",
        {
            "regions": regions,
            "region_code": region_code,
            "rows": rows,
            "page": page,
            "page_query": query_without(request, "page"),
            "csv_query": query_without(request, "page"),
        },
    )


@supervisor_page
def duplicate_niks_csv(request: HttpRequest) -> HttpResponse:
    return duplicate_niks.__wrapped__(request, export=True)


# --- one village ------------------------------------------------------------------------

VILLAGE_SERIES_COLUMNS = (
    "population_total",
    "families_total",
    "families_with_account",
    "letters_requested",
    "letters_issued",
    "complaints_opened",
    "complaints_overdue",
)
# The village's latest figures: these stocks of its latest row, these flows summed over
# the period shown.
VILLAGE_STOCKS = ("population_total", "families_total", "complaints_overdue")
VILLAGE_FLOWS = ("letters_requested", "letters_issued", "complaints_opened")


def _village_charts(days: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    def series(name: str, column: str, scale: int = 1) -> Series:
        return Series(
            name,
            [(day["date"], (day[column] or 0) * scale) for day in days if day[column] is not None],
        )

    charts = [
        (_("Penduduk"), [series(_("Penduduk"), "population_total")]),
        (_("Keluarga (KK)"), [series(_("KK"), "families_total")]),
        (
            _("Surat per hari"),
            [
                series(_("Surat diajukan"), "letters_requested"),
                series(_("Surat terbit"), "letters_issued"),
            ],
        ),
        (
            _("Pengaduan"),
            [
                series(_("Pengaduan masuk"), "complaints_opened"),
                series(_("Pengaduan terlambat"), "complaints_overdue"),
            ],
        ),
        (
            _("KK dengan akun warga (%)"),
            [series(_("Adopsi digital"), "families_with_account_share", 100)],
        ),
    ]
    return [(title, line_chart(lines, title=title)) for title, lines in charts]


@supervisor_page
def village_detail(request: HttpRequest, region_code: str) -> HttpResponse:
    """One village of the supervisor's scope: its indicators over the last ``?hari=`` days,
    its latest figures, economy and programme attendance. Public roll-up tables only; a
    village outside the scope (or unknown) is not found."""
    form = VillagePageForm(request.GET)
    if not form.is_valid():
        return render(request, "supervisor/village_detail.html", {"form": form}, status=400)
    try:
        codes = rollups.scope_codes(user=request.user, region_code=region_code)
    except BalaiError as error:
        raise Http404 from error
    village = rollups.villages_in(codes).first()
    if village is None or village.region_id != region_code:
        raise Http404
    period = form.cleaned_data["hari"]
    end = timezone.localdate()
    start = end - datetime.timedelta(days=period - 1)
    days = rollups.village_series(
        village_id=village.pk, start=start, end=end, columns=VILLAGE_SERIES_COLUMNS
    )
    latest = days[-1] if days else None
    flows = {column: sum(day[column] for day in days) for column in VILLAGE_FLOWS}
    complaints = ComplaintVillageCounts.objects.filter(village=village).first()
    economy = economy_summaries_for(user=request.user, region_code=region_code).first()
    adoption = adoption_for(user=request.user, region_code=region_code).first()
    return render(
        request,
        "supervisor/village_detail.html",
        {
            "form": form,
            "village": village,
            "host": village_host(village.slug),
            "period": period,
            "periods": VILLAGE_PERIODS,
            "start": start,
            "end": end,
            "days": list(reversed(days)),
            "charts": _village_charts(days) if days else [],
            "latest": latest,
            "adoption_percent": _percent(latest and latest["families_with_account_share"]),
            "flows": flows,
            "complaints": complaints,
            "economy": economy,
            "adoption": adoption,
        },
    )
