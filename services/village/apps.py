from django.apps import AppConfig


class VillageConfig(AppConfig):
    """The village's own settings and areas. TENANT app: lives in each village schema."""

    name = "services.village"
    label = "village"
    verbose_name = "Profil desa"
