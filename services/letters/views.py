"""Letters API (village host, /api/village/letters/) and the public verification page.

Thin: parse, call one service or selector, present. Staff reach letters under
``/api/village/letters/``; a resident only under ``/api/village/letters/mine/``.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.models import StaffRole
from balai.accounts.permissions import IsVillageResident, IsVillageStaff, request_staff_role
from balai.accounts.permissions import staff_with_roles as staff_with
from balai.errors import BalaiError
from services.audit.services import audit_record
from services.letters import selectors, services
from services.letters.serializers import (
    CounterRequestSerializer,
    LetterActionSerializer,
    LetterDetailSerializer,
    LetterRequestSerializer,
    LetterSerializer,
    LetterSettingsSerializer,
    LetterTypeSerializer,
    LetterTypeWriteSerializer,
    PreviewSerializer,
)
from services.residents.models import Resident

IsHeadOrSecretary = staff_with(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)
IsHead = staff_with(StaffRole.KEPALA_DESA)
STAFF_ACTIONS = (
    "verify",
    "return",
    "reject",
    "resubmit",
    "sign",
    "ready",
    "pick_up",
    "revoke",
    "cancel",
)
RESIDENT_ACTIONS = ("resubmit", "cancel")


def _pdf_response(pdf: bytes, letter) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"surat-{letter.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class LetterTypeListView(GenericAPIView):
    """The village's letter types. Residents see the active ones; kepala/sekretaris add."""

    serializer_class = LetterTypeSerializer
    pagination_class = None

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsHeadOrSecretary()]
        return [(IsVillageStaff | IsVillageResident)()]

    @extend_schema(operation_id="letter_types_list", responses=LetterTypeSerializer(many=True))
    def get(self, request):
        resident_view = getattr(request.user, "is_resident", False)
        types = selectors.letter_types_list(resident_view=resident_view)
        return Response(LetterTypeSerializer(types, many=True).data)

    @extend_schema(
        operation_id="letter_type_create",
        request=LetterTypeWriteSerializer,
        responses=LetterTypeSerializer,
    )
    def post(self, request):
        payload = LetterTypeWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        letter_type = services.letter_type_create(actor=request.user, data=payload.validated_data)
        return Response(LetterTypeSerializer(letter_type).data, status=status.HTTP_201_CREATED)


class LetterTypeDetailView(GenericAPIView):
    serializer_class = LetterTypeSerializer

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsHeadOrSecretary()]
        return [(IsVillageStaff | IsVillageResident)()]

    @extend_schema(operation_id="letter_type_retrieve")
    def get(self, request, code: str):
        return Response(LetterTypeSerializer(selectors.letter_type_get(code=code)).data)

    @extend_schema(
        operation_id="letter_type_update",
        request=LetterTypeWriteSerializer,
        responses=LetterTypeSerializer,
    )
    def patch(self, request, code: str):
        payload = LetterTypeWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = {k: v for k, v in payload.validated_data.items() if k != "code"}
        letter_type = services.letter_type_update(actor=request.user, code=code, changes=changes)
        return Response(LetterTypeSerializer(letter_type).data)


class LetterTypePreviewView(APIView):
    """Render the saved template, or a draft sent in the body, without saving anything."""

    permission_classes = [IsVillageStaff]

    @extend_schema(
        operation_id="letter_type_preview", request=PreviewSerializer, responses={200: dict}
    )
    def post(self, request, code: str):
        payload = PreviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        resident = None
        if "resident_id" in data:
            resident = (
                Resident.objects.select_related("family", "rt__parent__parent")
                .filter(pk=data["resident_id"])
                .first()
            )
            if resident is None:
                raise BalaiError.single(
                    "resident_id", "unknown_resident", "Penduduk tidak ditemukan.", "Unknown."
                )
        html = services.letter_preview(
            letter_type=selectors.letter_type_get(code=code),
            template=data.get("template"),
            resident=resident,
            field_values=data.get("fields"),
        )
        return Response({"html": html})


class LetterSettingsView(GenericAPIView):
    serializer_class = LetterSettingsSerializer

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsHead()]
        return [IsVillageStaff()]

    @extend_schema(operation_id="letter_settings_retrieve")
    def get(self, request):
        return Response(LetterSettingsSerializer(services.letter_settings_get()).data)

    @extend_schema(operation_id="letter_settings_update")
    def patch(self, request):
        payload = LetterSettingsSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        row = services.letter_settings_update(
            actor=request.user, changes=dict(payload.validated_data)
        )
        return Response(LetterSettingsSerializer(row).data)


class LetterListView(GenericAPIView):
    """Staff: the village's letters (filter by status, type; search name, NIK, number)."""

    permission_classes = [IsVillageStaff]
    serializer_class = LetterSerializer

    @extend_schema(operation_id="letters_list", responses=LetterSerializer(many=True))
    def get(self, request):
        letters = selectors.letters_for_staff(
            status=request.query_params.get("status"),
            type_code=request.query_params.get("letter_type"),
            search=request.query_params.get("q"),
        )
        page = self.paginate_queryset(letters)
        audit_record(
            actor=request.user,
            action="list",
            object_type="letter",
            detail={
                "filters": sorted(
                    k for k in ("status", "letter_type", "q") if k in request.query_params
                )
            },
        )
        return self.get_paginated_response(LetterSerializer(page, many=True).data)

    @extend_schema(
        operation_id="letter_request_at_counter",
        request=CounterRequestSerializer,
        responses=LetterDetailSerializer,
    )
    def post(self, request):
        payload = CounterRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        letter = services.letter_request(
            actor=request.user,
            role=request_staff_role(request),
            letter_type_code=data["letter_type"],
            field_values=data["fields"],
            resident_id=data["resident_id"],
            note=data["note"],
        )
        return Response(LetterDetailSerializer(letter).data, status=status.HTTP_201_CREATED)


