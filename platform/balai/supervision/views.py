from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.models import SupervisorScope
from balai.accounts.permissions import IsSupervisor
from balai.supervision.duplicates import duplicate_nik_groups
from balai.supervision.selectors import supervised_villages_in
from tenants.models import Village
from tenants.routing import village_host


class SupervisedVillageSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id")
    host = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = [
            "region_code",
            "name",
            "slug",
            "status",
            "kecamatan_code",
            "kabupaten_code",
            "host",
        ]

    def get_host(self, village: Village) -> str:
        return village_host(village.slug)


class SupervisedVillageListView(ListAPIView):
    """Villages in the supervisor's region; ``?region=18.08.11`` narrows inside it."""

    permission_classes = [IsSupervisor]
    serializer_class = SupervisedVillageSerializer

    def get_queryset(self):
        return supervised_villages_in(
            user=self.request.user, region_code=self.request.query_params.get("region")
        )


class SupervisorScopeView(APIView):
    permission_classes = [IsSupervisor]

    def get(self, request):
        scopes = SupervisorScope.objects.filter(user=request.user).select_related("region")
        return Response(
            [
                {"region_code": s.region_id, "name": s.region.name, "level": s.region.level}
                for s in scopes
            ]
        )


class DuplicateNikListView(ListAPIView):
    """Groups of villages in the supervisor's region sharing a NIK: a masked NIK and the
    villages (code and name), nothing about the person."""

    permission_classes = [IsSupervisor]

    def get_queryset(self):
        return duplicate_nik_groups(user=self.request.user)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        codes = {code for group in page for code in group["village_codes"]}
        names = dict(Village.objects.filter(region_id__in=codes).values_list("region_id", "name"))
        return self.get_paginated_response(
            [
                {
                    "masked_nik": group["masked_nik"],
                    "village_count": group["village_count"],
                    "villages": [
                        {"region_code": code, "name": names.get(code, "")}
                        for code in group["village_codes"]
                    ],
                }
                for group in page
            ]
        )
