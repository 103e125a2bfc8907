"""Fixtures for the notification tests that run a real worker: a Redis server and worker
of the test's own, a local gateway, the test process publishing to that Redis, and
committed village data cleaned up afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from balai.celery_app import app
from tests.notifications_support import (
    FakeGateway,
    RedisServer,
    wait_until,
    worker_start,
    worker_stop,
)

WORKER_ENV = {
    # Short enough for a test to watch the sweep work, long enough to never take back a
    # message a live worker is still sending (the slow gateway answers in 0.1 s).
    "BALAI_NOTIFY_SENDING_TIMEOUT_SECONDS": "3",
    "BALAI_NOTIFY_RETRY_BASE_SECONDS": "1",
    "BALAI_NOTIFY_SWEEP_SECONDS": "1",
}


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery app (on_commit queueing) at the test's own Redis."""
    old = app.conf.broker_url

    def switch(to: str) -> None:
        app.conf.broker_url = to
        # The connection and producer pools remember the old broker: drop them.
        app._pool = None
        app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(old)


@dataclass
class Live:
    redis: RedisServer
    gateway: FakeGateway
    log_path: Path
    village: object
    worker: object = None

    def worker_start(self) -> None:
        already = self.log_path.read_text().count(" ready.") if self.log_path.exists() else 0
        self.worker = worker_start(
            redis_url=self.redis.url, log_path=self.log_path, extra_env=WORKER_ENV, beat=True
        )
        wait_until(
            lambda: self.log_path.read_text().count(" ready.") > already,
            what="the worker to be ready",
            log=self.log_path,
        )

    def worker_stop(self) -> None:
        if self.worker is not None:
            worker_stop(self.worker)


@pytest.fixture
def live(django_db_setup, django_db_blocker, tmp_path) -> Iterator[Live]:
    from services.events.models import DomainEvent
    from services.notifications.models import Channel, ChannelConfig, Message, ProviderKind
    from services.residents.models import Resident
    from tenants.models import Village

    with django_db_blocker.unblock():
        village = Village.objects.get(region_id="18.08.11.2002")
        redis = RedisServer(tmp_path)
        redis.start()
        gateway = FakeGateway().start()
        state = Live(
            redis=redis, gateway=gateway, log_path=tmp_path / "worker.log", village=village
        )
        with schema_context(village.schema_name):
            existing = set(Resident.objects.values_list("pk", flat=True))
            first_event = (
                DomainEvent.objects.order_by("-id").values_list("id", flat=True).first()
            ) or 0
            ChannelConfig.objects.create(
                channel=Channel.WHATSAPP,
                name="wa-uji",
                kind=ProviderKind.WEBHOOK,
                url=gateway.url,
                rate_per_second=1000,
                timeout_seconds=2,
            )
        try:
            with publishing_to(redis.url):
                yield state
        finally:
            state.worker_stop()
            gateway.stop()
            redis.stop()
            with schema_context(village.schema_name), transaction.atomic():
                Message.objects.all().delete()
                ChannelConfig.objects.filter(name="wa-uji").delete()
                DomainEvent.objects.filter(id__gt=first_event).delete()
                Resident.objects.exclude(pk__in=existing).delete()
            connection.set_schema_to_public()
