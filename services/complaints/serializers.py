"""Presentation of complaints. Nothing is decided here: visibility is the selectors' job.

Three shapes: the public one (lists, tracking page: no reporter data, hidden content
blanked), the staff one (everything, with internal notes) and input for staff actions.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from services.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintUpdate,
)

HIDDEN_TEXT = "[Konten disembunyikan oleh petugas]"


def photo_urls(complaint: Complaint, request, *, with_code: bool = False) -> list[str]:
    suffix = f"?code={complaint.tracking_code}" if with_code else ""
    return [
        request.build_absolute_uri(reverse("complaint-photo", args=[photo.name])) + suffix
        for photo in complaint.photos.all()
    ]


class CategorySerializer(serializers.ModelSerializer):
    target_hours = serializers.IntegerField()

    class Meta:
        model = ComplaintCategory
        fields = ["code", "name", "name_en", "description", "group", "target_hours", "attributes"]


class UpdatePublicSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintUpdate
        fields = ["kind", "from_status", "to_status", "note", "created_at"]


class UpdateStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintUpdate
        fields = [
            "id",
            "kind",
            "from_status",
            "to_status",
            "note",
            "is_public",
            "actor_user_id",
            "actor_kind",
            "created_at",
        ]


class ComplaintPublicSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    status_display = serializers.CharField(source="get_status_display")
    description = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()
    duplicate_of = serializers.CharField(source="duplicate_of.tracking_code", default=None)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "tracking_code",
            "category",
            "category_name",
            "description",
            "status",
            "status_display",
            "rejection_reason",
            "overdue",
            "is_hidden",
            "area",
            "address",
            "latitude",
            "longitude",
            "duplicate_of",
            "photos",
            "created_at",
            "updated_at",
            "target_at",
            "closed_at",
        ]

    def get_description(self, complaint: Complaint) -> str:
        return HIDDEN_TEXT if complaint.is_hidden else complaint.description

    def get_overdue(self, complaint: Complaint) -> bool:
        return getattr(complaint, "overdue", None) or complaint.is_overdue()

    def get_area(self, complaint: Complaint) -> str | None:
        return str(complaint.area) if complaint.area_id else None

    def get_photos(self, complaint: Complaint) -> list[str]:
        if complaint.is_hidden:
            return []
        return photo_urls(complaint, self.context["request"])


class ComplaintReceiptSerializer(serializers.ModelSerializer):
    """The answer to a filing: the tracking code and where to follow it (no re-read)."""

    category = serializers.CharField(source="category.code")
    track_url = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "tracking_code",
            "status",
            "category",
            "is_public",
            "created_at",
            "target_at",
            "track_url",
            "photos",
        ]

    def get_track_url(self, complaint: Complaint) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("complaint-track", args=[complaint.tracking_code])
        )

    def get_photos(self, complaint: Complaint) -> list[str]:
        return photo_urls(
            complaint, self.context["request"], with_code=not complaint.is_publicly_listed
        )


class ComplaintTrackingSerializer(ComplaintPublicSerializer):
    """What the tracking code opens: the complaint and its public history."""

    history = serializers.SerializerMethodField()

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [*ComplaintPublicSerializer.Meta.fields, "is_public", "history"]

    def get_history(self, complaint: Complaint) -> list[dict]:
        return UpdatePublicSerializer(complaint.public_updates, many=True).data

    def get_photos(self, complaint: Complaint) -> list[str]:
        if complaint.is_hidden:
            return []
        # The code is the filer's key to a private complaint's photos too.
        return photo_urls(
            complaint, self.context["request"], with_code=not complaint.is_publicly_listed
        )


class ComplaintStaffSerializer(ComplaintPublicSerializer):
    description = serializers.CharField()

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [
            *ComplaintPublicSerializer.Meta.fields,
            "id",
            "is_public",
            "hidden_reason",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "resident",
            "attributes",
            "assigned_user_id",
            "filed_via",
            "escalated_at",
        ]

    def get_photos(self, complaint: Complaint) -> list[str]:
        return photo_urls(complaint, self.context["request"])


class ComplaintStaffDetailSerializer(ComplaintStaffSerializer):
    updates = UpdateStaffSerializer(many=True, read_only=True)

    class Meta(ComplaintStaffSerializer.Meta):
        fields = [*ComplaintStaffSerializer.Meta.fields, "updates"]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    is_public = serializers.BooleanField(required=False, default=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class ReplySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)
    is_public = serializers.BooleanField(required=False, default=True)


class AssignSerializer(serializers.Serializer):
    assignee_user_id = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MergeSerializer(serializers.Serializer):
    original = serializers.CharField(max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class VisibilitySerializer(serializers.Serializer):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class SettingsSerializer(serializers.Serializer):
    escalate_after_days = serializers.IntegerField()


class ComplaintFileSerializer(serializers.Serializer):
    """The filing form, for the OpenAPI schema only: the service checks every field (so
    that each error names its field in both languages)."""

    category = serializers.CharField(help_text="Category code (Open311 service_code).")
    description = serializers.CharField()
    is_public = serializers.BooleanField(required=False, default=True)
    phone = serializers.CharField(
        required=False, help_text="Indonesian mobile number; required when not logged in."
    )
    email = serializers.EmailField(required=False)
    name = serializers.CharField(required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    area = serializers.IntegerField(required=False, help_text="A dusun/RW/RT area id.")
    address = serializers.CharField(required=False)
    attributes = serializers.JSONField(required=False)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=3, help_text="Up to 3."
    )
