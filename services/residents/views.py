from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageResident, IsVillageStaff
from services.residents.models import Resident
from services.residents.serializers import ResidentSerializer


class ResidentListView(ListAPIView):
    """Staff of this village list its residents (the full registry comes with issue 3)."""

    permission_classes = [IsVillageStaff]
    serializer_class = ResidentSerializer

    def get_queryset(self):
        return Resident.objects.order_by("full_name", "id")


class ResidentMeView(APIView):
    permission_classes = [IsVillageResident]

    def get(self, request):
        resident = Resident.objects.get(pk=request.user.resident_id)
        return Response(ResidentSerializer(resident).data)
