from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.models import StaffRole
from balai.accounts.permissions import request_staff_role, staff_with_roles
from services.village import services
from services.village.home import HOME_CACHE_SECONDS, village_home
from services.village.models import Area, Official, VillageProfile
from services.village.serializers import (
    AreaInputSerializer,
    AreaSerializer,
    OfficialInputSerializer,
    OfficialSerializer,
    VillageProfileSerializer,
    areas_tree,
)
from services.village.services import village_profile_update

# The profile, officials and areas are the village's public face: the kepala desa and the
# sekretaris answer for them, so operators (who write news) do not edit them.
ProfileEditors = staff_with_roles(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)


class _PublicReadEditorsWrite:
    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [ProfileEditors()]


def _profile_data(profile: VillageProfile) -> dict:
    return {
        **VillageProfileSerializer(profile).data,
        "officials": OfficialSerializer(Official.objects.filter(active=True), many=True).data,
        "areas": areas_tree(list(Area.objects.order_by("name", "id"))),
    }


class VillageProfileView(_PublicReadEditorsWrite, APIView):
    """The village's public profile with its officials and dusun/RW/RT; its kepala desa and
    sekretaris may edit it."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(_profile_data(VillageProfile.objects.get(id=1)))

    @extend_schema(request=VillageProfileSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request):
        serializer = VillageProfileSerializer(
            VillageProfile.objects.get(id=1), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        profile = village_profile_update(changes=serializer.validated_data)
        return Response(_profile_data(profile))


class VillageHomeView(APIView):
    """Everything the public home page needs in one cached answer (services.village.home)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        response = Response(village_home())
        patch_cache_control(response, public=True, max_age=HOME_CACHE_SECONDS // 2)
        return response


class OfficialListView(_PublicReadEditorsWrite, APIView):
    """Active officials for everyone; staff also see former ones."""

    @extend_schema(responses=OfficialSerializer(many=True))
    def get(self, request):
        officials = Official.objects.all()
        if request_staff_role(request) is None:
            officials = officials.filter(active=True)
        return Response(OfficialSerializer(officials, many=True).data)

    @extend_schema(request=OfficialInputSerializer, responses={201: OfficialSerializer})
    def post(self, request):
        serializer = OfficialInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photo = data.pop("photo", None)
        data.setdefault("name", "")
        data.setdefault("position", "")
        official = services.official_create(data=data, photo=photo)
        return Response(OfficialSerializer(official).data, status=status.HTTP_201_CREATED)


class OfficialDetailView(APIView):
    permission_classes = [ProfileEditors]

    @extend_schema(request=OfficialInputSerializer, responses=OfficialSerializer)
    def patch(self, request, official_id: int):
        serializer = OfficialInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photo = data.pop("photo", None)
        official = services.official_update(official_id=official_id, changes=data, photo=photo)
        return Response(OfficialSerializer(official).data)

    @extend_schema(responses={204: None})
    def delete(self, request, official_id: int):
        services.official_delete(official_id=official_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AreaListView(_PublicReadEditorsWrite, APIView):
    """Dusun, RW and RT as a flat list (the profile has them as a tree)."""

    @extend_schema(responses=AreaSerializer(many=True))
    def get(self, request):
        return Response(AreaSerializer(Area.objects.all(), many=True).data)

    @extend_schema(request=AreaInputSerializer, responses={201: AreaSerializer})
    def post(self, request):
        serializer = AreaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        area = services.area_create(
            level=data.get("level", ""), name=data.get("name", ""), parent_id=data.get("parent")
        )
        return Response(AreaSerializer(area).data, status=status.HTTP_201_CREATED)


class AreaDetailView(APIView):
    permission_classes = [ProfileEditors]

    @extend_schema(request=AreaInputSerializer, responses=AreaSerializer)
    def patch(self, request, area_id: int):
        serializer = AreaInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        area = services.area_update(
            area_id=area_id, name=data.get("name"), parent_id=data.get("parent")
        )
        return Response(AreaSerializer(area).data)

    @extend_schema(responses={204: None})
    def delete(self, request, area_id: int):
        services.area_delete(area_id=area_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
