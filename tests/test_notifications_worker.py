"""End to end with a real Redis, a real worker process and PostgreSQL: an event becomes an
outbox message, the worker sends it, and the local gateway receives it exactly once."""

from __future__ import annotations

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
def test_outbox_messages_carry_the_village_in_their_idempotency_key(cast):
    # (Also makes this module runnable alone: pytest-django creates the test database only
    # when a collected test carries the django_db mark.)
    with schema_context(cast.village_a.schema_name), transaction.atomic():
        event = event_record(
            name="letter.status_changed",
            payload={"resident_id": cast.resident_a.pk, "letter_type": "SKD", "to": "verified"},
        )
        message = Message.objects.get(event_id=event.pk)
    assert message.idempotency_key.startswith(f"{cast.village_a.schema_name}:{event.pk}:")


@pytest.mark.worker
def test_an_event_reaches_the_gateway_exactly_once_through_a_real_worker(live):
    live.worker_start()
    with schema_context(live.village.schema_name):
        resident = ResidentFactory(phone="081355500011")
        # when a letter becomes ready (the event and its outbox row commit together)
        with transaction.atomic():
            event = event_record(
                name="letter.status_changed",
                payload={"resident_id": resident.pk, "letter_type": "SKD", "to": "ready"},
            )
        message = Message.objects.get(event_id=event.pk)

        # then the worker sends it and records the gateway's id
        wait_until(
            lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.SENT).exists(),
            what="the message to be sent",
            log=live.log_path,
        )
    assert Counter(live.gateway.keys()) == {message.idempotency_key: 1}
    assert live.gateway.requests[0]["body"]["to"] == "081355500011"
    assert "siap" in live.gateway.requests[0]["body"]["message"]


@pytest.mark.worker
def test_a_failed_message_sent_again_from_the_log_reaches_the_gateway(live):
    from balai.accounts.models import User
    from services.audit.models import AuditEntry
    from services.notifications.models import Channel
    from tests.conftest import client_for

    live.worker_start()
    with schema_context(live.village.schema_name):
        resident = ResidentFactory(phone="081355500012")
        first_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # given: the gateway refuses the number, so the worker fails the message for good
        live.gateway.mode = "400"
        with transaction.atomic():
            event = event_record(
                name="letter.status_changed",
                payload={"resident_id": resident.pk, "letter_type": "SKD", "to": "ready"},
            )
        message = Message.objects.get(event_id=event.pk)
        wait_until(
            lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).exists(),
            what="the message to fail",
            log=live.log_path,
        )
        assert live.gateway.delivered[message.idempotency_key] == 0
    try:
        # when: the gateway is fixed and the operator presses "Kirim ulang" in the log
        live.gateway.mode = "ok"
        staff = client_for(live.village, user=User.objects.get(username="bob"))
        response = staff.post(f"/kantor/notifikasi/{message.pk}/kirim-ulang/", {"query": ""})
        assert response.status_code == 302
        # then: the worker sends it, once, and the log shows it sent
        with schema_context(live.village.schema_name):
            wait_until(
                lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.SENT).exists(),
                what="the message sent again to be sent",
                log=live.log_path,
            )
            fallbacks = Message.objects.filter(event_id=event.pk, channel=Channel.INAPP).count()
        assert live.gateway.delivered[message.idempotency_key] == 1
        assert fallbacks == 1  # the inbox copy made when it failed, and no second one
        shown = staff.get("/kantor/notifikasi/", {"status": "sent"})
        assert [m.pk for m in shown.context["page"].object_list] == [message.pk]
    finally:
        with schema_context(live.village.schema_name):
            AuditEntry.objects.filter(id__gt=first_audit).delete()
