from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """Residents (penduduk) and their self-service accounts. TENANT app: per village schema."""

    name = "services.residents"
    label = "residents"
    verbose_name = "Penduduk"
