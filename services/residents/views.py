"""The register API on village hosts: thin views that parse, call one service, present.

Who may do what (decided here, documented in the API schema):
- all village staff roles (kepala desa, sekretaris, operator) read and write the register:
  in most villages the operator is the one who keeps it, and every write is audited;
- residents see only themselves and their own family card (``me/``, ``me/family/``);
- supervisors, other villages' staff and anonymous users get nothing here.
Every view of a record, every list or search (one row per request), every change is
written to the village's audit log (services.audit).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator as DjangoPaginator
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from balai.accounts.permissions import IsVillageResident, IsVillageStaff
from balai.errors import BalaiError, FieldError
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.residents import selectors, services
from services.residents.models import Resident
from services.residents.reference import EventKind, ResidentStatus, Sex
from services.residents.serializers import (
    FamilyListSerializer,
    FamilyMemberSerializer,
    PopulationEventSerializer,
    ResidentDetailSerializer,
    ResidentListSerializer,
    body_dict,
    date_parse,
    flag_parse,
    resident_input_parse,
)
from services.residents.statistics import BREAKDOWNS, village_statistics


class IdFirstPaginator(DjangoPaginator):
    """Finds the page's ids first, then loads only those rows with their joins.

    ``ORDER BY full_name OFFSET 15000 LIMIT 50`` over the joined rows makes PostgreSQL
    join and sort all 20,000 (~55 ms); the ids of the page come from an index-only scan
    of (full_name, id) instead, and the joins run for 50 rows. Still one statement.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        page_ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=page_ids), number, self)


class RegisterPagination(PageNumberPagination):
    django_paginator_class = IdFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def _choice_param(params, name: str, choices, errors: list[FieldError]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in choices.values:
        errors.append(
            FieldError(
                name,
                "invalid_choice",
                f"Nilai {value!r} tidak dikenal.",
                f"Unknown value {value!r}.",
            )
        )
        return None
    return value


def _id_param(params, name: str, errors: list[FieldError]) -> int | None:
    value = params.get(name) or None
    if value is not None and not value.isdigit():
        errors.append(FieldError(name, "invalid_id", "Harus angka id.", "Must be a numeric id."))
        return None
    return int(value) if value else None


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise BalaiError(errors=errors)


def resident_filters_parse(params) -> selectors.ResidentFilters:
    errors: list[FieldError] = []
    filters = selectors.ResidentFilters(
        status=_choice_param(params, "status", ResidentStatus, errors),
        sex=_choice_param(params, "sex", Sex, errors),
        dusun=_id_param(params, "dusun", errors),
        rw=_id_param(params, "rw", errors),
        rt=_id_param(params, "rt", errors),
        family=_id_param(params, "family", errors),
        name=params.get("name") or params.get("q") or None,
        nik=params.get("nik") or None,
        kk_number=params.get("kk") or params.get("kk_number") or None,
    )
    for name in ("nik", "kk_number"):
        value = getattr(filters, name)
        if value and not value.strip().isdigit():
            errors.append(
                FieldError(
                    "kk" if name == "kk_number" else "nik",
                    "not_digits",
                    "Pencarian hanya dengan angka.",
                    "Search with digits only.",
                )
            )
    _raise_if(errors)
    return filters


def _required_date(data: dict[str, Any], name: str) -> datetime.date:
    errors: list[FieldError] = []
    value = date_parse(data.get(name), field=name, errors=errors)
    if value is None and not errors:
        errors.append(FieldError(name, "required", "Wajib diisi.", "This field is required."))
    _raise_if(errors)
    return value  # type: ignore[return-value]


def _resident_of_body(data: dict[str, Any], name: str = "resident_id") -> Resident:
    errors: list[FieldError] = []
    value = data.get(name)
    if value in (None, "") or isinstance(value, bool) or not str(value).isdigit():
        errors.append(FieldError(name, "required", "Pilih warga (id).", "Choose a resident (id)."))
    _raise_if(errors)
    return selectors.resident_get(resident_id=int(value))


def _text(data: dict[str, Any], name: str, limit: int = 255) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str) or len(value) > limit:
        raise BalaiError.single(
            name,
            "invalid_text",
            f"Harus teks, paling banyak {limit} karakter.",
            f"Must be text of at most {limit} characters.",
        )
    return value


LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=ResidentStatus.values),
    OpenApiParameter("sex", str, enum=Sex.values),
    OpenApiParameter("dusun", int),
    OpenApiParameter("rw", int),
    OpenApiParameter("rt", int),
    OpenApiParameter("family", int),
    OpenApiParameter("name", str, description="Case-insensitive part of the name"),
    OpenApiParameter("nik", str, description="A whole NIK, or its first digits"),
    OpenApiParameter("kk", str, description="A whole KK number, or its first digits"),
]


class ResidentListView(ListModelMixin, GenericAPIView):
    """The register: list, filter and search (staff); add a person (staff)."""

    permission_classes = [IsVillageStaff]
    serializer_class = ResidentListSerializer
    pagination_class = RegisterPagination

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request):
        filters = resident_filters_parse(request.query_params)
        page = self.paginate_queryset(selectors.resident_list(filters=filters))
        services.resident_search_audit(
            actor=request.user,
            filters=filters,
            returned=len(page),
            total=self.paginator.page.paginator.count,
            page=self.paginator.page.number,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: ResidentDetailSerializer})
    def post(self, request):
        data = body_dict(request.data)
        acknowledge = flag_parse(data.pop("acknowledge_warnings", False))
        registered_on = None
        if "registered_on" in data:
            registered_on = _required_date(data, "registered_on")
            data.pop("registered_on")
        resident = services.resident_create(
            actor=request.user,
            data=resident_input_parse(data),
            acknowledge_warnings=acknowledge,
            arrival_date=registered_on,
        )
        resident = selectors.resident_get(resident_id=resident.pk)
        return Response(ResidentDetailSerializer(resident).data, status=status.HTTP_201_CREATED)


class ResidentDetailView(GenericAPIView):
    """One person's record (each view is audited); corrections to it."""

    permission_classes = [IsVillageStaff]
    serializer_class = ResidentDetailSerializer

    def get(self, request, pk: int):
        resident = selectors.resident_get(resident_id=pk)
        audit_record(
            actor=request.user, action=AuditAction.VIEW, object_type="resident", object_id=pk
        )
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        resident = selectors.resident_get(resident_id=pk)
        data = body_dict(request.data)
        acknowledge = flag_parse(data.pop("acknowledge_warnings", False))
        services.resident_update(
            actor=request.user,
            resident=resident,
            changes=resident_input_parse(data),
            acknowledge_warnings=acknowledge,
        )
        return Response(self.get_serializer(selectors.resident_get(resident_id=pk)).data)


class ResidentAcknowledgeView(GenericAPIView):
    """Confirm that this NIK really disagrees with the birth date or sex (it exists so)."""

    permission_classes = [IsVillageStaff]
    serializer_class = ResidentDetailSerializer

    @extend_schema(request=None)
    def post(self, request, pk: int):
        resident = selectors.resident_get(resident_id=pk)
        services.resident_acknowledge_nik_warning(actor=request.user, resident=resident)
        return Response(self.get_serializer(selectors.resident_get(resident_id=pk)).data)


def _event_kind(data: dict[str, Any], allowed) -> str:
    kind = data.get("kind")
    if kind not in allowed:
        raise BalaiError.single(
            "kind",
            "invalid_choice",
            "Jenis peristiwa harus salah satu dari: " + ", ".join(allowed) + ".",
            "The event kind must be one of: " + ", ".join(allowed) + ".",
        )
    return kind


class ResidentEventsView(GenericAPIView):
    """A person's population history; record a death, a move, missing, found or a return."""

    permission_classes = [IsVillageStaff]
    serializer_class = PopulationEventSerializer

    @extend_schema(responses={200: PopulationEventSerializer(many=True)})
    def get(self, request, pk: int):
        resident = selectors.resident_get(resident_id=pk)
        events = list(selectors.resident_events(resident=resident))
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="resident",
            object_id=pk,
            detail={"part": "events"},
        )
        return Response(self.get_serializer(events, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: PopulationEventSerializer})
    def post(self, request, pk: int):
        resident = selectors.resident_get(resident_id=pk)
        data = body_dict(request.data)
        kind = _event_kind(data, services.RESIDENT_EVENT_KINDS)
        event = services.resident_record_event(
            actor=request.user,
            resident=resident,
            kind=kind,
            event_date=_required_date(data, "event_date"),
            note=_text(data, "note"),
        )
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


