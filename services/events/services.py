"""Recording domain events. Call inside the transaction of the change itself."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from services.events.models import DomainEvent

# Consumers that must write their own rows in the event's transaction (the notifications
# outbox): called by event_record, so the event and what it causes commit together.
_handlers: list[Callable[[DomainEvent], None]] = []


def event_handler_register(handler: Callable[[DomainEvent], None]) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def event_record(*, name: str, payload: dict) -> DomainEvent:
    """Write the event beside the change: both commit or neither does.

    Payloads carry ids and codes, not personal data: consumers load what they need.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record events inside the transaction of the change they describe")
    event = DomainEvent.objects.create(name=name, payload=payload)
    for handler in _handlers:
        handler(event)
    return event