class LetterStatsView(APIView):
    """Counts by status and type, and how long signing takes: no personal data."""

    permission_classes = [IsVillageStaff]

    @extend_schema(operation_id="letter_stats", responses={200: dict})
    def get(self, request):
        return Response(selectors.letter_stats())


class LetterDetailView(GenericAPIView):
    permission_classes = [IsVillageStaff]
    serializer_class = LetterDetailSerializer

    @extend_schema(operation_id="letter_retrieve")
    def get(self, request, letter_id: int):
        letter = selectors.letter_get_for_user(user=request.user, letter_id=letter_id)
        audit_record(actor=request.user, action="view", object_type="letter", object_id=letter.pk)
        return Response(LetterDetailSerializer(letter).data)


class LetterActionView(APIView):
    """POST /letters/<id>/<action>/ with an optional note: one workflow step."""

    permission_classes = [IsVillageStaff]
    actions = STAFF_ACTIONS

    @extend_schema(
        operation_id="letter_action",
        request=LetterActionSerializer,
        responses=LetterDetailSerializer,
    )
    def post(self, request, letter_id: int, action: str):
        if action not in self.actions:
            raise BalaiError.single(
                "action",
                "unknown_action",
                f"Langkah tidak dikenal: {action}.",
                "Unknown step.",
                404,
            )
        payload = LetterActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        letter = services.letter_transition(
            actor=request.user,
            role=request_staff_role(request),
            letter_id=letter_id,
            action=action,
            note=payload.validated_data["note"],
            field_values=payload.validated_data.get("fields"),
        )
        return Response(LetterDetailSerializer(letter).data)


class MyLetterActionView(LetterActionView):
    permission_classes = [IsVillageResident]
    actions = RESIDENT_ACTIONS

    @extend_schema(
        operation_id="my_letter_action",
        request=LetterActionSerializer,
        responses=LetterDetailSerializer,
    )
    def post(self, request, letter_id: int, action: str):
        return super().post(request, letter_id, action)


class LetterPdfView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(operation_id="letter_pdf", responses={(200, "application/pdf"): bytes})
    def get(self, request, letter_id: int):
        letter = selectors.letter_get_for_user(user=request.user, letter_id=letter_id)
        return _pdf_response(services.letter_print(actor=request.user, letter=letter), letter)


class MyLetterPdfView(LetterPdfView):
    permission_classes = [IsVillageResident]

    @extend_schema(operation_id="my_letter_pdf", responses={(200, "application/pdf"): bytes})
    def get(self, request, letter_id: int):
        return super().get(request, letter_id)


class MyLetterListView(GenericAPIView):
    """A resident's own requests and letters; POST asks for a new one online."""

    permission_classes = [IsVillageResident]
    serializer_class = LetterSerializer

    @extend_schema(operation_id="my_letters_list", responses=LetterSerializer(many=True))
    def get(self, request):
        letters = selectors.letters_for_resident(resident_id=request.user.resident_id)
        page = self.paginate_queryset(letters)
        return self.get_paginated_response(LetterSerializer(page, many=True).data)

    @extend_schema(
        operation_id="my_letter_request",
        request=LetterRequestSerializer,
        responses=LetterDetailSerializer,
    )
    def post(self, request):
        payload = LetterRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        letter = services.letter_request(
            actor=request.user,
            role=None,
            letter_type_code=data["letter_type"],
            field_values=data["fields"],
            note=data["note"],
        )
        return Response(LetterDetailSerializer(letter).data, status=status.HTTP_201_CREATED)


class MyLetterDetailView(GenericAPIView):
    permission_classes = [IsVillageResident]
    serializer_class = LetterDetailSerializer

    @extend_schema(operation_id="my_letter_retrieve")
    def get(self, request, letter_id: int):
        letter = selectors.letter_get_for_user(user=request.user, letter_id=letter_id)
        return Response(LetterDetailSerializer(letter).data)


class VerificationJsonView(APIView):
    """The verification page's JSON variant (what the QR code's page shows, as data)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(operation_id="letter_verification", responses={200: dict, 404: dict})
    def get(self, request, token: str):
        result = selectors.letter_verification(token=token)
        code = status.HTTP_404_NOT_FOUND if result["status"] == "unknown" else status.HTTP_200_OK
        return Response(result, status=code)


@never_cache
def verification_page(request, token: str):
    """Public page behind the QR code: is this letter genuine, and is it still in force?"""
    result = selectors.letter_verification(token=token)
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    code = 404 if result["status"] == "unknown" else 200
    if wants_json:
        return JsonResponse(result, status=code)
    return render(request, "letters/verification.html", {"result": result}, status=code)
