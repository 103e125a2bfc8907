"""Public-host API: the cross-village catalog and supervisors' economy figures."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from balai.accounts.permissions import IsSupervisor
from balai.marketplace.filters import catalog_filters_parse
from balai.marketplace.models import Listing, VillageEconomySummary
from balai.marketplace.selectors import (
    catalog_region_parse,
    catalog_search,
    economy_summaries_for,
)


class ListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Listing
        fields = [
            "village_code",
            "village_name",
            "village_host",
            "kecamatan_code",
            "product_id",
            "name",
            "price",
            "unit",
            "category",
            "stock",
            "thumbnail_url",
            "business_name",
            "contact_url",
            "updated_at",
        ]


class VillageEconomySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageEconomySummary
        fields = [
            "village_code",
            "village_name",
            "kecamatan_code",
            "businesses_verified",
            "businesses_total",
            "products_listed",
            "bumdes_year",
            "bumdes_revenue",
            "bumdes_profit",
            "refreshed_at",
        ]


CATALOG_PARAMETERS = [
    OpenApiParameter("kecamatan", str, description="Kecamatan code, e.g. 18.08.11"),
    OpenApiParameter("kabupaten", str, description="Kabupaten code, e.g. 18.08"),
    OpenApiParameter("q", str, description="Part of the product name"),
    OpenApiParameter("category", str),
    OpenApiParameter("stock", str),
    OpenApiParameter("min_price", str),
    OpenApiParameter("max_price", str),
]


@extend_schema(parameters=CATALOG_PARAMETERS)
class CatalogView(ListAPIView):
    """Verified products of every village in a kecamatan or kabupaten (anyone may read)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = ListingSerializer

    def get_queryset(self):
        level, code = catalog_region_parse(self.request.query_params)
        filters = catalog_filters_parse(self.request.query_params)
        return catalog_search(level=level, code=code, filters=filters)


@extend_schema(parameters=[OpenApiParameter("region", str, description="Narrow inside scope")])
class SupervisorEconomyView(ListAPIView):
    """Businesses, products and BUMDes revenue per village of the supervisor's region."""

    permission_classes = [IsSupervisor]
    serializer_class = VillageEconomySummarySerializer

    def get_queryset(self):
        return economy_summaries_for(
            user=self.request.user, region_code=self.request.query_params.get("region")
        )
