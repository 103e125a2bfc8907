from django.apps import AppConfig


class BalaiConfig(AppConfig):
    """The control plane itself: management commands (migrate, onboarding, demo)."""

    name = "balai"
    verbose_name = "Balai"
