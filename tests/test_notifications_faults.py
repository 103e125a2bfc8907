"""Faults, against a Redis server and a worker that each test starts on its own port:
Redis down while events happen, and a worker killed in the middle of a batch. In both,
every message arrives and none twice.

"None twice" is checked on what the gateway received, by idempotency key: the count of
requests per key, not only the gateway's deduplicated deliveries.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from services.events.services import event_record
from services.notifications.models import Message, MessageStatus
from tests import notifications_live
from tests.factories import ResidentFactory
from tests.notifications_support import wait_until

live = notifications_live.live  # the fixture


@pytest.mark.django_db
def test_a_message_is_created_even_when_no_broker_is_reachable(cast):
    # (Also makes this module runnable alone, see test_notifications_worker.)
    with schema_context(cast.village_a.schema_name), transaction.atomic():
        event = event_record(
            name="letter.status_changed",
            payload={"resident_id": cast.resident_a.pk, "letter_type": "SKD", "to": "ready"},
        )
        assert Message.objects.filter(event_id=event.pk, status=MessageStatus.CREATED).exists()


def _all_sent(ids: list[int]) -> bool:
    return Message.objects.filter(pk__in=ids, status=MessageStatus.SENT).count() == len(ids)


@pytest.mark.worker
def test_messages_of_events_that_happen_while_redis_is_down_arrive_once_it_is_back(live):
    live.worker_start()
    with schema_context(live.village.schema_name):
        residents = [ResidentFactory(phone=f"08135550{i:04d}") for i in range(10)]
        # given Redis is down
        live.redis.stop()

        # when letters become ready meanwhile (each commit tries to queue and cannot)
        for resident in residents:
            with transaction.atomic():
                event_record(
                    name="letter.status_changed",
                    payload={"resident_id": resident.pk, "letter_type": "SKD", "to": "ready"},
                )
        ids = list(
            Message.objects.filter(recipient_id__in=[str(r.pk) for r in residents]).values_list(
                "pk", flat=True
            )
        )
        assert len(ids) == 10
        assert not live.gateway.requests

        # then once Redis is back, the sweep queues them and every one arrives, once
        live.redis.start()
        wait_until(lambda: _all_sent(ids), what="all ten messages sent", log=live.log_path)
        keys = set(Message.objects.filter(pk__in=ids).values_list("idempotency_key", flat=True))
    assert Counter(live.gateway.keys()) == dict.fromkeys(keys, 1)


@pytest.mark.worker
def test_a_batch_interrupted_by_a_killed_worker_completes_after_restart(live):
    live.gateway.delay = 0.1  # a slow gateway: the batch of 40 takes ~4 s
    live.worker_start()
    with schema_context(live.village.schema_name):
        residents = [ResidentFactory(phone=f"08136660{i:04d}") for i in range(40)]
        existing = set(Message.objects.values_list("pk", flat=True))
        # given an announcement to every resident: one batch task
        with transaction.atomic():
            event = event_record(name="announcement.published", payload={"article_id": 0})
        ids = list(
            Message.objects.filter(event_id=event.pk, channel="whatsapp")
            .exclude(pk__in=existing)
            .values_list("pk", flat=True)
        )
        assert len(ids) >= len(residents)

        # when the worker is killed (SIGKILL) part way through the batch
        wait_until(
            lambda: len(live.gateway.requests) >= 8, what="the batch to start", log=live.log_path
        )
        os.killpg(live.worker.pid, signal.SIGKILL)
        live.worker.wait(timeout=10)
        sent_before_kill = Message.objects.filter(pk__in=ids, status=MessageStatus.SENT).count()
        assert 0 < sent_before_kill < len(ids)

        # then a restarted worker finishes the batch (the sweep takes back the message
        # that was in flight and queues the rest); nothing is sent twice
        live.worker_start()
        wait_until(
            lambda: _all_sent(ids), timeout=90, what="the batch to finish", log=live.log_path
        )
        keys = set(Message.objects.filter(pk__in=ids).values_list("idempotency_key", flat=True))
    requests = Counter(live.gateway.keys())
    assert set(requests) == keys
    assert sum(live.gateway.delivered.values()) == len(keys)
    # At most the one message in flight at the kill is asked again (same key, so the
    # gateway answers with its first id instead of delivering it twice).
    assert sum(1 for n in requests.values() if n > 1) <= 1
    assert max(requests.values()) <= 2
