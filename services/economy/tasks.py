"""Background publishing of a village's economy to the public catalog.

VillageTasks, queued with ``transaction.on_commit`` by services.economy.services: they run in
the village's schema and publish the current state (services.economy.publishing), so a
duplicate or late delivery publishes the same rows. The nightly full resync of every village
is the PlatformTask balai.marketplace.resync_all, which fans out ``village_publish``.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.utils import InterfaceError, OperationalError

from balai.celery_app import (
    PUBLIC_SCHEMA,
    SCHEMA_HEADER,
    VillageContextMissingError,
    VillageTask,
    app,
)
from services.economy import publishing

# Only a lost database connection is worth retrying; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)
TASK_OPTIONS = {
    "base": VillageTask,
    "queue": "default",
    "acks_late": True,
    "time_limit": 300,
    "soft_time_limit": 270,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@app.task(name="balai.economy.products_publish", **TASK_OPTIONS)
def products_publish(product_ids: list[int]) -> dict[str, int]:
    return publishing.products_publish(product_ids=product_ids)


@app.task(name="balai.economy.business_publish", **TASK_OPTIONS)
def business_publish(business_id: int) -> dict[str, int]:
    return publishing.business_publish(business_id=business_id)


@app.task(name="balai.economy.summary_refresh", **TASK_OPTIONS)
def summary_refresh() -> None:
    publishing.summary_refresh()


@app.task(name="balai.economy.village_publish", **TASK_OPTIONS)
def village_publish() -> dict[str, int]:
    return publishing.village_publish_all()


def _active_schema() -> str:
    # Captured now: by the time on_commit runs, the connection may serve another schema.
    schema_name = connection.schema_name
    if schema_name == PUBLIC_SCHEMA:
        raise VillageContextMissingError("queue economy publishing with a village schema active")
    return schema_name


def _queue_on_commit(task, **kwargs) -> None:
    schema_name = _active_schema()
    transaction.on_commit(
        lambda: task.apply_async(kwargs=kwargs, headers={SCHEMA_HEADER: schema_name})
    )


def products_publish_queue(*, product_ids: list[int]) -> None:
    _queue_on_commit(products_publish, product_ids=list(product_ids))


def business_publish_queue(*, business_id: int) -> None:
    _queue_on_commit(business_publish, business_id=business_id)


def summary_refresh_queue() -> None:
    _queue_on_commit(summary_refresh)
