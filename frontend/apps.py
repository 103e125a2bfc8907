from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Server-rendered pages, templates and static files (no tables of its own)."""

    name = "frontend"
    verbose_name = "Frontend"
