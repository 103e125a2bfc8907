from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.models import StaffRole
from balai.accounts.permissions import IsVillageStaff, staff_with_roles
from services.village.models import Area, VillageProfile
from services.village.serializers import AreaSerializer, VillageProfileSerializer
from services.village.services import village_profile_update


class VillageProfileView(APIView):
    """The village's public profile; its kepala desa and sekretaris may edit it."""

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [staff_with_roles(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)()]

    def get(self, request):
        return Response(VillageProfileSerializer(VillageProfile.objects.get(id=1)).data)

    def patch(self, request):
        serializer = VillageProfileSerializer(
            VillageProfile.objects.get(id=1), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        profile = village_profile_update(changes=serializer.validated_data)
        return Response(VillageProfileSerializer(profile).data)


class AreaListView(APIView):
    permission_classes = [IsVillageStaff]

    def get(self, request):
        return Response(AreaSerializer(Area.objects.all(), many=True).data)
