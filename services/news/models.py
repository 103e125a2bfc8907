from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    NEWS = "berita", _("Berita")
    ANNOUNCEMENT = "pengumuman", _("Pengumuman")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    # Published with publish_at in the future reads as "scheduled" (see Article.state).
    PUBLISHED = "published", _("Terbit")


class Category(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def visible(self, *, now=None) -> "ArticleQuerySet":
        """What the public may read: published and due. A scheduled item appears at its
        time through this filter alone, with no job flipping a flag."""
        return self.filter(status=ArticleStatus.PUBLISHED, publish_at__lte=now or timezone.now())


class Article(models.Model):
    kind = models.CharField(max_length=12, choices=ArticleKind.choices, default=ArticleKind.NEWS)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # Path under MEDIA_ROOT (villages/<schema>/news/<random>.jpg); never the upload's name.
    cover = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(null=True, blank=True)
    # When "announcement.published" was recorded; null until then (announcements only).
    announced_at = models.DateTimeField(null=True, blank=True)
    # accounts.User lives in the public schema: kept as a plain id plus the name shown.
    author_id = models.BigIntegerField(null=True, blank=True)
    author_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "status", "-publish_at"], name="article_public_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        """draft, scheduled or published."""
        if self.status == ArticleStatus.DRAFT:
            return "draft"
        return "scheduled" if self.publish_at > timezone.now() else "published"
