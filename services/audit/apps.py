from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who viewed, created, changed, exported or printed which record. TENANT app.

    The log lives in the village schema beside the records it is about, so it leaves
    with the village and is never mixed with another village's log.
    """

    name = "services.audit"
    label = "audit"
    verbose_name = "Jejak audit"
