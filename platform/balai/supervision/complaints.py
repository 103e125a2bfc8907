"""Complaints for supervisors on the public host: escalations and per-village counts.

Both read public-schema rows written by the escalation task (balai.supervision.models);
a supervisor's request never visits a village schema.
"""

from __future__ import annotations

from django.db.models import Q, Sum
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsSupervisor
from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts
from balai.supervision.selectors import supervised_villages_in


def _in_scope(user, region_code: str | None) -> Q:
    """Rows of the villages the user supervises, narrowed to ``region_code`` when given
    (a region outside the scope answers 404, as the village list does)."""
    villages = supervised_villages_in(user=user, region_code=region_code)
    return Q(village__in=villages.values("pk"))


class EscalationSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name")

    class Meta:
        model = ComplaintEscalation
        fields = [
            "region_code",
            "village_name",
            "tracking_code",
            "category_code",
            "category_name",
            "opened_at",
            "target_at",
            "escalated_at",
            "closed_at",
        ]


class EscalatedComplaintListView(ListAPIView):
    """Escalated complaints of the supervisor's villages; ``?open=false`` includes closed."""

    permission_classes = [IsSupervisor]
    serializer_class = EscalationSerializer

    def get_queryset(self):
        params = self.request.query_params
        queryset = ComplaintEscalation.objects.filter(
            _in_scope(self.request.user, params.get("region"))
        ).select_related("village")
        if params.get("open", "true").lower() != "false":
            queryset = queryset.filter(closed_at__isnull=True)
        return queryset.order_by("target_at", "id")


class ComplaintCountsView(APIView):
    """Open, overdue and escalated counts per village of the region, with totals."""

    permission_classes = [IsSupervisor]

    def get(self, request):
        rows = (
            ComplaintVillageCounts.objects.filter(
                _in_scope(request.user, request.query_params.get("region"))
            )
            .select_related("village")
            .order_by("village__region_id")
        )
        villages = [
            {
                "region_code": row.village.region_id,
                "village_name": row.village.name,
                "open": row.open_count,
                "overdue": row.overdue_count,
                "escalated_open": row.escalated_open_count,
                "refreshed_at": row.refreshed_at,
            }
            for row in rows
        ]
        totals = rows.aggregate(
            open=Sum("open_count"),
            overdue=Sum("overdue_count"),
            escalated_open=Sum("escalated_open_count"),
        )
        return Response({"totals": {k: v or 0 for k, v in totals.items()}, "villages": villages})
