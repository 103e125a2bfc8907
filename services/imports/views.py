"""API of import and export jobs. Staff of the village only (kepala desa, sekretaris,
operator): the register's files hold every resident's personal data."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageStaff
from balai.errors import BalaiError
from services.imports import selectors, services
from services.imports.models import ImportJob, JobKind
from services.imports.serializers import (
    ImportJobSerializer,
    ImportJobSummarySerializer,
    ImportUploadSerializer,
)
from services.residents import import_template


def _job_get(pk: int) -> ImportJob:
    return selectors.import_job_get(job_id=pk)


class TemplateXlsxView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request):
        response = HttpResponse(
            import_template.template_xlsx(), content_type=services.XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = 'attachment; filename="templat-penduduk.xlsx"'
        return response


class TemplateCsvView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request):
        response = HttpResponse(
            import_template.template_csv(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="templat-penduduk.csv"'
        return response


class ResidentImportView(APIView):
    """Upload a register file: 202 with the queued job, or 200 with the earlier job of a
    byte-identical file (send ``force=true`` to import it again)."""

    permission_classes = [IsVillageStaff]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, 200: ImportJobSerializer},
    )
    def post(self, request):
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job, created = services.resident_import_upload(
            actor=request.user,
            upload=serializer.validated_data["file"],
            mode=serializer.validated_data["mode"],
            force=serializer.validated_data["force"],
        )
        data = ImportJobSerializer(job).data
        data["duplicate"] = not created
        return Response(data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class ImportJobListView(ListAPIView):
    permission_classes = [IsVillageStaff]
    serializer_class = ImportJobSummarySerializer

    def get_queryset(self):
        return ImportJob.objects.order_by("-created_at", "-id")


class ImportJobDetailView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request, pk: int):
        return Response(ImportJobSerializer(_job_get(pk)).data)


class ExportDownloadView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        job = _job_get(pk)
        if job.kind != JobKind.RESIDENT_EXPORT:
            raise BalaiError.single(
                "job", "not_export", "Bukan pekerjaan ekspor.", "Not an export job.", 404
            )
        result = services.export_result_get(job=job, actor=request.user)
        response = HttpResponse(bytes(result.content), content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.name}"'
        return response


class ResidentExportCsvView(APIView):
    """The whole register as CSV, streamed (measured ~0.5 s for 20,000 residents)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request):
        name, chunks = services.resident_export_csv_open(actor=request.user)
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ResidentExportXlsxView(APIView):
    """Queue an .xlsx export (~4 s per 20,000 residents: too slow for a request)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    def post(self, request):
        job = services.resident_export_start(actor=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
