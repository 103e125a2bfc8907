"""Public-host API: kecamatan programmes (their supervisor), shared learning materials
(platform admins write, anyone reads), certificate verification and supervisors' figures."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsPlatformAdmin, IsSupervisor
from balai.errors import BalaiError
from balai.learning import selectors, services
from balai.learning.certificates import certificate_pdf
from balai.learning.models import KecamatanRegistration, LearningMaterial
from balai.learning.serializers import (
    PDF_RESPONSE,
    CertificateVerificationSerializer,
    DigitalAdoptionSerializer,
    KecamatanProgrammeSerializer,
    KecamatanRegistrationSerializer,
    MaterialSerializer,
)


def request_fields(request) -> dict:
    """The request's plain fields from JSON or a form (a form's values are not lists)."""
    return {key: request.data.get(key) for key in request.data}


class KecamatanProgrammeListView(ListAPIView):
    """The programmes of the kecamatans the supervisor organises; POST creates one."""

    permission_classes = [IsSupervisor]
    serializer_class = KecamatanProgrammeSerializer

    def get_queryset(self):
        return selectors.kecamatan_programmes_for_organiser(user=self.request.user)

    def post(self, request):
        programme = services.kecamatan_programme_create(
            user=request.user, data=request_fields(request)
        )
        return Response(
            KecamatanProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED
        )


class KecamatanProgrammeDetailView(APIView):
    permission_classes = [IsSupervisor]
    serializer_class = KecamatanProgrammeSerializer  # the response, for the OpenAPI schema

    def get(self, request, programme_id: int):
        programme = services.kecamatan_programme_get_for_organiser(
            user=request.user, programme_id=programme_id
        )
        return Response(KecamatanProgrammeSerializer(programme).data)

    def patch(self, request, programme_id: int):
        programme = services.kecamatan_programme_update(
            user=request.user, programme_id=programme_id, data=request_fields(request)
        )
        return Response(KecamatanProgrammeSerializer(programme).data)


class KecamatanRegistrationListView(ListAPIView):
    """The attendance list of one programme, for its organiser."""

    permission_classes = [IsSupervisor]
    serializer_class = KecamatanRegistrationSerializer

    def get_queryset(self):
        programme = services.kecamatan_programme_get_for_organiser(
            user=self.request.user, programme_id=self.kwargs["programme_id"]
        )
        return programme.registrations.order_by("created_at", "id")


class KecamatanAttendanceView(APIView):
    """Body: ``{"registration_ids": [..]}``: those confirmed participants attended."""

    permission_classes = [IsSupervisor]
    serializer_class = KecamatanRegistrationSerializer  # the response, for the OpenAPI schema

    def post(self, request, programme_id: int):
        marked = services.kecamatan_attendance_mark(
            user=request.user,
            programme_id=programme_id,
            registration_ids=request.data.get("registration_ids"),
        )
        return Response(KecamatanRegistrationSerializer(marked, many=True).data)


@extend_schema(responses=PDF_RESPONSE)
class KecamatanCertificateView(APIView):
    permission_classes = [IsSupervisor]

    def get(self, request, programme_id: int, registration_id: int):
        programme = services.kecamatan_programme_get_for_organiser(
            user=request.user, programme_id=programme_id
        )
        registration = programme.registrations.filter(pk=registration_id).first()
        if registration is None:
            raise BalaiError.single(
                "registration", "not_found", "Data tidak ditemukan.", "Not found.", status=404
            )
        return certificate_response(services.kecamatan_certificate(registration))


def certificate_response(certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{certificate.code}.pdf"'
    return response


class CertificateVerifyView(APIView):
    """What the QR code of a kecamatan certificate opens: is it genuine, and for whom."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = CertificateVerificationSerializer

    def get(self, request, code: str):
        registration = (
            KecamatanRegistration.objects.select_related("programme")
            .filter(certificate_code=code, attended_at__isnull=False)
            .first()
        )
        if registration is None:
            raise BalaiError.single(
                "code", "not_found", "Sertifikat tidak dikenal.", "Unknown certificate.", 404
            )
        return Response(
            {
                "valid": True,
                "name": registration.display_name,
                "programme": registration.programme.title,
                "kecamatan_code": registration.programme.kecamatan_code,
                "date": registration.programme.starts_at.date(),
            }
        )


class MaterialListView(ListAPIView):
    """Learning materials for every village: anyone reads, platform admins add."""

    serializer_class = MaterialSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsPlatformAdmin()]

    def get_queryset(self):
        materials = LearningMaterial.objects.all()
        topic = self.request.query_params.get("topic")
        return materials.filter(topic=topic) if topic else materials

    def post(self, request):
        material = services.material_create(user=request.user, data=request_fields(request))
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDetailView(APIView):
    permission_classes = [IsPlatformAdmin]
    serializer_class = MaterialSerializer  # the response, for the OpenAPI schema

    def _material(self, material_id: int) -> LearningMaterial:
        material = LearningMaterial.objects.filter(pk=material_id).first()
        if material is None:
            raise BalaiError.single("material", "not_found", "Tidak ditemukan.", "Not found.", 404)
        return material

    def patch(self, request, material_id: int):
        material = services.material_update(
            material=self._material(material_id), data=request_fields(request)
        )
        return Response(MaterialSerializer(material).data)

    def delete(self, request, material_id: int):
        self._material(material_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("region", str, description="Narrow inside scope")])
class SupervisorDigitalAdoptionView(ListAPIView):
    """Per village of the supervisor's region: households with a self-service account,
    online letter requests, programme attendance (refreshed by the worker)."""

    permission_classes = [IsSupervisor]
    serializer_class = DigitalAdoptionSerializer

    def get_queryset(self):
        return selectors.adoption_for(
            user=self.request.user, region_code=self.request.query_params.get("region")
        )
