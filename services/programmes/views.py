"""Programmes API on the village host. The village comes from the host; registrations are
reached only through the actor-scoped selectors (a resident reaches their own only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageResident, IsVillageStaff, request_staff_role
from balai.errors import BalaiError
from balai.learning import selectors as learning_selectors
from balai.learning import services as learning_services
from balai.learning.models import KecamatanRegistration, LearningMaterial
from balai.learning.serializers import (
    PDF_RESPONSE,
    CertificateVerificationSerializer,
    KecamatanProgrammeSerializer,
    MaterialSerializer,
    MyKecamatanRegistrationSerializer,
)
from balai.learning.views import certificate_response, request_fields
from services.programmes import selectors, services
from services.programmes.models import Registration, VillageMaterial
from services.programmes.selectors import Actor
from services.programmes.serializers import (
    ProgrammeSerializer,
    RegistrationSerializer,
    VillageMaterialSerializer,
)

STAFF_OR_RESIDENT = IsVillageStaff | IsVillageResident


def actor_of(request) -> Actor:
    if request_staff_role(request) is not None:
        return Actor(is_staff=True, user_id=request.user.pk)
    if IsVillageResident().has_permission(request, None):
        return Actor(is_staff=False, resident_id=request.user.resident_id)
    return Actor(is_staff=False)


def _who_registers(request) -> tuple[int, int | None]:
    """(resident id, staff user id or None): a resident registers themself; staff name
    the resident with ``resident_id``."""
    actor = actor_of(request)
    if actor.is_staff:
        resident = services.resident_for_registration(request.data.get("resident_id"))
        return resident.pk, actor.user_id
    return actor.resident_id, None


# -- village programmes -----------------------------------------------------------------------


class ProgrammeListView(ListAPIView):
    """Anyone reads the announced programmes (staff also drafts); staff create."""

    serializer_class = ProgrammeSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsVillageStaff()]

    def get_queryset(self):
        return selectors.programmes_for(actor=actor_of(self.request))

    def post(self, request):
        programme = services.programme_create(
            data=request_fields(request), by_user_id=request.user.pk
        )
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


class ProgrammeDetailView(APIView):
    serializer_class = ProgrammeSerializer  # the response, for the OpenAPI schema

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsVillageStaff()]

    def get(self, request, programme_id: int):
        programme = selectors.programme_get_for(actor=actor_of(request), programme_id=programme_id)
        return Response(ProgrammeSerializer(programme).data)

    def patch(self, request, programme_id: int):
        programme = services.programme_update(
            programme_id=programme_id, data=request_fields(request)
        )
        return Response(ProgrammeSerializer(programme).data)


class ProgrammeRegisterView(APIView):
    """A resident registers themself; staff register a resident (``resident_id``).
    A full programme puts the person on its waiting list (status ``waiting``)."""

    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = RegistrationSerializer  # the response, for the OpenAPI schema

    def post(self, request, programme_id: int):
        resident_id, by_user_id = _who_registers(request)
        resident = services.resident_for_registration(resident_id)
        registration = services.registration_create(
            programme_id=programme_id, resident=resident, by_user_id=by_user_id
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class ProgrammeRegistrationListView(ListAPIView):
    """Staff: the programme's registrations, confirmed and waiting, in arrival order."""

    permission_classes = [IsVillageStaff]
    serializer_class = RegistrationSerializer

    def get_queryset(self):
        actor = actor_of(self.request)
        programme = selectors.programme_get_for(
            actor=actor, programme_id=self.kwargs["programme_id"]
        )
        return selectors.registrations_for(actor=actor).filter(programme=programme)


class ProgrammeAttendanceView(APIView):
    """Staff: ``{"registration_ids": [..]}`` attended; each gets a certificate."""

    permission_classes = [IsVillageStaff]
    serializer_class = RegistrationSerializer  # the response, for the OpenAPI schema

    def post(self, request, programme_id: int):
        marked = services.attendance_mark(
            programme_id=programme_id, registration_ids=request.data.get("registration_ids")
        )
        rows = Registration.objects.select_related("programme", "resident").filter(
            pk__in=[r.pk for r in marked]
        )
        return Response(RegistrationSerializer(rows, many=True).data)


class MyRegistrationsView(APIView):
    """A resident's registrations: the village's programmes and the kecamatan's."""

    permission_classes = [IsVillageResident]

    @extend_schema(
        responses=inline_serializer(
            "MyRegistrations",
            {
                "village": RegistrationSerializer(many=True),
                "kecamatan": MyKecamatanRegistrationSerializer(many=True),
            },
        )
    )
    def get(self, request):
        actor = actor_of(request)
        village = selectors.registrations_for(actor=actor).order_by("-created_at", "-id")
        kecamatan = learning_selectors.kecamatan_registrations_of(
            village_code=request.village.region_id, resident_id=actor.resident_id
        ).order_by("-created_at", "-id")
        return Response(
            {
                "village": RegistrationSerializer(village, many=True).data,
                "kecamatan": MyKecamatanRegistrationSerializer(kecamatan, many=True).data,
            }
        )


