from rest_framework import serializers

from services.imports.models import ImportJob, ImportMode


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "mode",
            "file_name",
            "file_format",
            "file_size",
            "sha256",
            "forced",
            "total",
            "done",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_rows",
            "warning_rows",
            "failure_code",
            "failure_message",
            "report",
            "report_truncated",
            "created_by_id",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportJobSummarySerializer(ImportJobSerializer):
    """The list of jobs leaves the reports out: one can hold thousands of entries."""

    class Meta(ImportJobSerializer.Meta):
        fields = [f for f in ImportJobSerializer.Meta.fields if f != "report"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    # Empty files reach the service, which says so in both languages.
    file = serializers.FileField(allow_empty_file=True)
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    force = serializers.BooleanField(default=False)
