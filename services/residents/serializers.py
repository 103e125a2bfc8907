from rest_framework import serializers

from services.residents.models import Resident


class ResidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resident
        fields = ["id", "nik", "full_name", "birth_date", "sex", "phone"]
