from django.apps import AppConfig


class NewsConfig(AppConfig):
    """News articles and announcements (berita, pengumuman) of one village.

    TENANT app: lives in each village schema, so slugs are unique per village.
    """

    name = "services.news"
    label = "news"
    verbose_name = "Berita dan pengumuman"
