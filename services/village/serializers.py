from rest_framework import serializers

from services.village.images import image_url
from services.village.models import Area, Official, VillageProfile


class VillageProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageProfile
        fields = [
            "name",
            "region_code",
            "local_term",
            "head_title",
            "secretary_title",
            "address",
            "phone",
            "email",
            "service_hours",
            "history",
            "vision",
            "mission",
            "latitude",
            "longitude",
            "updated_at",
        ]
        read_only_fields = ["name", "region_code", "local_term", "updated_at"]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "level", "name", "parent"]


class AreaInputSerializer(serializers.Serializer):
    level = serializers.CharField(max_length=5, required=False, default="")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    parent = serializers.IntegerField(required=False, allow_null=True)


class OfficialSerializer(serializers.ModelSerializer):
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Official
        fields = ["id", "name", "position", "photo_url", "order", "active"]

    def get_photo_url(self, official: Official) -> str | None:
        return image_url(official.photo)


class OfficialInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    position = serializers.CharField(max_length=120, required=False, allow_blank=True)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    active = serializers.BooleanField(required=False, default=True)
    photo = serializers.FileField(required=False)


def areas_tree(areas) -> list[dict]:
    """Dusun with their RW and RT nested, from one flat list (no query per level)."""
    nodes = {a.pk: {"id": a.pk, "level": a.level, "name": a.name, "children": []} for a in areas}
    roots = []
    for area in areas:
        node = nodes[area.pk]
        if area.parent_id is None:
            roots.append(node)
        elif area.parent_id in nodes:
            nodes[area.parent_id]["children"].append(node)
    return roots
