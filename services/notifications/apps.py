from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications to residents, staff and supervisors: an outbox of messages per village.

    TENANT app. Messages are written by a handler that services.events calls inside the
    transaction of the event itself, then sent by a worker (services.notifications.tasks).
    """

    name = "services.notifications"
    label = "notifications"
    verbose_name = "Notifikasi"

    def ready(self) -> None:
        from services.events.services import event_handler_register
        from services.notifications.outbox import messages_from_event

        event_handler_register(messages_from_event)
