"""The public "village home" data: profile, officials, latest news and announcements, and
this year's budget summary, for the home page and apps.

Six SQL statements when the cache is cold (profile, officials, news, announcements, the
budget aggregate, the next scheduled item) and none when warm: the result is kept per
village for HOME_CACHE_SECONDS, or less when a scheduled item is due sooner, and every
write that changes it forgets it (services.village.home_cache).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from services.budget.selectors import budget_summary
from services.news.models import ArticleKind
from services.news.selectors import articles_latest, next_scheduled_at
from services.village.home_cache import HOME_CACHE_SECONDS, home_cache_key
from services.village.images import image_url
from services.village.models import Official, VillageProfile

LATEST = 5


def _article(article) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "category": article.category.name if article.category else None,
        "cover_url": image_url(article.cover),
        "publish_at": article.publish_at.isoformat(),
    }


def _profile(profile: VillageProfile) -> dict:
    return {
        "name": profile.name,
        "region_code": profile.region_code,
        "local_term": profile.local_term,
        "head_title": profile.head_title,
        "address": profile.address,
        "phone": profile.phone,
        "email": profile.email,
        "service_hours": profile.service_hours,
        "vision": profile.vision,
        "mission": profile.mission,
        "history": profile.history,
        "logo_url": image_url(profile.logo),
        "latitude": str(profile.latitude) if profile.latitude is not None else None,
        "longitude": str(profile.longitude) if profile.longitude is not None else None,
    }


def village_home_build() -> dict:
    """Build the home data from the database (no cache)."""
    now = timezone.now()
    officials = Official.objects.filter(active=True).only("name", "position", "photo", "order")
    return {
        "profile": _profile(VillageProfile.objects.get(id=1)),
        "officials": [
            {"name": o.name, "position": o.position, "photo_url": image_url(o.photo)}
            for o in officials
        ],
        "news": [_article(a) for a in articles_latest(kind=ArticleKind.NEWS, limit=LATEST)],
        "announcements": [
            _article(a) for a in articles_latest(kind=ArticleKind.ANNOUNCEMENT, limit=LATEST)
        ],
        "budget": budget_summary(year=timezone.localdate(now).year),
        "generated_at": now.isoformat(),
    }


def village_home() -> dict:
    """The home data of the active village, from the cache when it is there."""
    key = home_cache_key(connection.schema_name)
    data = cache.get(key)
    if data is not None:
        return data
    data = village_home_build()
    timeout = HOME_CACHE_SECONDS
    due = next_scheduled_at()
    if due is not None:
        # Never serve a cached page past the moment a scheduled item becomes visible.
        timeout = max(1, min(timeout, int((due - timezone.now()).total_seconds()) + 1))
    cache.set(key, data, timeout)
    return data
