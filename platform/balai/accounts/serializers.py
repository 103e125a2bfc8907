from rest_framework import serializers


class ResidentLoginSerializer(serializers.Serializer):
    nik = serializers.CharField(max_length=32)
    pin = serializers.CharField(max_length=32, trim_whitespace=False)
    token = serializers.BooleanField(required=False, default=False)


class StaffLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
