from rest_framework import serializers

from services.letters.models import Letter, LetterSettings, LetterStep, LetterType


class LetterTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterType
        fields = [
            "code",
            "name",
            "classification_code",
            "fields",
            "requirements",
            "validity_days",
            "online_allowed",
            "title",
            "template",
            "is_active",
            "updated_at",
        ]


class LetterTypeWriteSerializer(serializers.Serializer):
    """Shapes only; the service checks the field schema and the template's placeholders."""

    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
    classification_code = serializers.CharField(max_length=20)
    fields = serializers.ListField(child=serializers.DictField(), required=False)
    requirements = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    validity_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    online_allowed = serializers.BooleanField(required=False)
    title = serializers.CharField(max_length=160)
    template = serializers.CharField(max_length=20000)
    is_active = serializers.BooleanField(required=False)


class PreviewSerializer(serializers.Serializer):
    template = serializers.CharField(max_length=20000, required=False)
    resident_id = serializers.IntegerField(required=False)
    fields = serializers.DictField(required=False)


class LetterSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterSettings
        fields = ["number_format", "sequence_scope", "signer_roles", "updated_at"]
        read_only_fields = ["updated_at"]


class LetterRequestSerializer(serializers.Serializer):
    letter_type = serializers.CharField(max_length=40)
    fields = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CounterRequestSerializer(LetterRequestSerializer):
    resident_id = serializers.IntegerField()


class LetterActionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    fields = serializers.DictField(required=False)


class LetterStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterStep
        fields = ["from_status", "to_status", "actor_kind", "actor_id", "actor_role", "note", "at"]


class LetterSerializer(serializers.ModelSerializer):
    letter_type = serializers.CharField(source="letter_type.code")
    letter_type_name = serializers.CharField(source="letter_type.name")
    status_label = serializers.CharField(source="get_status_display")
    resident = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "letter_type",
            "letter_type_name",
            "resident",
            "status",
            "status_label",
            "channel",
            "number",
            "created_at",
            "signed_at",
        ]

    def get_resident(self, letter: Letter) -> dict:
        return {"id": letter.resident_id, "full_name": letter.resident.full_name}


class LetterDetailSerializer(LetterSerializer):
    steps = LetterStepSerializer(many=True, read_only=True)
    issued = serializers.SerializerMethodField()

    class Meta(LetterSerializer.Meta):
        fields = [
            *LetterSerializer.Meta.fields,
            "field_values",
            "revoked_reason",
            "issued",
            "steps",
        ]

    def get_issued(self, letter: Letter) -> dict | None:
        if not letter.issued:
            return None
        issued = letter.issued
        return {
            "number": issued["number"],
            "date": issued["date"],
            "valid_until": issued["valid_until"],
            "signer": issued["signer"],
            "verification_url": issued["verification_url"],
        }
