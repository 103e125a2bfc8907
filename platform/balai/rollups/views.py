"""Supervisors' roll-up endpoints on the public host, and the run listing for platform
admins. Thin: parse the query, call a selector, present."""

from __future__ import annotations

import io

from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from openpyxl import Workbook
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsPlatformAdmin, IsSupervisor
from balai.rollups import selectors
from balai.rollups.models import INDICATOR_COLUMNS, RollupOutcome, RollupRun
from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts


def _scope_and_period(request):
    params = request.query_params
    codes = selectors.scope_codes(user=request.user, region_code=params.get("region"))
    scope = selectors.rows_in(codes)
    start, end = selectors.period_parse(
        date_from=params.get("from"), date_to=params.get("to"), today=timezone.localdate()
    )
    return scope, start, end


class RegionTotalsView(APIView):
    """The region's totals over ``?from=&to=`` (stocks on ``to``, flows summed)."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope, start, end = _scope_and_period(request)
        totals = selectors.region_totals(scope=scope, start=start, end=end)
        return Response({"from": start, "to": end, "totals": totals})


class RegionTrendView(APIView):
    """The region's totals day by day over the period."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope, start, end = _scope_and_period(request)
        days = selectors.region_daily_series(scope=scope, start=start, end=end)
        return Response({"from": start, "to": end, "days": days})


class VillageTableView(APIView):
    """One row per village, ``?sort=-births`` by any indicator; ``?trend=<indicator>`` adds
    that indicator's daily series over the period to each row of the page."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope, start, end = _scope_and_period(request)
        params = request.query_params
        trend = params.get("trend")
        if trend:
            selectors.trend_check(trend)
        ranked = selectors.villages_ranked(
            scope=scope, start=start, end=end, sort=params.get("sort", "region_code")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(ranked, request, self)
        rows = selectors.villages_rows(village_ids=page, start=start, end=end)
        if trend:
            series = selectors.villages_trends(
                village_ids=[row["village_id"] for row in rows],
                indicator=trend,
                start=start,
                end=end,
            )
            for row in rows:
                row["trend"] = series[row["village_id"]]
        response = paginator.get_paginated_response(rows)
        response.data.update({"from": start, "to": end})
        return response


class OverdueComplaintsView(APIView):
    """Overdue complaints across the region's villages, from the escalation sweep's public
    rows (balai.supervision): per-village counts, most overdue first, and the totals."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        codes = selectors.scope_codes(
            user=request.user, region_code=request.query_params.get("region")
        )
        village_scope = Q(village__in=selectors.villages_in(codes).values("pk"))
        counts = (
            ComplaintVillageCounts.objects.filter(village_scope, overdue_count__gt=0)
            .select_related("village")
            .order_by("-overdue_count", "village__region_id")
        )
        open_escalations = dict(
            ComplaintEscalation.objects.filter(village_scope, closed_at__isnull=True)
            .values("village_id")
            .annotate(n=Count("id"))
            .values_list("village_id", "n")
        )
        villages = [
            {
                "region_code": row.village.region_id,
                "village_name": row.village.name,
                "open": row.open_count,
                "overdue": row.overdue_count,
                "escalated_open": open_escalations.get(row.village_id, 0),
                "refreshed_at": row.refreshed_at,
            }
            for row in counts
        ]
        totals = counts.aggregate(overdue=Sum("overdue_count"), open=Sum("open_count"))
        return Response({"totals": {k: v or 0 for k, v in totals.items()}, "villages": villages})


class VillageTableExportView(APIView):
    """The per-village table of the period as an .xlsx workbook."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses={(200, "application/vnd.ms-excel"): OpenApiTypes.BINARY})
    def get(self, request):
        scope, start, end = _scope_and_period(request)
        rows = selectors.villages_rows(
            village_ids=selectors.villages_ranked(scope=scope, start=start, end=end),
            start=start,
            end=end,
        )
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=f"{start}_{end}")
        columns = [
            "region_code",
            "village_name",
            *INDICATOR_COLUMNS,
            "families_with_account_share",
            "letters_online_share",
        ]
        sheet.append(columns)
        for row in rows:
            sheet.append([row[column] for column in columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="rekap-desa-{start}-{end}.xlsx"'
        return response


class RollupRunListView(APIView):
    """Platform admins: the latest runs with their counts, and the latest failures."""

    permission_classes = [IsPlatformAdmin]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        runs = RollupRun.objects.order_by("-started_at", "-id")[:30]
        failures = (
            RollupOutcome.objects.filter(ok=False)
            .select_related("village")
            .order_by("-at", "-id")[:100]
        )
        return Response(
            {
                "runs": [
                    {
                        "id": run.pk,
                        "date": run.date,
                        "started_at": run.started_at,
                        "finished_at": run.finished_at,
                        "villages_total": run.villages_total,
                        "villages_ok": run.villages_ok,
                        "villages_failed": run.villages_failed,
                    }
                    for run in runs
                ],
                "failures": [
                    {
                        "run_id": outcome.run_id,
                        "region_code": outcome.village.region_id,
                        "village_name": outcome.village.name,
                        "date": outcome.date,
                        "error": outcome.error,
                        "at": outcome.at,
                    }
                    for outcome in failures
                ],
            }
        )
