from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import PageNumberPagination

from balai.accounts.models import StaffRole
from balai.accounts.permissions import staff_with_roles
from balai.errors import BalaiError, FieldError
from services.audit.models import ActorKind, AuditAction
from services.audit.selectors import AuditFilters, audit_entries
from services.audit.serializers import AuditEntrySerializer
from services.residents.serializers import date_parse


class AuditPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _filters_parse(params) -> AuditFilters:
    errors: list[FieldError] = []
    for name, choices in (("action", AuditAction), ("actor_kind", ActorKind)):
        value = params.get(name)
        if value and value not in choices.values:
            errors.append(
                FieldError(
                    name, "invalid_choice", f"Nilai {value!r} tidak dikenal.", f"Unknown {value!r}."
                )
            )
    actor_id = params.get("actor_id")
    if actor_id and not actor_id.isdigit():
        errors.append(FieldError("actor_id", "invalid_id", "Harus angka id.", "Must be an id."))
    date_from = date_parse(params.get("from"), field="from", errors=errors)
    date_to = date_parse(params.get("to"), field="to", errors=errors)
    if errors:
        raise BalaiError(errors=errors)
    return AuditFilters(
        action=params.get("action") or None,
        object_type=params.get("object_type") or None,
        object_id=params.get("object_id") or None,
        actor_kind=params.get("actor_kind") or None,
        actor_id=int(actor_id) if actor_id else None,
        date_from=date_from,
        date_to=date_to,
    )


class AuditEntryListView(ListModelMixin, GenericAPIView):
    """The village's audit log, newest first. Kepala desa and sekretaris only: the log
    shows who looked at whom, which operators need not see about each other."""

    permission_classes = [staff_with_roles(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)]
    serializer_class = AuditEntrySerializer
    pagination_class = AuditPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, enum=AuditAction.values),
            OpenApiParameter("object_type", str),
            OpenApiParameter("object_id", str),
            OpenApiParameter("actor_kind", str, enum=ActorKind.values),
            OpenApiParameter("actor_id", int),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ]
    )
    def get(self, request):
        page = self.paginate_queryset(audit_entries(filters=_filters_parse(request.query_params)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
