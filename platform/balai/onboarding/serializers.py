from rest_framework import serializers

from balai.accounts.models import StaffRole
from tenants.models import Village


class VillageOnboardSerializer(serializers.Serializer):
    region_code = serializers.CharField(max_length=13)
    slug = serializers.CharField(max_length=63)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    local_term = serializers.CharField(max_length=30, required=False, default="desa")
    admin_username = serializers.CharField(max_length=150)
    admin_email = serializers.EmailField(required=False, allow_blank=True)
    admin_password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, min_length=8
    )
    admin_role = serializers.ChoiceField(choices=StaffRole.choices, default=StaffRole.KEPALA_DESA)


class VillageSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id")
    host = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = [
            "slug",
            "name",
            "region_code",
            "schema_name",
            "status",
            "status_reason",
            "local_term",
            "kecamatan_code",
            "kabupaten_code",
            "host",
            "created_at",
        ]

    def get_host(self, village: Village) -> str:
        from tenants.routing import village_host

        return village_host(village.slug)


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class BulkOnboardingSerializer(serializers.Serializer):
    file = serializers.FileField()