class EventListView(ListModelMixin, GenericAPIView):
    """The buku mutasi: events of the village; record a birth or a newcomer moving in."""

    permission_classes = [IsVillageStaff]
    serializer_class = PopulationEventSerializer
    pagination_class = RegisterPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=EventKind.values),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ]
    )
    def get(self, request):
        params = request.query_params
        errors: list[FieldError] = []
        kind = _choice_param(params, "kind", EventKind, errors)
        date_from = date_parse(params.get("from"), field="from", errors=errors)
        date_to = date_parse(params.get("to"), field="to", errors=errors)
        _raise_if(errors)
        page = self.paginate_queryset(
            selectors.event_list(kind=kind, date_from=date_from, date_to=date_to)
        )
        audit_record(
            actor=request.user,
            action=AuditAction.LIST,
            object_type="population_event",
            detail={
                "filters": {k: v for k, v in params.items() if k in ("kind", "from", "to")},
                "returned": len(page),
            },
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: ResidentDetailSerializer})
    def post(self, request):
        data = body_dict(request.data)
        kind = _event_kind(data, [EventKind.BIRTH, EventKind.MOVE_IN])
        acknowledge = flag_parse(data.get("acknowledge_warnings", False))
        note = _text(data, "note")
        person = data.get("resident")
        if not isinstance(person, dict):
            raise BalaiError.single(
                "resident",
                "required",
                "Isi data orang yang lahir atau datang.",
                "Give the data of the person born or arriving.",
            )
        resident = services.resident_arrive(
            actor=request.user,
            data=resident_input_parse(person),
            arrival=kind,
            # A birth is dated its birth date; a newcomer needs the date of arrival.
            arrival_date=_required_date(data, "event_date") if kind == EventKind.MOVE_IN else None,
            acknowledge_warnings=acknowledge,
            note=note,
        )
        resident = selectors.resident_get(resident_id=resident.pk)
        return Response(ResidentDetailSerializer(resident).data, status=status.HTTP_201_CREATED)


