"""Queueing messages for the worker, always after commit and never fatally.

A broker that is down when an event happens must not undo the event: the message rows
are committed already, and the periodic sweep queues whatever is still waiting once Redis
is back. So queueing failures are logged and swallowed here, and only here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

from django.db import connection, transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from balai.celery_app import SCHEMA_HEADER, app

log = logging.getLogger(__name__)

SEND_BATCH_TASK = "balai.notifications.send_batch"
# Messages per task: big enough that a 10,000-resident announcement is 100 tasks, small
# enough that a killed worker loses (to the sweep) a few seconds of work.
BATCH_SIZE = 100


def messages_enqueue(*, ids: Sequence[int], schema_name: str, countdown: float = 0) -> bool:
    """Queue send tasks for these messages now. False when the broker is unreachable."""
    try:
        with app.pool.acquire(block=True, timeout=5) as conn:
            # One quick connection attempt: kombu's default is to retry for seconds, which
            # would hold the request that caused the event while the broker is down.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            for start in range(0, len(ids), BATCH_SIZE):
                app.send_task(
                    SEND_BATCH_TASK,
                    args=[list(ids[start : start + BATCH_SIZE])],
                    headers={SCHEMA_HEADER: schema_name},
                    queue="default",
                    countdown=countdown or None,
                    connection=conn,
                    retry=False,  # the sweep retries
                )
    except (OperationalError, RedisError, OSError) as error:
        log.warning(
            "notifications not queued, the sweep will send them",
            extra={"schema": schema_name, "count": len(ids), "error": str(error)},
        )
        return False
    return True


def messages_enqueue_on_commit(*, ids: Sequence[int], countdown: float = 0) -> None:
    # The schema is read now: by commit time the connection may serve another village.
    schema_name = connection.schema_name
    if ids:
        transaction.on_commit(
            functools.partial(
                messages_enqueue, ids=list(ids), schema_name=schema_name, countdown=countdown
            )
        )
