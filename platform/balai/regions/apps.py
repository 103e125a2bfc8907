from django.apps import AppConfig


class RegionsConfig(AppConfig):
    """Kemendagri region hierarchy. SHARED app: lives in the public schema."""

    name = "balai.regions"
    label = "regions"
    verbose_name = "Wilayah"
