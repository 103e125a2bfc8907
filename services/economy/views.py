"""Economy API on the village host. The village comes from the host; objects are reached
only through the actor-scoped selectors (a resident reaches their own businesses only)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageResident, IsVillageStaff, request_staff_role
from balai.errors import BalaiError
from balai.marketplace.filters import catalog_filter, catalog_filters_parse
from services.economy import selectors, services
from services.economy.models import BumdesUnit, BusinessStatus, Potential
from services.economy.publishing import village_label
from services.economy.selectors import Actor
from services.economy.serializers import (
    BumdesSerializer,
    BumdesUnitSerializer,
    BumdesUnitYearSerializer,
    BusinessPublicSerializer,
    BusinessSerializer,
    PotentialSerializer,
    ProductPublicSerializer,
    ProductSerializer,
)

STAFF_OR_RESIDENT = IsVillageStaff | IsVillageResident
PARSERS = [JSONParser, MultiPartParser, FormParser]


def actor_of(request) -> Actor:
    if request_staff_role(request) is not None:
        return Actor(is_staff=True, user_id=request.user.pk)
    if IsVillageResident().has_permission(request, None):
        return Actor(is_staff=False, resident_id=request.user.resident_id)
    return Actor(is_staff=False)


def _fields(request) -> dict:
    """The request's plain fields (files apart), from JSON or a multipart form."""
    return {key: request.data.get(key) for key in request.data if key != "photos"}


def _photos(request) -> list:
    return request.FILES.getlist("photos") if hasattr(request, "FILES") else []


# -- public ----------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter(name, str) for name in ("q", "category", "stock", "min_price", "max_price")
    ]
)
class CatalogView(ListAPIView):
    """The village's public product catalog: verified businesses, products not hidden."""

    permission_classes = [AllowAny]
    serializer_class = ProductPublicSerializer

    def get_queryset(self):
        filters = catalog_filters_parse(self.request.query_params)
        return catalog_filter(selectors.products_public(), filters).order_by("name", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "village_label": village_label()}


class PublicBusinessListView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = BusinessPublicSerializer

    def get_queryset(self):
        return selectors.businesses_public().order_by("name", "id")


class BumdesView(APIView):
    """The BUMDes with its units and yearly figures; anyone reads, staff write."""

    serializer_class = BumdesSerializer  # the response, for the OpenAPI schema

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsVillageStaff()]

    def get(self, request):
        bumdes = selectors.bumdes_with_figures()
        if bumdes is None:
            raise BalaiError.single(
                "bumdes", "not_found", "Belum ada data BUMDes.", "No BUMDes yet.", status=404
            )
        return Response(BumdesSerializer(bumdes).data)

    def put(self, request):
        bumdes = services.bumdes_save(data=_fields(request))
        return Response(BumdesSerializer(bumdes).data)


class BumdesUnitCreateView(APIView):
    serializer_class = BumdesUnitSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def post(self, request):
        unit = services.bumdes_unit_create(data=_fields(request))
        return Response(BumdesUnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class BumdesUnitYearView(APIView):
    serializer_class = BumdesUnitYearSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def put(self, request, unit_id: int, year: int):
        unit = BumdesUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise BalaiError.single(
                "unit", "not_found", "Unit tidak ditemukan.", "Unit not found.", status=404
            )
        row = services.bumdes_unit_year_report(unit=unit, year=year, data=_fields(request))
        return Response(BumdesUnitYearSerializer(row).data)


class PotentialListView(ListAPIView):
    """Village potential: anyone reads, staff add (multipart with photos)."""

    serializer_class = PotentialSerializer
    parser_classes = PARSERS

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsVillageStaff()]

    def get_queryset(self):
        return Potential.objects.all()

    def post(self, request):
        potential = services.potential_create(data=_fields(request), photos=_photos(request))
        return Response(PotentialSerializer(potential).data, status=status.HTTP_201_CREATED)


