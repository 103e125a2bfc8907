from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Domain events of a village, written in the transaction of the change that causes them.

    TENANT app. The notifications worker (and the roll-ups) read them from here, so an
    event is never lost when Redis or the worker is down at the moment it happens.
    """

    name = "services.events"
    label = "events"
    verbose_name = "Peristiwa"
