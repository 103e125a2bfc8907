"""Writes for news and announcements. Run with the village schema active.

States: a draft is never public; a published item is public from ``publish_at`` on, so an
item published with a future ``publish_at`` is "scheduled" and appears at its time through
the ``visible()`` filter alone. Publishing an announcement records the domain event
"announcement.published": at once when it is due now, and for a scheduled one by the
periodic ``announcements_announce_due`` (services.news.tasks), which claims due rows under
a row lock so the event is recorded exactly once per announcement.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from balai.errors import BalaiError
from services.events.services import event_record
from services.news.models import Article, ArticleKind, ArticleStatus, Category
from services.village.home_cache import home_cache_forget
from services.village.images import image_delete, image_encode, image_store

ARTICLE_FIELDS = ("kind", "title", "slug", "summary", "body", "category")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EVENT_ANNOUNCEMENT_PUBLISHED = "announcement.published"
# Paths of services.news.urls that an article slug would shadow.
RESERVED_SLUGS = {"feed", "categories"}


def _slug_error(code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single("slug", code, message, message_en)


def _slug_check(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise _slug_error("reserved", "Slug ini dipakai sistem.", "This slug is reserved.")
    if not SLUG_PATTERN.match(slug) or len(slug) > 200:
        raise _slug_error(
            "invalid",
            "Slug hanya huruf kecil, angka dan tanda hubung (maksimal 200).",
            "A slug is lower-case letters, digits and hyphens (at most 200).",
        )


def _slug_free(base: str, *, exclude_id: int | None = None) -> str:
    """The base slug, or base-2, base-3... whichever is free in this village."""
    taken = set(
        Article.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_id)
        .values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _category_get(value) -> Category | None:
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        return value
    # Either its id or its slug; category_create never makes an all-digit slug.
    is_id = isinstance(value, int) or str(value).isdigit()
    lookup = {"pk": int(value)} if is_id else {"slug": value}
    category = Category.objects.filter(**lookup).first()
    if category is None:
        raise BalaiError.single(
            "category", "not_found", "Kategori tidak ditemukan.", "Category not found."
        )
    return category


def _article_check(article: Article) -> None:
    article.title = (article.title or "").strip()
    if not article.title:
        raise BalaiError.single("title", "required", "Judul wajib diisi.", "The title is required.")
    if article.kind not in ArticleKind.values:
        raise BalaiError.single(
            "kind",
            "invalid_choice",
            "Jenis harus berita atau pengumuman.",
            "The kind must be berita or pengumuman.",
        )


def _status_apply(article: Article, *, status: str | None, publish_at: datetime | None) -> None:
    if status is None and publish_at is None:
        return
    status = status or article.status
    if status not in ArticleStatus.values:
        raise BalaiError.single(
            "status",
            "invalid_choice",
            "Status harus draft atau published.",
            "The status must be draft or published.",
        )
    if publish_at is not None and timezone.is_naive(publish_at):
        raise BalaiError.single(
            "publish_at",
            "timezone_missing",
            "Waktu terbit perlu zona waktu.",
            "The publish time needs a time zone.",
        )
    article.status = status
    if status == ArticleStatus.PUBLISHED:
        article.publish_at = publish_at or article.publish_at or timezone.now()
    else:
        # A draft keeps a planned time, if given, for when it is published later.
        article.publish_at = publish_at


def _announce_if_due(article: Article) -> None:
    """Record "announcement.published" once, when a published announcement is due."""
    now = timezone.now()
    if (
        article.kind == ArticleKind.ANNOUNCEMENT
        and article.status == ArticleStatus.PUBLISHED
        and article.publish_at <= now
        and article.announced_at is None
    ):
        # Conditional UPDATE: a concurrent run of the periodic task cannot announce it twice.
        claimed = Article.objects.filter(pk=article.pk, announced_at__isnull=True).update(
            announced_at=now
        )
        if claimed:
            article.announced_at = now
            _announcement_event(article)


def _announcement_event(article: Article) -> None:
    event_record(
        name=EVENT_ANNOUNCEMENT_PUBLISHED,
        payload={
            "article_id": article.pk,
            "slug": article.slug,
            "publish_at": article.publish_at.isoformat(),
        },
    )


def _save(article: Article, *, slug_given: bool, new_cover: str | None) -> None:
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        if new_cover:
            image_delete(new_cover)
        if slug_given:
            raise _slug_error(
                "duplicate",
                "Slug ini sudah dipakai artikel lain di desa ini.",
                "This slug is already used by another article in this village.",
            ) from None
        raise
    except Exception:
        if new_cover:
            image_delete(new_cover)
        raise


DEFAULT_CATEGORIES = ["Pemerintahan", "Pembangunan", "Kesehatan", "Pendidikan", "Kegiatan Warga"]


def categories_seed() -> None:
    """A new village's starting categories. Safe to run twice."""
    for name in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})


