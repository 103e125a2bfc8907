from rest_framework import serializers

from balai.learning.serializers import MATERIAL_OUT, PROGRAMME_OUT
from services.programmes.models import Programme, Registration, VillageMaterial


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = PROGRAMME_OUT


class RegistrationSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.full_name", read_only=True)
    programme_title = serializers.CharField(source="programme.title", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "programme_id",
            "programme_title",
            "resident_id",
            "resident_name",
            "status",
            "created_at",
            "attended_at",
        ]


class VillageMaterialSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = VillageMaterial
        fields = [*MATERIAL_OUT, "scope"]

    def get_scope(self, obj) -> str:
        return "village" if isinstance(obj, VillageMaterial) else "shared"
