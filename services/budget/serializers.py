from rest_framework import serializers

from services.budget.models import BudgetLine


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "kind", "sector", "description", "budget", "realised", "position"]


class BudgetLineInputSerializer(serializers.Serializer):
    """Amounts arrive as text or numbers and are parsed by the service (Decimal, checked),
    so that every amount error names its field in both languages."""

    kind = serializers.CharField(max_length=10, required=False)
    sector = serializers.CharField(max_length=40, required=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    budget = serializers.JSONField(required=False, allow_null=True)
    realised = serializers.JSONField(required=False, allow_null=True)


class BudgetImportSerializer(serializers.Serializer):
    file = serializers.FileField()
