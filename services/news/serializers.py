from rest_framework import serializers

from services.news.models import Article, Category
from services.village.images import image_url


class NewsCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class NewsCategoryInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    slug = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ArticleListSerializer(serializers.ModelSerializer):
    category = NewsCategorySerializer(read_only=True)
    cover_url = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "slug",
            "summary",
            "category",
            "cover_url",
            "state",
            "publish_at",
            "author_name",
            "updated_at",
        ]

    def get_cover_url(self, article: Article) -> str | None:
        return image_url(article.cover)


class ArticleSerializer(ArticleListSerializer):
    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body", "created_at"]


class ArticleInputSerializer(serializers.Serializer):
    """Parses the request only; the rules (kinds, states, slugs, images) are the service's."""

    kind = serializers.CharField(max_length=12, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    slug = serializers.CharField(max_length=220, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(max_length=60, required=False, allow_blank=True)
    status = serializers.CharField(max_length=10, required=False)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    cover = serializers.FileField(required=False)
    cover_remove = serializers.BooleanField(required=False, default=False)


class PublishInputSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
