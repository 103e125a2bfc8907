"""The complaints API of a village host (/api/complaints/). Thin: parse, call, present."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.models import StaffRole
from balai.accounts.permissions import IsVillageStaff, request_staff_role, staff_with_roles
from balai.accounts.selectors import staff_role
from balai.errors import BalaiError
from services.complaints import selectors, services, uploads
from services.complaints.models import ComplaintPhoto, ComplaintSettings
from services.complaints.serializers import (
    AssignSerializer,
    CategorySerializer,
    ComplaintFileSerializer,
    ComplaintPublicSerializer,
    ComplaintReceiptSerializer,
    ComplaintStaffDetailSerializer,
    ComplaintStaffSerializer,
    ComplaintTrackingSerializer,
    MergeSerializer,
    ReplySerializer,
    SettingsSerializer,
    StatusChangeSerializer,
    VisibilitySerializer,
)


def _resident_id(request) -> int | None:
    user = request.user
    if getattr(user, "is_resident", False) and user.schema_name == request.village.schema_name:
        return user.resident_id
    return None


def _is_staff(request) -> bool:
    return request_staff_role(request) is not None


def client_ip(request) -> str:
    """The client's address for rate limits: REMOTE_ADDR, or the header the proxy in front
    overwrites (BALAI_CLIENT_IP_HEADER). Never X-Forwarded-For as sent: a client could
    then pick a fresh address, and a fresh limit, for every request."""
    header = settings.BALAI_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _flag(value, *, default: bool) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "ya", "on")


def attributes_from(data) -> dict:
    """``attributes`` as a JSON object, or ``attributes.<code>`` / ``attribute[<code>]`` fields."""
    raw = data.get("attributes")
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise BalaiError.single(
                "attributes", "invalid", "Format isian tidak valid.", "Invalid attributes."
            ) from None
        if isinstance(parsed, dict):
            return parsed
    found = {}
    for key in data.keys():
        if key.startswith("attributes."):
            found[key[len("attributes.") :]] = data.get(key)
        elif key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = data.get(key)
    return found


class CategoryListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        return Response(CategorySerializer(selectors.categories_active(), many=True).data)


class ComplaintListCreateView(APIView):
    """GET: complaints the asker may see (paginated). POST: file a complaint (anyone)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ComplaintPublicSerializer(many=True))
    def get(self, request):
        is_staff = _is_staff(request)
        params = request.query_params
        queryset = selectors.complaints_filter(
            selectors.complaints_visible_to(is_staff=is_staff, resident_id=_resident_id(request)),
            status=params.get("status"),
            category=params.get("category"),
            overdue=None
            if params.get("overdue") in (None, "")
            else _flag(params["overdue"], default=False),
        )
        if params.get("mine") and _resident_id(request) is not None:
            queryset = queryset.filter(resident_id=_resident_id(request))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        serializer_class = ComplaintStaffSerializer if is_staff else ComplaintPublicSerializer
        data = serializer_class(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=ComplaintFileSerializer, responses={201: ComplaintReceiptSerializer})
    def post(self, request):
        data = request.data
        complaint = services.complaint_file(
            category_code=str(data.get("category") or "").strip(),
            description=str(data.get("description") or ""),
            is_public=_flag(data.get("is_public"), default=True),
            resident_id=_resident_id(request),
            phone=str(data.get("phone") or ""),
            email=str(data.get("email") or "").strip(),
            name=str(data.get("name") or ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            area_id=data.get("area") or None,
            address=str(data.get("address") or ""),
            attributes=attributes_from(data),
            photos=request.FILES.getlist("photos"),
            client_ip=client_ip(request),
            filed_via="api",
        )
        body = ComplaintReceiptSerializer(complaint, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ComplaintTrackView(APIView):
    """Anyone with the tracking code follows the complaint, without logging in."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ComplaintTrackingSerializer)
    def get(self, request, code: str):
        complaint = selectors.complaint_get_by_tracking_code(code=code)
        return Response(ComplaintTrackingSerializer(complaint, context={"request": request}).data)


class ComplaintDetailView(APIView):
    """Staff see everything; a resident sees their own or a public complaint."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ComplaintStaffDetailSerializer)
    def get(self, request, code: str):
        if _is_staff(request):
            complaint = selectors.complaint_get_for_staff(code=code)
            serializer = ComplaintStaffDetailSerializer(complaint, context={"request": request})
            return Response(serializer.data)
        resident_id = _resident_id(request)
        if resident_id is None:
            if not request.user.is_authenticated:
                raise BalaiError.single(
                    "non_field_errors",
                    "not_authenticated",
                    "Silakan masuk terlebih dahulu, atau gunakan halaman lacak.",
                    "Please log in first, or use the tracking page.",
                    status=401,
                )
            raise BalaiError.single(
                "non_field_errors",
                "permission_denied",
                "Anda tidak berhak melakukan ini.",
                "You are not allowed to do this.",
                status=403,
            )
        complaint = selectors.complaint_get_for_resident(code=code, resident_id=resident_id)
        return Response(ComplaintTrackingSerializer(complaint, context={"request": request}).data)


class _StaffActionView(APIView):
    permission_classes = [IsVillageStaff]
    input_serializer: type = StatusChangeSerializer

    def post(self, request, code: str):
        """Run the action; answers with the complaint as staff see it."""
        complaint = selectors.complaint_get_for_staff(code=code)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(complaint=complaint, actor=request.user, **serializer.validated_data)
        fresh = selectors.complaint_get_for_staff(code=code)
        return Response(ComplaintStaffDetailSerializer(fresh, context={"request": request}).data)

    def act(self, **kwargs) -> None:
        raise NotImplementedError


@extend_schema_view(
    post=extend_schema(request=StatusChangeSerializer, responses=ComplaintStaffDetailSerializer)
)
class ComplaintStatusView(_StaffActionView):
    input_serializer = StatusChangeSerializer

    def act(self, *, complaint, actor, status, note, is_public, reason):
        services.complaint_status_change(
            complaint=complaint,
            actor=actor,
            to_status=status,
            note=note,
            is_public=is_public,
            reason=reason,
        )


@extend_schema_view(
    post=extend_schema(request=ReplySerializer, responses=ComplaintStaffDetailSerializer)
)
class ComplaintReplyView(_StaffActionView):
    input_serializer = ReplySerializer

    def act(self, *, complaint, actor, note, is_public):
        services.complaint_reply(complaint=complaint, actor=actor, note=note, is_public=is_public)


@extend_schema_view(
    post=extend_schema(request=AssignSerializer, responses=ComplaintStaffDetailSerializer)
)
class ComplaintAssignView(_StaffActionView):
    input_serializer = AssignSerializer

    def act(self, *, complaint, actor, assignee_user_id, note):
        services.complaint_assign(
            complaint=complaint, actor=actor, assignee_user_id=assignee_user_id, note=note
        )


@extend_schema_view(
    post=extend_schema(request=MergeSerializer, responses=ComplaintStaffDetailSerializer)
)
class ComplaintMergeView(_StaffActionView):
    input_serializer = MergeSerializer

    def act(self, *, complaint, actor, original, note):
        services.complaint_merge(
            complaint=complaint, original_code=original, actor=actor, note=note
        )


@extend_schema_view(
    post=extend_schema(request=VisibilitySerializer, responses=ComplaintStaffDetailSerializer)
)
class ComplaintVisibilityView(_StaffActionView):
    input_serializer = VisibilitySerializer

    def act(self, *, complaint, actor, hidden, reason):
        services.complaint_visibility_set(
            complaint=complaint, actor=actor, hidden=hidden, reason=reason
        )


class ComplaintSettingsView(APIView):
    """The village's escalation grace period; its kepala desa and sekretaris may change it."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [IsVillageStaff()]
        return [staff_with_roles(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)()]

    @extend_schema(responses=SettingsSerializer)
    def get(self, request):
        row, _ = ComplaintSettings.objects.get_or_create(id=1)
        return Response({"escalate_after_days": row.escalate_after_days})

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request):
        serializer = SettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.complaint_settings_update(**serializer.validated_data)
        return Response({"escalate_after_days": row.escalate_after_days})


def photo_view(request, name: str):
    """Serve a complaint photo of this village only (the row is looked up in its schema).

    Public complaints' photos are open; private or hidden ones need staff, the filing
    resident, or the tracking code (``?code=``). The file path comes from the schema name
    and the stored random name, so another village's URL finds no row here and a crafted
    name never leaves the village's folder.
    """
    if not uploads.PHOTO_NAME.match(name):
        raise Http404
    photo = ComplaintPhoto.objects.select_related("complaint").filter(name=name).first()
    if photo is None:
        raise Http404
    complaint = photo.complaint
    if not (complaint.is_publicly_listed or _may_see_private_photo(request, complaint)):
        raise Http404
    path = uploads.photo_path(schema_name=request.village.schema_name, name=name)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    public = complaint.is_publicly_listed
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


def _may_see_private_photo(request, complaint) -> bool:
    if staff_role(user=request.user, village=request.village) is not None:
        return True
    resident = getattr(request, "resident", None)
    if resident is not None and resident.resident_id == complaint.resident_id:
        return True
    code = services.tracking_code_normalise(request.GET.get("code", ""))
    return code == complaint.tracking_code