class RegistrationCancelView(APIView):
    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = RegistrationSerializer  # the response, for the OpenAPI schema

    def post(self, request, registration_id: int):
        registration = selectors.registration_get_for(
            actor=actor_of(request), registration_id=registration_id
        )
        services.registration_cancel(registration=registration)
        registration.refresh_from_db()
        return Response(RegistrationSerializer(registration).data)


@extend_schema(responses=PDF_RESPONSE)
class RegistrationCertificateView(APIView):
    """The certificate PDF of an attended registration: its resident or staff."""

    permission_classes = [STAFF_OR_RESIDENT]

    def get(self, request, registration_id: int):
        registration = selectors.registration_get_for(
            actor=actor_of(request), registration_id=registration_id
        )
        return certificate_response(services.certificate_for(registration))


class CertificateVerifyView(APIView):
    """What a village certificate's QR code opens: genuine, for whom, for what."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = CertificateVerificationSerializer

    def get(self, request, code: str):
        registration = (
            Registration.objects.select_related("programme", "resident")
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
                "name": registration.resident.full_name,
                "programme": registration.programme.title,
                "date": registration.programme.starts_at.date(),
            }
        )


# -- kecamatan programmes, seen from a village of that kecamatan ------------------------------


class KecamatanProgrammeListView(ListAPIView):
    """Programmes of this village's kecamatan, readable by anyone on the village host."""

    permission_classes = [AllowAny]
    serializer_class = KecamatanProgrammeSerializer

    def get_queryset(self):
        return learning_selectors.kecamatan_programmes_visible(
            kecamatan_code=self.request.village.kecamatan_code
        )


class KecamatanRegisterView(APIView):
    """Register a resident of this village for a kecamatan programme. The row (public
    schema) keeps the village code, resident id, name and phone only."""

    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = MyKecamatanRegistrationSerializer  # the response, for OpenAPI

    def post(self, request, programme_id: int):
        resident_id, by_user_id = _who_registers(request)
        registration = services.kecamatan_registration_for(
            village=request.village,
            programme_id=programme_id,
            resident_id=resident_id,
            by_user_id=by_user_id,
        )
        return Response(
            MyKecamatanRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED
        )


class KecamatanRegistrationCancelView(APIView):
    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = MyKecamatanRegistrationSerializer  # the response, for OpenAPI

    def post(self, request, registration_id: int):
        actor = actor_of(request)
        registration = learning_services.kecamatan_registration_cancel(
            village=request.village,
            registration_id=registration_id,
            resident_id=None if actor.is_staff else actor.resident_id,
        )
        return Response(MyKecamatanRegistrationSerializer(registration).data)


@extend_schema(responses=PDF_RESPONSE)
class KecamatanCertificateView(APIView):
    """A resident's kecamatan certificate (or, for staff, one of their village's residents)."""

    permission_classes = [STAFF_OR_RESIDENT]

    def get(self, request, registration_id: int):
        actor = actor_of(request)
        rows = KecamatanRegistration.objects.select_related("programme").filter(
            village_code=request.village.region_id
        )
        if not actor.is_staff:
            rows = rows.filter(resident_id=actor.resident_id)
        registration = rows.filter(pk=registration_id).first()
        if registration is None:
            raise BalaiError.single(
                "registration", "not_found", "Data tidak ditemukan.", "Not found.", status=404
            )
        return certificate_response(learning_services.kecamatan_certificate(registration))


# -- learning materials -----------------------------------------------------------------------


class MaterialListView(APIView):
    """The village's own materials followed by those shared by every village; staff add."""

    serializer_class = VillageMaterialSerializer  # one item, for the OpenAPI schema

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsVillageStaff()]

    def get(self, request):
        topic = request.query_params.get("topic")
        own = VillageMaterial.objects.all()
        shared = LearningMaterial.objects.all()
        if topic:
            own, shared = own.filter(topic=topic), shared.filter(topic=topic)
        data = VillageMaterialSerializer(own, many=True).data + [
            {**row, "scope": "shared"} for row in MaterialSerializer(shared, many=True).data
        ]
        return Response(data)

    def post(self, request):
        material = services.material_create(
            data=request_fields(request), by_user_id=request.user.pk
        )
        return Response(VillageMaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDetailView(APIView):
    permission_classes = [IsVillageStaff]
    serializer_class = VillageMaterialSerializer  # for the OpenAPI schema

    def delete(self, request, material_id: int):
        services.material_delete(material_id=material_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
