"""APBDes API on the village host: anyone reads the figures, staff enter and import them."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageStaff
from services.budget import selectors, services, workbook
from services.budget.models import BudgetLine
from services.budget.serializers import (
    BudgetImportSerializer,
    BudgetLineInputSerializer,
    BudgetLineSerializer,
)


class _PublicReadStaffWrite:
    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsVillageStaff()]


class BudgetYearListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="village_budget_years", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"years": selectors.budget_years()})


class BudgetTemplateView(APIView):
    """The documented .xlsx template, filled with an example (services.budget.workbook)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request):
        response = HttpResponse(
            workbook.template_build(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="apbdes-template.xlsx"'
        return response


class BudgetSummaryView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, year: int):
        summary = selectors.budget_summary(year=year)
        if summary is None:
            raise Http404
        return Response(summary)


class BudgetLineListView(_PublicReadStaffWrite, APIView):
    @extend_schema(responses=BudgetLineSerializer(many=True))
    def get(self, request, year: int):
        lines = BudgetLine.objects.filter(budget_year__year=year)
        return Response(BudgetLineSerializer(lines, many=True).data)

    @extend_schema(request=BudgetLineInputSerializer, responses={201: BudgetLineSerializer})
    def post(self, request, year: int):
        serializer = BudgetLineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = services.budget_line_create(
            year=year,
            line=services.LineInput(
                kind=data.get("kind", ""),
                sector=data.get("sector", ""),
                description=data.get("description", ""),
                budget=data.get("budget"),
                realised=data.get("realised"),
            ),
        )
        return Response(BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)


class BudgetLineDetailView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(request=BudgetLineInputSerializer, responses=BudgetLineSerializer)
    def patch(self, request, year: int, line_id: int):
        serializer = BudgetLineInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = services.budget_line_update(
            year=year, line_id=line_id, changes=dict(serializer.validated_data)
        )
        return Response(BudgetLineSerializer(line).data)

    @extend_schema(responses={204: None})
    def delete(self, request, year: int, line_id: int):
        services.budget_line_delete(year=year, line_id=line_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetImportView(APIView):
    """Replace a year's lines with an .xlsx in the template's layout; all or nothing."""

    permission_classes = [IsVillageStaff]

    @extend_schema(
        request={"multipart/form-data": BudgetImportSerializer},
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request, year: int):
        serializer = BudgetImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines, totals = workbook.workbook_read(serializer.validated_data["file"])
        result = services.budget_import(year=year, lines=lines, totals=totals)
        return Response(result, status=status.HTTP_201_CREATED)
