"""The notifications API: staff see the message log with reasons, residents their inbox
and preferences, gateways post receipts with their shared secret; nobody reaches another
person's items or another village's messages."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from services.events.services import event_record
from services.notifications import services
from services.notifications.models import (
    Channel,
    ChannelConfig,
    InboxItem,
    Message,
    MessageStatus,
    Preference,
    ProviderKind,
)
from tests.complaints_support import resident_client
from tests.conftest import client_for
from tests.factories import ResidentFactory


def _inbox_message(village, resident_id: int) -> Message:
    with schema_context(village.schema_name):
        with transaction.atomic():
            event = event_record(
                name="letter.status_changed",
                payload={"resident_id": resident_id, "letter_type": "SKD", "to": "ready"},
            )
        message = Message.objects.get(event_id=event.pk)
        services.message_send(message_id=message.pk)
        return message


def test_staff_see_the_message_log_with_statuses_and_reasons(cast, django_assert_max_num_queries):
    with schema_context(cast.village_a.schema_name):
        for status in (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.FAILED):
            Message.objects.create(
                recipient_kind="resident", recipient_id="log-test", channel=Channel.SMS,
                template_key="letter.ready", body="x", status=status,
                last_error="HTTP 400: nomor salah" if status == MessageStatus.FAILED else "",
                idempotency_key=f"log-{Message.objects.count()}",
                next_attempt_at="2026-01-01T00:00Z",
            )  # fmt: skip

    client = client_for(cast.village_a, user=cast.alice)

    with django_assert_max_num_queries(8):
        response = client.get("/api/notifications/messages/?status=failed&recipient_id=log-test")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["last_error"] for r in rows] == ["HTTP 400: nomor salah"] * 2
    # staff of another village do not see these, a resident sees no log at all
    other = client_for(cast.village_b, user=cast.bob).get(
        "/api/notifications/messages/?recipient_id=log-test"
    )
    assert other.json()["results"] == []
    resident = resident_client(cast.village_a, cast.resident_a)
    assert resident.get("/api/notifications/messages/").status_code == 403


def test_a_resident_reads_their_inbox_and_not_anyone_elses(cast):
    message = _inbox_message(cast.village_a, cast.resident_a.pk)
    with schema_context(cast.village_a.schema_name):
        someone = ResidentFactory()
        others = _inbox_message(cast.village_a, someone.pk)
        other_item = InboxItem.objects.get(message=others)
    client = resident_client(cast.village_a, cast.resident_a)

    inbox = client.get("/api/notifications/inbox/").json()["results"]
    with schema_context(cast.village_a.schema_name):
        mine = InboxItem.objects.get(message=message)
    assert mine.pk in [item["id"] for item in inbox]
    assert other_item.pk not in [item["id"] for item in inbox]
    assert client.post(f"/api/notifications/inbox/{mine.pk}/read/").json()["read_at"]
    assert client.post(f"/api/notifications/inbox/{other_item.pk}/read/").status_code == 404


def test_a_resident_sets_preferences_and_an_unknown_channel_is_refused(cast):
    client = resident_client(cast.village_a, cast.resident_a)

    response = client.put(
        "/api/notifications/preferences/",
        {"channels": ["sms"], "announcements": False, "language": "en"},
        content_type="application/json",
    )
    assert response.status_code == 200
    with schema_context(cast.village_a.schema_name):
        preference = Preference.objects.get(recipient_id=str(cast.resident_a.pk))
    assert (preference.channels, preference.announcements) == (["sms"], False)

    bad = client.put(
        "/api/notifications/preferences/",
        {"channels": ["telegram"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "channels"


def test_staff_reword_a_template_and_an_unknown_placeholder_is_refused(cast):
    client = client_for(cast.village_a, user=cast.alice)

    ok = client.put(
        "/api/notifications/templates/letter.ready/",
        {"body": "Surat {{ jenis_surat }} sudah bisa diambil."},
        content_type="application/json",
    )
    bad = client.put(
        "/api/notifications/templates/letter.ready/",
        {"body": "Halo {{ nik }}"},
        content_type="application/json",
    )

    assert ok.status_code == 200
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "unknown_placeholder"


@pytest.mark.parametrize("token, expected", [("rahasia-gateway", 200), ("salah", 403)])
def test_a_receipt_needs_the_providers_shared_secret(cast, token, expected):
    with schema_context(cast.village_a.schema_name):
        ChannelConfig.objects.create(
            channel=Channel.SMS, name="sms-gw", kind=ProviderKind.WEBHOOK,
            url="http://gw.invalid", receipt_secret="rahasia-gateway",
        )  # fmt: skip
        message = Message.objects.create(
            recipient_kind="resident", recipient_id="1", channel=Channel.SMS,
            template_key="letter.ready", body="x", status=MessageStatus.SENT,
            provider="sms-gw", provider_message_id="gw-77", idempotency_key="receipt-1",
            next_attempt_at="2026-01-01T00:00Z",
        )  # fmt: skip

    response = client_for(cast.village_a).post(
        "/api/notifications/receipts/sms-gw/",
        {"id": "gw-77", "status": "delivered"},
        content_type="application/json",
        HTTP_X_RECEIPT_TOKEN=token,
    )

    assert response.status_code == expected, response.content
    with schema_context(cast.village_a.schema_name):
        message.refresh_from_db()
    assert (message.status == MessageStatus.DELIVERED) == (expected == 200)
