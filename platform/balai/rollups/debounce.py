"""Recomputing a village soon after its data changes, once per burst of changes.

Every recorded village event (services.events.event_record calls ``rollup_on_event``
through its handler registry) asks, once its transaction commits, for a recompute of
the village's figures for today. The first ask sets a "pending" key in Redis and queues
the recompute ``BALAI_ROLLUP_DEBOUNCE_SECONDS`` later; asks while the key exists add
nothing. The task deletes the key before it computes, so a change made while it runs
queues one more recompute rather than being missed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from balai.celery_app import PUBLIC_SCHEMA, SCHEMA_HEADER

logger = logging.getLogger(__name__)

# The key outlives the countdown, so a lost task blocks recomputes for at most this long
# (the nightly run corrects the day in any case).
PENDING_TTL_SECONDS = 120


def pending_key(schema_name: str) -> str:
    return f"rollups:pending:{schema_name}"


def rollup_soon(*, schema_name: str) -> bool:
    """Queue one recompute of the village unless one is already pending. True if queued."""
    # Imported here, not at module level: tasks imports the services, which the events
    # app's handler registry must not pull in while apps are loading.
    from balai.rollups.tasks import rollup_village

    if not cache.add(pending_key(schema_name), 1, timeout=PENDING_TTL_SECONDS):
        return False
    try:
        rollup_village.apply_async(
            kwargs={"day": None},
            headers={SCHEMA_HEADER: schema_name},
            countdown=settings.BALAI_ROLLUP_DEBOUNCE_SECONDS,
        )
    except Exception as error:  # noqa: BLE001 - broker down: the nightly run catches up
        cache.delete(pending_key(schema_name))
        logger.warning("roll-up not queued", extra={"schema": schema_name, "error": str(error)})
        return False
    return True


def rollup_on_event(event) -> None:
    """services.events handler: after the change commits, ask for a recompute."""
    if not settings.BALAI_ROLLUP_ON_CHANGE:
        return
    schema_name = connection.schema_name
    if not schema_name or schema_name == PUBLIC_SCHEMA:
        return

    # robust: Redis being down must not turn a committed change into an error for the
    # user; the nightly run recomputes the day anyway.
    # A named function, not functools.partial: Django's robust on_commit logs failures by
    # the callback's __qualname__, which a partial lacks.
    def queue_recompute() -> None:
        rollup_soon(schema_name=schema_name)

    transaction.on_commit(queue_recompute, robust=True)