class PotentialDetailView(APIView):
    serializer_class = PotentialSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def delete(self, request, potential_id: int):
        potential = Potential.objects.filter(pk=potential_id).first()
        if potential is None:
            raise BalaiError.single("potential", "not_found", "Tidak ditemukan.", "Not found.", 404)
        services.potential_delete(potential=potential)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- businesses: their owner and staff -------------------------------------------------------


class BusinessListView(ListAPIView):
    """Staff: every business of the village (``?status=submitted`` for the queue).
    A resident: their own. POST registers one (staff name the owner with ``owner_id``)."""

    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = BusinessSerializer
    parser_classes = PARSERS

    def get_queryset(self):
        businesses = selectors.businesses_for(actor=actor_of(self.request)).select_related("owner")
        wanted = self.request.query_params.get("status")
        if wanted in BusinessStatus.values:
            businesses = businesses.filter(status=wanted)
        return businesses.order_by("name", "id")

    def post(self, request):
        actor = actor_of(request)
        owner_id = request.data.get("owner_id") if actor.is_staff else actor.resident_id
        owner = services.business_owner_get(owner_id)
        business = services.business_register(
            owner=owner, data=_fields(request), photos=_photos(request)
        )
        return Response(BusinessSerializer(business).data, status=status.HTTP_201_CREATED)


class BusinessDetailView(APIView):
    serializer_class = BusinessSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]

    def get(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        return Response(BusinessSerializer(business).data)

    def patch(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        business = services.business_update(business=business, data=_fields(request))
        return Response(BusinessSerializer(business).data)


class BusinessSubmitView(APIView):
    serializer_class = BusinessSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]

    def post(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        return Response(BusinessSerializer(services.business_submit(business=business)).data)


class BusinessVerifyView(APIView):
    serializer_class = BusinessSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def post(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        business = services.business_verify(business=business, by_user_id=request.user.pk)
        return Response(BusinessSerializer(business).data)


class BusinessRejectView(APIView):
    serializer_class = BusinessSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def post(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        business = services.business_reject(
            business=business, reason=request.data.get("reason", ""), by_user_id=request.user.pk
        )
        return Response(BusinessSerializer(business).data)


class BusinessPhotosView(APIView):
    serializer_class = BusinessSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        business = services.business_photos_add(business=business, uploads=_photos(request))
        return Response(BusinessSerializer(business).data, status=status.HTTP_201_CREATED)


class BusinessProductsView(APIView):
    serializer_class = ProductSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]
    parser_classes = PARSERS

    def post(self, request, business_id: int):
        business = selectors.business_get_for(actor=actor_of(request), business_id=business_id)
        product = services.product_create(
            business=business, data=_fields(request), photos=_photos(request)
        )
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


# -- products: their owner and staff ---------------------------------------------------------


class ProductListView(ListAPIView):
    """Staff: every product with its moderation state; a resident: their own."""

    permission_classes = [STAFF_OR_RESIDENT]
    serializer_class = ProductSerializer

    def get_queryset(self):
        return selectors.products_for(actor=actor_of(self.request)).order_by("name", "id")


class ProductDetailView(APIView):
    serializer_class = ProductSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]

    def get(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        return Response(ProductSerializer(product).data)

    def patch(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        product = services.product_update(product=product, data=_fields(request))
        return Response(ProductSerializer(product).data)

    def delete(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        services.product_delete(product=product)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductPhotosView(APIView):
    serializer_class = ProductSerializer  # the response, for the OpenAPI schema
    permission_classes = [STAFF_OR_RESIDENT]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        product = services.product_photos_add(product=product, uploads=_photos(request))
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductHideView(APIView):
    serializer_class = ProductSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def post(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        product = services.product_hide(
            product=product, reason=request.data.get("reason", ""), by_user_id=request.user.pk
        )
        return Response(ProductSerializer(product).data)


class ProductUnhideView(APIView):
    serializer_class = ProductSerializer  # the response, for the OpenAPI schema
    permission_classes = [IsVillageStaff]

    def post(self, request, product_id: int):
        product = selectors.product_get_for(actor=actor_of(request), product_id=product_id)
        product = services.product_unhide(product=product, by_user_id=request.user.pk)
        return Response(ProductSerializer(product).data)
