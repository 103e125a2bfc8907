"""Recording domain events. Call inside the transaction of the change itself."""

from __future__ import annotations

from django.db import transaction

from services.events.models import DomainEvent


def event_record(*, name: str, payload: dict) -> DomainEvent:
    """Write the event beside the change: both commit or neither does.

    Payloads carry ids and codes, not personal data: consumers load what they need.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record events inside the transaction of the change they describe")
    return DomainEvent.objects.create(name=name, payload=payload)
