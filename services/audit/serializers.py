from rest_framework import serializers

from services.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor_kind",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "fields",
            "detail",
        ]
