"""Platform-admin API on the public host: onboard, list, suspend, reactivate, export and
delete villages."""

from dataclasses import asdict

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsPlatformAdmin
from balai.onboarding.models import BulkOnboardingJob
from balai.onboarding.serializers import (
    BulkOnboardingSerializer,
    SuspendSerializer,
    VillageOnboardSerializer,
    VillageSerializer,
)
from balai.onboarding.services import bulk_onboarding_start, village_onboard
from tenants.models import Village
from tenants.offboarding import export_job_create, export_job_get, village_delete
from tenants.services import village_reactivate, village_suspend
from tenants.tasks import export_village


class VillageListCreateView(APIView):
    permission_classes = [IsPlatformAdmin]

    def get(self, request):
        villages = Village.objects.order_by("region_id")
        if request.query_params.get("kecamatan"):
            villages = villages.filter(kecamatan_code=request.query_params["kecamatan"])
        return Response(VillageSerializer(villages[:1000], many=True).data)

    def post(self, request):
        serializer = VillageOnboardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = village_onboard(**serializer.validated_data, actor=request.user)
        body = {
            "village": VillageSerializer(result.village).data,
            "created": result.created,
            "schema_method": result.schema_method,
            "seconds": round(result.seconds, 3),
            "admin_username": result.admin.username if result.admin else None,
        }
        if result.admin_password:
            body["admin_password"] = result.admin_password  # shown once, never stored plain
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class VillageStatusView(APIView):
    permission_classes = [IsPlatformAdmin]
    action = ""

    def post(self, request, slug: str):
        village = get_object_or_404(Village, slug=slug)
        if self.action == "suspend":
            serializer = SuspendSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            village = village_suspend(
                village=village, reason=serializer.validated_data["reason"], actor=request.user
            )
        else:
            village = village_reactivate(village=village, actor=request.user)
        return Response(VillageSerializer(village).data)


class BulkOnboardingView(APIView):
    permission_classes = [IsPlatformAdmin]

    def post(self, request):
        serializer = BulkOnboardingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = bulk_onboarding_start(
            content=serializer.validated_data["file"].read(), actor=request.user
        )
        return Response(_job_body(job), status=status.HTTP_202_ACCEPTED)


class BulkOnboardingJobView(APIView):
    permission_classes = [IsPlatformAdmin]

    def get(self, request, job_id: int):
        job = get_object_or_404(BulkOnboardingJob, pk=job_id)
        return Response(_job_body(job))


def _job_body(job: BulkOnboardingJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "results": job.results,
        "error": job.error,
    }


class VillageExportView(APIView):
    """Queue an export of one village; poll the job for the archive's name.

    In a worker, not the request: 200,000 residents take ~1.8 s to export and grow
    linearly (bench/results/offboarding.md).
    """

    permission_classes = [IsPlatformAdmin]

    def post(self, request, slug: str):
        village = get_object_or_404(Village, slug=slug)
        job = export_job_create(village=village, actor=request.user)
        transaction.on_commit(lambda: export_village.delay(job["id"]))
        return Response(_export_job_body(job), status=status.HTTP_202_ACCEPTED)


class ExportJobView(APIView):
    permission_classes = [IsPlatformAdmin]

    def get(self, request, job_id: str):
        job = export_job_get(job_id=job_id)
        if job is None:
            raise Http404
        return Response(_export_job_body(job))


class VillageDeleteView(APIView):
    """DELETE /villages/<slug>/?confirm=<slug>: the slug typed again, or nothing happens."""

    permission_classes = [IsPlatformAdmin]

    def delete(self, request, slug: str):
        village = get_object_or_404(Village, slug=slug)
        deleted = village_delete(
            village=village, confirm=request.query_params.get("confirm", ""), actor=request.user
        )
        return Response({"deleted": asdict(deleted)})


def _export_job_body(job: dict) -> dict:
    return {
        key: job[key]
        for key in ("id", "status", "slug", "region_code", "file", "bytes", "sha256", "error")
    }
