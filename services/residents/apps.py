from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """Residents (penduduk) and their self-service accounts. TENANT app: per village schema."""

    name = "services.residents"
    label = "residents"
    verbose_name = "Penduduk"

    def ready(self) -> None:
        # Imported here: the events app's registry and the statistics module load models.
        from services.events.services import event_handler_register
        from services.residents.statistics import statistics_forget_on_event

        event_handler_register(statistics_forget_on_event)
