"""Notifications from events to providers, in-process: the outbox row commits with the
event, the adapters talk to a local HTTP gateway and a local SMTP server, failures are
retried, recorded or fall back, and receipts move a message only forward."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.errors import BalaiError
from services.events.services import event_record
from services.notifications import services
from services.notifications.models import (
    Channel,
    ChannelConfig,
    InboxItem,
    Message,
    MessageStatus,
    NotificationTemplate,
    Preference,
    ProviderKind,
)
from tests.factories import ResidentFactory
from tests.notifications_support import FakeGateway, SmtpInbox


@pytest.fixture
def gateway():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def second_gateway():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def village(cast):
    with schema_context(cast.village_a.schema_name):
        cast.resident_a.phone = "081234567890"
        cast.resident_a.save(update_fields=["phone"])
        yield cast


def _whatsapp(gateway, *, name="wa-utama", priority=1, channel=Channel.WHATSAPP):
    return ChannelConfig.objects.create(
        channel=channel,
        name=name,
        kind=ProviderKind.WEBHOOK,
        url=gateway.url,
        priority=priority,
        timeout_seconds=0.5,
    )


def _letter_ready(resident_id: int):
    return event_record(
        name="letter.status_changed",
        payload={"letter_id": 1, "resident_id": resident_id, "letter_type": "SKD", "to": "ready"},
    )


def _send(message: Message) -> str:
    return services.message_send(message_id=message.pk)


def test_the_outbox_row_is_written_in_the_events_transaction(village):
    # given a village that sends WhatsApp
    ChannelConfig.objects.create(
        channel=Channel.WHATSAPP, name="wa", kind=ProviderKind.WEBHOOK, url="http://gw.invalid"
    )

    # (committed tests elsewhere may have left messages: count, do not expect none)
    before = Message.objects.count()

    # when the change that records the event is rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        _letter_ready(village.resident_a.pk)
        raise RuntimeError("the change fails")

    # then no message is left behind; and when it commits, the message is there with it
    assert Message.objects.count() == before
    with transaction.atomic():
        event = _letter_ready(village.resident_a.pk)
    message = Message.objects.get(event_id=event.pk)
    assert message.template_key == "letter.ready"
    assert message.channel == Channel.WHATSAPP
    assert message.address == "081234567890"
    assert [step["channel"] for step in message.fallback] == [Channel.INAPP]
    assert message.status == MessageStatus.CREATED
    assert "siap" in message.body


def test_a_message_goes_to_the_gateway_once_with_its_idempotency_key(village, gateway):
    _whatsapp(gateway)
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)

    # when the send task runs twice for the same message
    assert _send(message) == MessageStatus.SENT
    assert _send(message) == "skipped"

    # then the gateway saw one request, keyed, and we kept its message id
    assert gateway.keys() == [message.idempotency_key]
    assert gateway.requests[0]["body"]["to"] == "081234567890"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider == "wa-utama"
    assert message.provider_message_id == "gw-1"


def test_a_permanent_failure_is_recorded_with_the_reason_and_falls_back_to_the_inbox(
    village, gateway
):
    _whatsapp(gateway)
    gateway.mode = "400"
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)

    assert _send(message) == MessageStatus.FAILED

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "nomor tidak terdaftar" in message.last_error
    fallback = Message.objects.get(event_id=message.event_id, channel=Channel.INAPP)
    assert _send(fallback) == MessageStatus.DELIVERED
    item = InboxItem.objects.get(message=fallback)
    assert item.recipient_id == str(village.resident_a.pk)


@pytest.mark.parametrize("mode", ["500", "timeout"])
def test_a_temporary_failure_is_retried_later_with_backoff(village, gateway, mode):
    _whatsapp(gateway)
    gateway.mode = mode
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)

    assert _send(message) == "retry"

    message.refresh_from_db()
    assert message.status == MessageStatus.CREATED
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert message.last_error
    # not due yet: a duplicate task does not send it early
    assert _send(message) == "skipped"
    assert services.backoff_seconds(2) == 2 * services.backoff_seconds(1)
    assert services.backoff_seconds(50) < services.MAX_BACKOFF_SECONDS + 1


def test_a_message_that_keeps_failing_temporarily_fails_for_good_after_max_attempts(
    village, gateway
):
    _whatsapp(gateway)
    gateway.mode = "500"
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    for _ in range(services.MAX_ATTEMPTS):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        services.breaker_record("wa-utama", ok=True)
        _send(message)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "gave up after 5 attempts" in message.last_error
    assert Message.objects.filter(event_id=message.event_id, channel=Channel.INAPP).exists()


def test_traffic_moves_to_the_second_provider_and_back_when_the_first_recovers(
    village, gateway, second_gateway, monkeypatch
):
    # given two WhatsApp gateways, the first one failing
    _whatsapp(gateway, name="wa-satu", priority=1)
    _whatsapp(second_gateway, name="wa-dua", priority=2)
    services.breaker_record("wa-satu", ok=True)
    gateway.mode = "500"
    residents = [ResidentFactory(phone=f"08120000000{i}") for i in range(5)]
    with transaction.atomic():
        event = event_record(name="announcement.published", payload={"article_id": 0})
    messages = list(Message.objects.filter(event_id=event.pk, channel=Channel.WHATSAPP))
    assert len(messages) == len(residents) + 1

    # when messages are sent while the first keeps failing
    for message in messages[:5]:
        assert _send(message) == MessageStatus.SENT

    # then after three failures the breaker is open: the first is no longer tried
    assert len(gateway.requests) == services.BREAKER_FAILURES
    assert len(second_gateway.delivered) == 5
    assert not services.breaker_is_closed("wa-satu")

    # and when the cool-down has passed and the first has recovered, traffic comes back
    gateway.mode = "ok"
    monkeypatch.setattr(services, "BREAKER_COOLDOWN_SECONDS", 0)
    services.breaker_record("wa-satu", ok=False)  # re-open with a cool-down of zero
    assert _send(messages[5]) == MessageStatus.SENT
    assert len(gateway.delivered) == 1
    assert services.breaker_is_closed("wa-satu")
    services.breaker_record("wa-satu", ok=True)


def test_an_announcement_reaches_only_residents_who_did_not_opt_out(village):
    opted_out = ResidentFactory(phone="0812111")
    ResidentFactory(phone="0812222")
    Preference.objects.create(
        recipient_kind="resident", recipient_id=str(opted_out.pk), announcements=False
    )
    english = ResidentFactory()
    Preference.objects.create(
        recipient_kind="resident", recipient_id=str(english.pk), language="en"
    )

    with transaction.atomic():
        event = event_record(name="announcement.published", payload={"article_id": 0})

    recipients = set(
        Message.objects.filter(event_id=event.pk).values_list("recipient_id", flat=True)
    )
    assert str(opted_out.pk) not in recipients
    assert {str(village.resident_a.pk), str(english.pk)} <= recipients
    # no phone, no gateway configured: the inbox only, in the language asked for
    message = Message.objects.get(event_id=event.pk, recipient_id=str(english.pk))
    assert message.channel == Channel.INAPP
    assert message.body.startswith("Announcement from")


def test_a_village_can_reword_a_template(village):
    NotificationTemplate.objects.create(
        key="letter.ready", language="id", body="Surat {{ jenis_surat }} bisa diambil, Pak/Bu."
    )
    with transaction.atomic():
        event = _letter_ready(village.resident_a.pk)
    assert Message.objects.get(event_id=event.pk).body == "Surat SKD bisa diambil, Pak/Bu."


def test_an_escalated_complaint_is_emailed_to_the_supervisors_over_smtp(village):
    inbox = SmtpInbox().start()
    try:
        ChannelConfig.objects.create(
            channel=Channel.EMAIL, name="smtp-desa", kind=ProviderKind.EMAIL, url=inbox.url
        )
        village.carol.email = "carol@kecamatan.example"
        village.carol.save(update_fields=["email"])
        with transaction.atomic():
            event = event_record(
                name="complaint.escalated",
                payload={"complaint_id": 0, "village_code": village.village_a.region_id},
            )
        message = Message.objects.get(event_id=event.pk, recipient_id=str(village.carol.pk))
        assert message.channel == Channel.EMAIL

        assert _send(message) == MessageStatus.SENT

        assert [m.rcpt_tos for m in inbox.messages] == [["carol@kecamatan.example"]]
        assert b"dieskalasi" in inbox.messages[0].content
        # dave supervises another kecamatan: not told
        assert not Message.objects.filter(event_id=event.pk, recipient_id=str(village.dave.pk))
    finally:
        inbox.stop()


def test_a_refused_email_address_is_a_permanent_failure_with_the_smtp_reason(village):
    inbox = SmtpInbox(refuse={"carol@kecamatan.example"}).start()
    try:
        ChannelConfig.objects.create(
            channel=Channel.EMAIL, name="smtp-desa", kind=ProviderKind.EMAIL, url=inbox.url
        )
        village.carol.email = "carol@kecamatan.example"
        village.carol.save(update_fields=["email"])
        with transaction.atomic():
            event = event_record(
                name="complaint.escalated",
                payload={"complaint_id": 0, "village_code": village.village_a.region_id},
            )
        message = Message.objects.get(event_id=event.pk, recipient_id=str(village.carol.pk))

        assert _send(message) == MessageStatus.FAILED

        message.refresh_from_db()
        assert "550" in message.last_error
    finally:
        inbox.stop()


def test_receipts_move_a_message_only_forward(village, gateway):
    _whatsapp(gateway)
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    _send(message)

    assert services.message_receipt(
        provider="wa-utama", provider_message_id="gw-1", status="delivered"
    )
    # a late "failed" receipt for a delivered message changes nothing
    assert not services.message_receipt(
        provider="wa-utama", provider_message_id="gw-1", status="failed", reason="late"
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.last_error == ""


def test_the_sweep_takes_back_a_message_stuck_in_sending(
    village, gateway, django_capture_on_commit_callbacks
):
    _whatsapp(gateway)
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    stuck_since = timezone.now() - services.SENDING_TIMEOUT * 2
    services.message_claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(claimed_at=stuck_since)
    out_of_attempts = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    Message.objects.filter(pk=out_of_attempts.pk).update(
        status=MessageStatus.SENDING, claimed_at=stuck_since, attempts=services.MAX_ATTEMPTS
    )

    outcome = services.messages_sweep()

    assert outcome["reset"] == 1 and outcome["failed"] == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.CREATED
    assert _send(message) == MessageStatus.SENT
    out_of_attempts.refresh_from_db()
    assert out_of_attempts.status == MessageStatus.FAILED
    assert "stuck in sending" in out_of_attempts.last_error


def test_preferences_refuse_an_unknown_channel(village):
    from balai.errors import BalaiError

    with pytest.raises(BalaiError) as error:
        services.preference_set(
            recipient_kind="resident",
            recipient_id="1",
            channels=["telegram"],
            announcements=True,
            language="id",
        )
    assert error.value.errors[0].code == "unknown_channel"


def test_a_provider_rate_limit_holds_back_what_exceeds_it(village, gateway, monkeypatch):
    # given a gateway allowed one message a second, and no patience for waiting
    config = _whatsapp(gateway, name="wa-lambat")
    config.rate_per_second = 1
    config.save(update_fields=["rate_per_second"])
    monkeypatch.setattr(services, "RATE_WAIT_MAX_SECONDS", 0)
    village.resident_a.refresh_from_db()
    other = ResidentFactory(phone="0812999")
    first = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    second = Message.objects.get(event_id=_letter_ready(other.pk).pk)
    services.rate_limit_wait("wa-lambat", rate_per_second=1_000_000)  # reset the bucket

    # when two messages are sent at once
    outcome = services.messages_send(message_ids=[first.pk, second.pk])

    # then one goes, the other waits for its turn without spending an attempt
    assert outcome == {MessageStatus.SENT: 1, "rate_limited": 1}
    assert len(gateway.requests) == 1
    held = Message.objects.get(status=MessageStatus.CREATED, pk__in=[first.pk, second.pk])
    assert held.attempts == 0
    assert held.next_attempt_at > timezone.now()


def test_a_batch_task_refuses_to_run_without_its_village(cast):
    from django.db import connection

    from balai.celery_app import VillageContextMissingError
    from services.notifications.tasks import send_batch

    connection.set_schema_to_public()
    with pytest.raises(VillageContextMissingError):
        send_batch.apply_async(args=[[1]])


# -- sending a failed message again (the delivery log's "Kirim ulang") -------------------------


def test_a_failed_message_is_sent_again_once_the_gateway_recovers(village, gateway):
    from services.audit.models import AuditEntry

    # given: a message the gateway refused for good, which fell back to the inbox
    _whatsapp(gateway)
    gateway.mode = "400"
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    assert _send(message) == MessageStatus.FAILED
    gateway.mode = "ok"
    # when: staff send it again
    with transaction.atomic():
        retried = services.message_retry(message_id=message.pk, actor=village.alice)
    # then: it waits for the worker with fresh attempts, and is sent
    assert retried.status == MessageStatus.CREATED
    assert retried.attempts == 0
    assert _send(retried) == MessageStatus.SENT
    retried.refresh_from_db()
    assert retried.status == MessageStatus.SENT and retried.provider_message_id == "gw-1"
    assert retried.last_error == ""
    # failing before made one inbox fallback; sending again makes no second one
    assert Message.objects.filter(event_id=message.event_id, channel=Channel.INAPP).count() == 1
    entry = AuditEntry.objects.get(object_type="notification_message", object_id=str(message.pk))
    assert entry.actor_id == village.alice.pk and entry.action == "update"


def test_failing_again_after_a_retry_makes_no_second_fallback(village, gateway):
    _whatsapp(gateway)
    gateway.mode = "400"
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    _send(message)
    services.message_retry(message_id=message.pk, actor=village.alice)
    assert _send(message) == MessageStatus.FAILED
    assert Message.objects.filter(event_id=message.event_id, channel=Channel.INAPP).count() == 1


@pytest.mark.parametrize(
    "status", [MessageStatus.CREATED, MessageStatus.SENT, MessageStatus.DELIVERED]
)
def test_only_a_failed_message_can_be_sent_again(village, status):
    message = Message.objects.get(event_id=_letter_ready(village.resident_a.pk).pk)
    Message.objects.filter(pk=message.pk).update(status=status, attempts=2)
    with pytest.raises(BalaiError) as refused:
        services.message_retry(message_id=message.pk, actor=village.alice)
    [error] = refused.value.errors
    assert refused.value.status == 409
    assert error.message == "Hanya pesan yang gagal yang dapat dikirim ulang."
    assert error.message_en == "Only a failed message can be sent again."
    message.refresh_from_db()
    assert message.status == status and message.attempts == 2


def test_retrying_an_unknown_message_is_not_found(village):
    with pytest.raises(BalaiError) as refused:
        services.message_retry(message_id=987654321, actor=village.alice)
    assert refused.value.status == 404
