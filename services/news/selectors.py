"""Reads of news and announcements shared by the API, the feed and the village home."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from services.news.models import Article, ArticleStatus


def articles_for(*, staff: bool, kind: str | None = None, category: str | None = None):
    """Staff see every article of their village; everyone else only what is visible now."""
    articles: QuerySet[Article] = Article.objects.select_related("category")
    if not staff:
        articles = articles.visible()
    if kind:
        articles = articles.filter(kind=kind)
    if category:
        articles = articles.filter(category__slug=category)
    return articles.order_by("-publish_at", "-id")


def article_get_for(*, slug: str, staff: bool) -> Article | None:
    """The article for this slug, or None when it does not exist or is not yet public."""
    return articles_for(staff=staff).filter(slug=slug).first()


def articles_latest(*, kind: str, limit: int = 5) -> list[Article]:
    return list(
        Article.objects.visible()
        .filter(kind=kind)
        .select_related("category")
        .defer("body")
        .order_by("-publish_at", "-id")[:limit]
    )


def next_scheduled_at():
    """When the next scheduled item becomes visible (caches must not outlive it)."""
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
