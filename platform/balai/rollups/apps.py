from django.apps import AppConfig


class RollupsConfig(AppConfig):
    """Daily indicators of every village, rolled up for supervisors. SHARED app: its tables
    live in the public schema.

    A worker computes one village's figures inside its schema and upserts one public row
    per village and day; kecamatan and kabupaten figures are SQL aggregates over those rows
    by region code, so a supervisor's request never visits a village schema.
    """

    name = "balai.rollups"
    label = "rollups"
    verbose_name = "Rekap indikator desa"

    def ready(self) -> None:
        # Every recorded village event schedules a debounced recompute of that village.
        from balai.rollups.debounce import rollup_on_event
        from services.events.services import event_handler_register

        event_handler_register(rollup_on_event)
