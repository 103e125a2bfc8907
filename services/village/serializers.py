from rest_framework import serializers

from services.village.models import Area, VillageProfile


class VillageProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageProfile
        fields = [
            "name",
            "region_code",
            "local_term",
            "head_title",
            "secretary_title",
            "address",
            "phone",
            "email",
            "service_hours",
            "updated_at",
        ]
        read_only_fields = ["name", "region_code", "local_term", "updated_at"]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "level", "name", "parent"]
