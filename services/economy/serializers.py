"""Output shapes of the economy API. Input is checked by services.economy.services, which
raises BalaiErrors naming the field in both languages."""

from __future__ import annotations

from rest_framework import serializers

from services.economy.models import (
    Bumdes,
    BumdesUnit,
    BumdesUnitYear,
    Business,
    Potential,
    Product,
)
from services.economy.publishing import contact_url
from services.village.images import image_url


class PhotoUrlsField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, data):
        return [image_url(path) for path in data]


class BusinessSerializer(serializers.ModelSerializer):
    """For the owner and staff."""

    photos = PhotoUrlsField(read_only=True)
    owner_id = serializers.IntegerField(read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)

    class Meta:
        model = Business
        fields = [
            "id",
            "owner_id",
            "owner_name",
            "name",
            "sector",
            "nib",
            "rt",
            "address",
            "whatsapp",
            "description",
            "photos",
            "status",
            "rejection_reason",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BusinessPublicSerializer(serializers.ModelSerializer):
    """What anyone sees: the business and its public contact, nothing of its owner."""

    photos = PhotoUrlsField(read_only=True)
    whatsapp_url = serializers.SerializerMethodField()

    class Meta:
        model = Business
        fields = ["id", "name", "sector", "description", "photos", "whatsapp_url"]
        read_only_fields = fields

    def get_whatsapp_url(self, business: Business) -> str:
        return f"https://wa.me/{business.whatsapp}"


class ProductSerializer(serializers.ModelSerializer):
    """For the owner and staff, with the moderation state."""

    photos = PhotoUrlsField(read_only=True)
    business_name = serializers.CharField(source="business.name", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "business",
            "business_name",
            "name",
            "price",
            "unit",
            "category",
            "stock",
            "description",
            "photos",
            "hidden",
            "hidden_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductPublicSerializer(serializers.ModelSerializer):
    photos = PhotoUrlsField(read_only=True)
    business_id = serializers.IntegerField(read_only=True)
    business_name = serializers.CharField(source="business.name", read_only=True)
    contact_url = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "price",
            "unit",
            "category",
            "stock",
            "description",
            "photos",
            "business_id",
            "business_name",
            "contact_url",
        ]
        read_only_fields = fields

    def get_contact_url(self, product: Product) -> str:
        return contact_url(
            whatsapp=product.business.whatsapp,
            product_name=product.name,
            village_label=self.context["village_label"],
        )


class BumdesUnitYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = BumdesUnitYear
        fields = ["year", "revenue", "profit", "updated_at"]
        read_only_fields = fields


class BumdesUnitSerializer(serializers.ModelSerializer):
    years = BumdesUnitYearSerializer(many=True, read_only=True)

    class Meta:
        model = BumdesUnit
        fields = ["id", "name", "kind", "description", "years"]
        read_only_fields = fields


class BumdesSerializer(serializers.ModelSerializer):
    units = BumdesUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Bumdes
        fields = ["name", "legal_basis", "year_founded", "description", "units", "updated_at"]
        read_only_fields = fields


class PotentialSerializer(serializers.ModelSerializer):
    photos = PhotoUrlsField(read_only=True)

    class Meta:
        model = Potential
        fields = [
            "id",
            "category",
            "name",
            "description",
            "area_ha",
            "production_tonnes_per_year",
            "count",
            "count_unit",
            "photos",
            "updated_at",
        ]
        read_only_fields = fields
