from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from balai.learning.models import (
    KecamatanProgramme,
    KecamatanRegistration,
    LearningMaterial,
    VillageDigitalAdoption,
)

PROGRAMME_OUT = [
    "id",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "target_group",
    "status",
]
MATERIAL_OUT = ["id", "title", "summary", "topic", "kind", "url"]


class KecamatanProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = KecamatanProgramme
        fields = [*PROGRAMME_OUT, "kecamatan_code"]


class KecamatanRegistrationSerializer(serializers.ModelSerializer):
    """For the organiser: the attendance list (name, phone, village, status)."""

    class Meta:
        model = KecamatanRegistration
        fields = [
            "id",
            "programme_id",
            "village_code",
            "display_name",
            "phone",
            "status",
            "created_at",
            "attended_at",
        ]


class MyKecamatanRegistrationSerializer(serializers.ModelSerializer):
    programme = KecamatanProgrammeSerializer()

    class Meta:
        model = KecamatanRegistration
        fields = ["id", "programme", "status", "created_at", "attended_at"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningMaterial
        fields = MATERIAL_OUT


class DigitalAdoptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageDigitalAdoption
        fields = [
            "village_code",
            "village_name",
            "kecamatan_code",
            "families_total",
            "families_with_account",
            "household_account_share",
            "letters_total",
            "letters_online",
            "online_letter_share",
            "programmes_held",
            "village_attendances",
            "kecamatan_attendances",
            "refreshed_at",
        ]


class CertificateVerificationSerializer(serializers.Serializer):
    """What a certificate's QR code answers (the OpenAPI shape of the verify endpoints)."""

    valid = serializers.BooleanField()
    name = serializers.CharField()
    programme = serializers.CharField()
    date = serializers.DateField()
    kecamatan_code = serializers.CharField(required=False)


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