@transaction.atomic
def category_create(*, name: str, slug: str = "") -> Category:
    name = (name or "").strip()
    if not name:
        raise BalaiError.single("name", "required", "Nama wajib diisi.", "The name is required.")
    slug = slug or slugify(name)[:50] or "kategori"
    if slug.isdigit():  # "2026" would read as an id in _category_get
        slug = f"kategori-{slug}"
    _slug_check(slug)
    try:
        with transaction.atomic():
            category = Category.objects.create(name=name[:60], slug=slug)
    except IntegrityError:
        raise _slug_error(
            "duplicate", "Kategori ini sudah ada.", "This category already exists."
        ) from None
    home_cache_forget()
    return category


@transaction.atomic
def article_create(
    *,
    data: dict,
    author,
    status: str | None = None,
    publish_at: datetime | None = None,
    cover=None,
) -> Article:
    """Create an article or announcement, as a draft unless ``status`` says published."""
    article = Article(
        **{k: v for k, v in data.items() if k in ARTICLE_FIELDS and k not in ("category", "slug")}
    )
    article.category = _category_get(data.get("category"))
    article.author_id = author.pk
    article.author_name = (author.get_full_name() or author.get_username())[:150]
    _article_check(article)
    slug_given = bool(data.get("slug"))
    if slug_given:
        _slug_check(data["slug"])
        article.slug = data["slug"]
    else:
        article.slug = _slug_free(slugify(article.title)[:190] or "artikel")
    _status_apply(article, status=status or ArticleStatus.DRAFT, publish_at=publish_at)
    new_cover = None
    if cover is not None:
        new_cover = article.cover = image_store(
            data=image_encode(cover, field="cover"), folder="news"
        )
    _save(article, slug_given=slug_given, new_cover=new_cover)
    _announce_if_due(article)
    home_cache_forget()
    return article


@transaction.atomic
def article_update(
    *,
    article_id: int,
    changes: dict,
    status: str | None = None,
    publish_at: datetime | None = None,
    cover=None,
    cover_remove: bool = False,
) -> Article:
    article = _article_get_for_update(article_id)
    for name, value in changes.items():
        if name in ARTICLE_FIELDS and name not in ("category", "slug"):
            setattr(article, name, value)
    if "category" in changes:
        article.category = _category_get(changes["category"])
    slug_given = "slug" in changes and changes["slug"] != article.slug
    if slug_given:
        _slug_check(changes["slug"])
        article.slug = changes["slug"]
    _article_check(article)
    _status_apply(article, status=status, publish_at=publish_at)
    old_cover = article.cover
    new_cover = None
    if cover is not None:
        new_cover = article.cover = image_store(
            data=image_encode(cover, field="cover"), folder="news"
        )
    elif cover_remove:
        article.cover = ""
    _save(article, slug_given=slug_given, new_cover=new_cover)
    if old_cover and old_cover != article.cover:
        transaction.on_commit(lambda: image_delete(old_cover))
    _announce_if_due(article)
    home_cache_forget()
    return article


@transaction.atomic
def article_publish(*, article_id: int, publish_at: datetime | None = None) -> Article:
    """Publish now, or at ``publish_at`` (scheduled) when that is in the future. Without a
    time a scheduled item is published at once, not left at its planned time."""
    return article_update(
        article_id=article_id,
        changes={},
        status=ArticleStatus.PUBLISHED,
        publish_at=publish_at or timezone.now(),
    )


@transaction.atomic
def article_unpublish(*, article_id: int) -> Article:
    return article_update(article_id=article_id, changes={}, status=ArticleStatus.DRAFT)


@transaction.atomic
def article_delete(*, article_id: int) -> None:
    article = _article_get_for_update(article_id)
    cover = article.cover
    article.delete()
    if cover:
        transaction.on_commit(lambda: image_delete(cover))
    home_cache_forget()


@transaction.atomic
def announcements_announce_due(*, now: datetime | None = None) -> int:
    """Record "announcement.published" for every scheduled announcement now due.

    Idempotent and safe to run concurrently: rows are claimed with SELECT ... FOR UPDATE
    SKIP LOCKED and stamped in the same transaction, so a second run (or a redelivered
    task) skips them or finds ``announced_at`` already set.
    """
    now = now or timezone.now()
    due = Article.objects.filter(
        kind=ArticleKind.ANNOUNCEMENT,
        status=ArticleStatus.PUBLISHED,
        publish_at__lte=now,
        announced_at__isnull=True,
    )
    claimed = list(
        Article.objects.filter(pk__in=due.values("pk"), announced_at__isnull=True)
        .select_for_update(skip_locked=True)
        .only("pk", "slug", "publish_at")
    )
    if not claimed:
        return 0
    Article.objects.filter(pk__in=[a.pk for a in claimed]).update(announced_at=now)
    for article in claimed:
        _announcement_event(article)
    home_cache_forget()
    return len(claimed)


def _article_get_for_update(article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise BalaiError.single(
            "slug", "not_found", "Artikel tidak ditemukan.", "Article not found.", status=404
        )
    return article
