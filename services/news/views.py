"""News API on the village host. Everyone reads what is published and due; staff write."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageStaff, request_staff_role
from services.news import selectors, services
from services.news.models import Category
from services.news.serializers import (
    ArticleInputSerializer,
    ArticleListSerializer,
    ArticleSerializer,
    NewsCategoryInputSerializer,
    NewsCategorySerializer,
    PublishInputSerializer,
)
from services.village.models import VillageProfile

FEED_SIZE = 30


class _PublicReadStaffWrite:
    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsVillageStaff()]


def _is_staff(request) -> bool:
    return request_staff_role(request) is not None


def _article_or_404(request, slug: str):
    # Drafts and scheduled items do not exist for the public: 404, not 403.
    article = selectors.article_get_for(slug=slug, staff=_is_staff(request))
    if article is None:
        raise Http404
    return article


def _write_arguments(data: dict) -> dict:
    """Take the state and the cover out of the parsed fields: they are separate arguments."""
    return {
        "status": data.pop("status", None),
        "publish_at": data.pop("publish_at", None),
        "cover": data.pop("cover", None),
    }


class CategoryListView(_PublicReadStaffWrite, APIView):
    @extend_schema(responses=NewsCategorySerializer(many=True))
    def get(self, request):
        return Response(NewsCategorySerializer(Category.objects.all(), many=True).data)

    @extend_schema(request=NewsCategoryInputSerializer, responses={201: NewsCategorySerializer})
    def post(self, request):
        serializer = NewsCategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(**serializer.validated_data)
        return Response(NewsCategorySerializer(category).data, status=status.HTTP_201_CREATED)


class ArticleListView(_PublicReadStaffWrite, ListAPIView):
    """?kind=berita|pengumuman, ?category=<slug>. Staff also see drafts and scheduled items."""

    serializer_class = ArticleListSerializer

    def get_queryset(self):
        return selectors.articles_for(
            staff=_is_staff(self.request),
            kind=self.request.query_params.get("kind"),
            category=self.request.query_params.get("category"),
        ).defer("body")

    @extend_schema(request=ArticleInputSerializer, responses={201: ArticleSerializer})
    def post(self, request):
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("cover_remove", None)
        arguments = _write_arguments(data)
        article = services.article_create(data=data, author=request.user, **arguments)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class ArticleDetailView(_PublicReadStaffWrite, APIView):
    @extend_schema(responses=ArticleSerializer)
    def get(self, request, slug: str):
        return Response(ArticleSerializer(_article_or_404(request, slug)).data)

    @extend_schema(request=ArticleInputSerializer, responses=ArticleSerializer)
    def patch(self, request, slug: str):
        article = _article_or_404(request, slug)
        serializer = ArticleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cover_remove = data.pop("cover_remove", False)
        arguments = _write_arguments(data)
        article = services.article_update(
            article_id=article.pk, changes=data, cover_remove=cover_remove, **arguments
        )
        return Response(ArticleSerializer(article).data)

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str):
        services.article_delete(article_id=_article_or_404(request, slug).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArticlePublishView(APIView):
    """Publish now, or at ``publish_at`` when it is in the future (scheduled)."""

    permission_classes = [IsVillageStaff]

    @extend_schema(request=PublishInputSerializer, responses=ArticleSerializer)
    def post(self, request, slug: str):
        serializer = PublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = services.article_publish(
            article_id=_article_or_404(request, slug).pk,
            publish_at=serializer.validated_data.get("publish_at"),
        )
        return Response(ArticleSerializer(article).data)


class ArticleUnpublishView(APIView):
    permission_classes = [IsVillageStaff]

    @extend_schema(request=None, responses=ArticleSerializer)
    def post(self, request, slug: str):
        article = services.article_unpublish(article_id=_article_or_404(request, slug).pk)
        return Response(ArticleSerializer(article).data)


class NewsFeedView(APIView):
    """Atom 1.0 feed of the village's latest published news and announcements."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/atom+xml"): OpenApiTypes.STR})
    def get(self, request):
        profile = VillageProfile.objects.only("name", "local_term").get(id=1)
        home = request.build_absolute_uri("/")
        feed = Atom1Feed(
            title=f"Berita {profile.local_term.title()} {profile.name}",
            link=home,
            description=f"Berita dan pengumuman {profile.local_term} {profile.name}",
            language="id",
            feed_url=request.build_absolute_uri(),
        )
        for article in selectors.articles_for(staff=False)[:FEED_SIZE]:
            link = request.build_absolute_uri(f"/api/village/news/{article.slug}/")
            feed.add_item(
                title=article.title,
                link=link,
                description=article.summary or article.body[:300],
                unique_id=link,
                pubdate=article.publish_at,
                updateddate=article.updated_at,
                author_name=article.author_name or None,
                categories=[article.get_kind_display()]
                + ([article.category.name] if article.category else []),
            )
        return HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