class ResidentsAsOfView(ListModelMixin, GenericAPIView):
    """The register as it stood on a past date (``?date=YYYY-MM-DD``)."""

    permission_classes = [IsVillageStaff]
    serializer_class = ResidentListSerializer
    pagination_class = RegisterPagination

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True)])
    def get(self, request):
        as_of = _required_date(request.query_params, "date")
        residents = selectors.residents_as_of(date=as_of).select_related(
            "family", "rt__parent__parent"
        )
        page = self.paginate_queryset(residents)
        audit_record(
            actor=request.user,
            action=AuditAction.LIST,
            object_type="resident",
            detail={"as_of": as_of.isoformat(), "returned": len(page)},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ResidentStatisticsView(GenericAPIView):
    """Counts of living residents by sex and age group, dusun, education, occupation,
    religion and marital status (aggregates only: no audit row). ``?breakdown=age_sex``
    (comma-separated) computes only those breakdowns."""

    permission_classes = [IsVillageStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "breakdown", str, description="Comma-separated: " + ", ".join(BREAKDOWNS)
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        asked = request.query_params.get("breakdown")
        breakdowns = None
        if asked:
            breakdowns = [name.strip() for name in asked.split(",") if name.strip()]
            unknown = [name for name in breakdowns if name not in BREAKDOWNS]
            if unknown:
                raise BalaiError.single(
                    "breakdown",
                    "invalid_choice",
                    "Rincian tidak dikenal: " + ", ".join(unknown) + ".",
                    "Unknown breakdown: " + ", ".join(unknown) + ".",
                )
        return Response(village_statistics(today=timezone.localdate(), breakdowns=breakdowns))


class ResidentMeView(GenericAPIView):
    """A resident's own record."""

    permission_classes = [IsVillageResident]
    serializer_class = ResidentDetailSerializer

    def get(self, request):
        resident = selectors.resident_get(resident_id=request.user.resident_id)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="resident",
            object_id=resident.pk,
        )
        return Response(self.get_serializer(resident).data)


class ResidentMyFamilyView(GenericAPIView):
    """A resident's own family card and its members."""

    permission_classes = [IsVillageResident]
    serializer_class = FamilyMemberSerializer

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        family, members = selectors.family_of_resident(resident_id=request.user.resident_id)
        if family is None:
            return Response({"family": None, "members": []})
        audit_record(
            actor=request.user, action=AuditAction.VIEW, object_type="family", object_id=family.pk
        )
        return Response(
            {
                "family": {"id": family.pk, "kk_number": family.kk_number},
                "members": self.get_serializer(members, many=True).data,
            }
        )


class FamilyListView(ListModelMixin, GenericAPIView):
    """Family cards (KK): list, search by KK number, filter by area; add a card."""

    permission_classes = [IsVillageStaff]
    serializer_class = FamilyListSerializer
    pagination_class = RegisterPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("kk", str, description="A whole KK number, or its first digits"),
            OpenApiParameter("dusun", int),
            OpenApiParameter("rt", int),
        ]
    )
    def get(self, request):
        params = request.query_params
        errors: list[FieldError] = []
        dusun = _id_param(params, "dusun", errors)
        rt = _id_param(params, "rt", errors)
        kk = params.get("kk") or None
        if kk and not kk.strip().isdigit():
            errors.append(
                FieldError("kk", "not_digits", "Pencarian hanya dengan angka.", "Digits only.")
            )
        _raise_if(errors)
        page = self.paginate_queryset(selectors.family_list(kk_number=kk, dusun=dusun, rt=rt))
        services.family_search_audit(
            actor=request.user,
            areas={k: v for k, v in (("dusun", dusun), ("rt", rt)) if v},
            by_kk_number=bool(kk),
            returned=len(page),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = body_dict(request.data)
        errors: list[FieldError] = []
        kk_number = data.get("kk_number")
        if not isinstance(kk_number, str):
            errors.append(
                FieldError(
                    "kk_number",
                    "required",
                    "Nomor KK wajib diisi (16 angka).",
                    "The KK number is required (16 digits).",
                )
            )
        parsed = resident_input_parse({k: v for k, v in data.items() if k in ("rt_id",)}, ignore=())
        head_id = _id_param({"head_id": str(data.get("head_id") or "")}, "head_id", errors)
        _raise_if(errors)
        head = selectors.resident_get(resident_id=head_id) if head_id else None
        family = services.family_create(
            actor=request.user,
            kk_number=kk_number.strip(),
            rt=parsed.get("rt"),
            address=_text(data, "address"),
            head=head,
        )
        return Response(_family_detail(family), status=status.HTTP_201_CREATED)


def _family_detail(family) -> dict[str, Any]:
    family = selectors.family_get(family_id=family.pk)
    members = selectors.family_members(family=family)
    return {
        "id": family.pk,
        "kk_number": family.kk_number,
        "address": family.address,
        "head": {"id": family.head.pk, "full_name": family.head.full_name} if family.head else None,
        "area": FamilyListSerializer().get_area(family),
        "members": FamilyMemberSerializer(members, many=True).data,
    }


class FamilyDetailView(GenericAPIView):
    """One family card with its members (each view audited)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        family = selectors.family_get(family_id=pk)
        audit_record(
            actor=request.user, action=AuditAction.VIEW, object_type="family", object_id=pk
        )
        return Response(_family_detail(family))


class FamilyMembersView(GenericAPIView):
    """Put a person on this card with their relation (``resident_id``, ``family_relation``)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        family = selectors.family_get(family_id=pk)
        data = body_dict(request.data)
        resident = _resident_of_body(data)
        relation = data.get("family_relation") or ""
        services.family_add_member(
            actor=request.user, family=family, resident=resident, relation=str(relation)
        )
        return Response(_family_detail(family))


class FamilyHeadView(GenericAPIView):
    """Name the head of this card (``resident_id``; ``previous_head_relation`` optional)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        family = selectors.family_get(family_id=pk)
        data = body_dict(request.data)
        resident = _resident_of_body(data)
        kwargs = {}
        if data.get("previous_head_relation"):
            kwargs["previous_head_relation"] = str(data["previous_head_relation"])
        services.family_set_head(actor=request.user, family=family, resident=resident, **kwargs)
        return Response(_family_detail(family))
