"""Sending outbox messages: claim, send, record, retry, fall back; the sweep; receipts.

Every step is safe to run twice. A message is claimed with a conditional UPDATE
(created -> sending), so two workers holding the same task id list send it once; the
outcome is recorded with a conditional UPDATE from sending, so a late duplicate cannot
overwrite it. A worker killed between claim and record leaves the row in sending; the
sweep puts it back (or fails it after MAX_ATTEMPTS) once SENDING_TIMEOUT has passed.
"""

from __future__ import annotations

import hmac
import logging
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from balai.errors import BalaiError
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.notifications.dispatch import messages_enqueue, messages_enqueue_on_commit
from services.notifications.models import (
    Channel,
    ChannelConfig,
    InboxItem,
    Message,
    MessageStatus,
    NotificationTemplate,
    Preference,
)
from services.notifications.providers import (
    Accepted,
    EmailProvider,
    InAppProvider,
    Provider,
    ProviderPermanentError,
    ProviderTemporaryError,
    provider_for,
)
from services.notifications.templates import template_check

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = settings.BALAI_NOTIFY_RETRY_BASE_SECONDS
SENDING_TIMEOUT = timedelta(seconds=settings.BALAI_NOTIFY_SENDING_TIMEOUT_SECONDS)
# A retry's countdown must stay below the broker's visibility timeout, or Redis would
# hand the waiting task to a second worker while the first still holds it.
MAX_BACKOFF_SECONDS = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] // 2
BREAKER_FAILURES = 3
BREAKER_COOLDOWN_SECONDS = settings.BALAI_NOTIFY_BREAKER_COOLDOWN_SECONDS
# Waiting for the rate limiter inside the task up to this long; beyond it, come back later.
RATE_WAIT_MAX_SECONDS = 2.0
SWEEP_BATCH = 2000

_redis: redis.Redis | None = None


def _redis_client() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _redis


def backoff_seconds(attempts: int) -> int:
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


# -- circuit breaker and rate limit (Redis, per village and provider) ----------------------


def _key(provider: str, what: str) -> str:
    return f"balai:notify:{connection.schema_name}:{provider}:{what}"


def breaker_is_closed(provider: str) -> bool:
    """Closed, or half-open: the cool-down after opening has passed, let one through."""
    try:
        open_until = _redis_client().get(_key(provider, "open_until"))
    except redis.RedisError:
        return True
    return open_until is None or float(open_until) <= time.time()


def breaker_record(provider: str, *, ok: bool) -> None:
    client = _redis_client()
    try:
        if ok:
            client.delete(_key(provider, "failures"), _key(provider, "open_until"))
            return
        failures = client.incr(_key(provider, "failures"))
        client.expire(_key(provider, "failures"), 24 * 3600)
        if failures >= BREAKER_FAILURES:
            # Open (again, after a failed half-open probe) for one cool-down.
            client.set(
                _key(provider, "open_until"),
                time.time() + BREAKER_COOLDOWN_SECONDS,
                ex=max(BREAKER_COOLDOWN_SECONDS * 10, 60),
            )
    except redis.RedisError:
        log.warning("circuit breaker not updated", extra={"provider": provider})


_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or rate)
local stamp = tonumber(redis.call('HGET', KEYS[1], 'stamp') or now)
tokens = math.min(rate, tokens + (now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'stamp', now)
redis.call('EXPIRE', KEYS[1], 60)
return tostring(wait)
"""


def rate_limit_wait(provider: str, *, rate_per_second: int) -> float:
    """Take a token from the provider's bucket; the seconds to wait when there is none.

    One bucket per village and provider, shared by all workers (a Lua script, atomic)."""
    try:
        wait = _redis_client().eval(
            _BUCKET_SCRIPT, 1, _key(provider, "bucket"), max(rate_per_second, 1), time.time()
        )
    except redis.RedisError:
        return 0.0
    return float(wait)


# -- sending ---------------------------------------------------------------------------------


def messages_claim(*, message_ids: list[int]) -> list[Message]:
    """Claim the messages still waiting and due (created -> sending), in one statement.

    RETURNING tells exactly which rows this call claimed: a second task holding the same
    ids gets none of them, so nothing is sent twice."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Message._meta.db_table} SET status = %s, claimed_at = %s, "
            "attempts = attempts + 1, updated_at = %s "
            "WHERE id = ANY(%s) AND status = %s AND next_attempt_at <= %s RETURNING id",
            [MessageStatus.SENDING, now, now, list(message_ids), MessageStatus.CREATED, now],
        )
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return []
    return list(Message.objects.filter(pk__in=claimed).order_by("pk"))


def message_claim(*, message_id: int) -> Message | None:
    claimed = messages_claim(message_ids=[message_id])
    return claimed[0] if claimed else None


def _providers(channel: str) -> list[tuple[Provider, int]]:
    if channel == Channel.INAPP:
        return [(InAppProvider(), 0)]
    configs = list(ChannelConfig.objects.filter(channel=channel, enabled=True))
    if channel == Channel.EMAIL and not configs:
        return [(EmailProvider(None), 0)]
    return [(provider_for(c), c.rate_per_second) for c in configs]


def message_send(*, message_id: int) -> str:
    """Send one message if it is still waiting. Returns what happened (for logs/tests)."""
    message = message_claim(message_id=message_id)
    if message is None:
        return "skipped"
    return _deliver(message, providers=_providers(message.channel), healthy=set())


def messages_send(*, message_ids: list[int]) -> dict[str, int]:
    """Send a batch: one claim statement, providers loaded once per channel."""
    outcome: dict[str, int] = {}
    messages = messages_claim(message_ids=message_ids)
    if len(messages) < len(message_ids):
        outcome["skipped"] = len(message_ids) - len(messages)
    providers: dict[str, list[tuple[Provider, int]]] = {}
    # Providers that accepted a message in this batch: their breaker is closed, so the
    # batch skips reading and resetting it (two Redis round trips a message, measured
    # at ~2 ms each on a loaded machine).
    healthy: set[str] = set()
    for message in messages:
        if message.channel not in providers:
            providers[message.channel] = _providers(message.channel)
        result = _deliver(message, providers=providers[message.channel], healthy=healthy)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def _deliver(message: Message, *, providers: list[tuple[Provider, int]], healthy: set) -> str:
    available = [(p, r) for p, r in providers if p.name in healthy or breaker_is_closed(p.name)]
    if not providers:
        return _failed_for_good(message, reason=f"no provider configured for {message.channel}")
    if not available:
        return _failed_for_now(message, reason="every provider of this channel is failing")
    reasons = []
    for provider, rate in available:
        if rate:
            wait = rate_limit_wait(provider.name, rate_per_second=rate)
            if wait > RATE_WAIT_MAX_SECONDS:
                return _release(message, wait=wait)
            if wait:
                time.sleep(wait)
        try:
            accepted = provider.send(message)
        except ProviderTemporaryError as error:
            healthy.discard(provider.name)
            breaker_record(provider.name, ok=False)
            reasons.append(f"{provider.name}: {error}")
            continue  # fail over to the next provider of this channel
        except ProviderPermanentError as error:
            breaker_record(provider.name, ok=True)  # the gateway works; the message does not
            return _failed_for_good(message, reason=f"{provider.name}: {error}", provider=provider)
        if provider.name not in healthy:
            breaker_record(provider.name, ok=True)
            healthy.add(provider.name)
        return _accepted(message, provider=provider, accepted=accepted)
    return _failed_for_now(message, reason="; ".join(reasons))


def _from_sending(message: Message):
    return Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING)


def _accepted(message: Message, *, provider: Provider, accepted: Accepted) -> str:
    now = timezone.now()
    status = MessageStatus.DELIVERED if accepted.delivered else MessageStatus.SENT
    _from_sending(message).update(
        status=status,
        provider=provider.name,
        provider_message_id=accepted.provider_message_id,
        sent_at=now,
        finished_at=now if accepted.delivered else None,
        last_error="",
        updated_at=now,
    )
    return status


def _release(message: Message, *, wait: float) -> str:
    """Rate-limited: back to created without spending an attempt, and queued for later."""
    now = timezone.now()
    _from_sending(message).update(
        status=MessageStatus.CREATED,
        attempts=F("attempts") - 1,
        next_attempt_at=now + timedelta(seconds=wait),
        updated_at=now,
    )
    messages_enqueue(ids=[message.pk], schema_name=connection.schema_name, countdown=wait)
    return "rate_limited"


def _failed_for_now(message: Message, *, reason: str) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _failed_for_good(
            message, reason=f"gave up after {message.attempts} attempts: {reason}"
        )
    delay = backoff_seconds(message.attempts)
    now = timezone.now()
    _from_sending(message).update(
        status=MessageStatus.CREATED,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=reason[:500],
        updated_at=now,
    )
    messages_enqueue(ids=[message.pk], schema_name=connection.schema_name, countdown=delay)
    return "retry"


@transaction.atomic
def _failed_for_good(message: Message, *, reason: str, provider: Provider | None = None) -> str:
    now = timezone.now()
    updated = _from_sending(message).update(
        status=MessageStatus.FAILED,
        provider=provider.name if provider else message.provider,
        last_error=reason[:500],
        finished_at=now,
        updated_at=now,
    )
    if updated:
        message_fallback_create(message=message)
    return MessageStatus.FAILED


def message_fallback_create(*, message: Message) -> Message | None:
    """The next channel of the message's chain, as a new outbox row (idempotent by key)."""
    if not message.fallback:
        return None
    step, *rest = message.fallback
    base_key = message.idempotency_key.rsplit(":", 1)[0]
    following, created = Message.objects.get_or_create(
        idempotency_key=f"{base_key}:{step['channel']}",
        defaults={
            "event_id": message.event_id,
            "recipient_kind": message.recipient_kind,
            "recipient_id": message.recipient_id,
            "address": step.get("address", ""),
            "channel": step["channel"],
            "fallback": rest,
            "template_key": message.template_key,
            "language": message.language,
            "subject": message.subject,
            "body": message.body,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        messages_enqueue_on_commit(ids=[following.pk])
    return following


@transaction.atomic
def message_retry(*, message_id: int, actor) -> Message:
    """Send a failed message again: a staff member's "Kirim ulang" in the delivery log.

    The row goes back to created with a fresh set of attempts and is queued after commit,
    so the worker sends it through the usual claim, providers and fallback (the fallback
    row made when it failed is keyed, so failing again makes no second one). Only a failed
    message: one still on its way is left alone. The same idempotency key goes to the
    gateway again, so a gateway that accepted it before (and then reported it failed) may
    answer without delivering it a second time.
    """
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise BalaiError.single(
            "message", "not_found", "Pesan tidak ditemukan.", "Message not found.", status=404
        )
    if message.status != MessageStatus.FAILED:
        raise BalaiError.single(
            "message",
            "not_failed",
            "Hanya pesan yang gagal yang dapat dikirim ulang.",
            "Only a failed message can be sent again.",
            status=409,
        )
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.CREATED,
        attempts=0,
        next_attempt_at=now,
        claimed_at=None,
        # A late receipt for the failed attempt must not move the new one.
        provider_message_id="",
        finished_at=None,
        updated_at=now,
    )
    # The message carries the recipient's address and text: who had it sent again is kept.
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="notification_message",
        object_id=message.pk,
        fields=["status"],
        detail={"retry": True, "channel": message.channel},
    )
    messages_enqueue_on_commit(ids=[message.pk])
    message.refresh_from_db()
    return message


# -- the sweep ---------------------------------------------------------------------------------


def messages_sweep() -> dict[str, int]:
    """Finish what is stuck and queue what waits: the safety net behind on_commit queueing.

    Sending for longer than SENDING_TIMEOUT means the worker died mid-send: the message
    goes back to created (sent again with the same idempotency key) or, out of attempts,
    fails for good. Created messages due for a while are queued again; a duplicate task
    is harmless, the claim lets one through."""
    now = timezone.now()
    stuck_before = now - SENDING_TIMEOUT
    stuck = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=stuck_before)
    reset = stuck.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=MessageStatus.CREATED, next_attempt_at=now, updated_at=now
    )
    gave_up = 0
    for message in stuck.filter(attempts__gte=MAX_ATTEMPTS)[:SWEEP_BATCH]:
        with transaction.atomic():
            if (
                _from_sending(message)
                .filter(claimed_at__lt=stuck_before)
                .update(
                    status=MessageStatus.FAILED,
                    last_error="stuck in sending: no result from the worker",
                    finished_at=now,
                    updated_at=now,
                )
            ):
                message_fallback_create(message=message)
                gave_up += 1
    # Created messages whose own task should have run by now (a quarter of the sending
    # timeout after they were due): their queueing failed, or the task was lost.
    due = list(
        Message.objects.filter(
            status=MessageStatus.CREATED, next_attempt_at__lte=now - SENDING_TIMEOUT / 4
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if reset:
        due += list(
            Message.objects.filter(status=MessageStatus.CREATED, next_attempt_at=now).values_list(
                "pk", flat=True
            )[:SWEEP_BATCH]
        )
    due = sorted(set(due))
    queued = len(due) if messages_enqueue(ids=due, schema_name=connection.schema_name) else 0
    return {"reset": reset, "failed": gave_up, "queued": queued}


# -- receipts, preferences ---------------------------------------------------------------------

RECEIPT_STATUSES = {"delivered": MessageStatus.DELIVERED, "failed": MessageStatus.FAILED}


def receipt_token_valid(*, config: ChannelConfig, token: str) -> bool:
    secret = config.receipt_secret
    return bool(secret) and hmac.compare_digest(secret.encode(), token.encode())


@transaction.atomic
def message_receipt(
    *, provider: str, provider_message_id: str, status: str, reason: str = ""
) -> bool:
    """A gateway's delivery receipt. Moves a message only forward (sending/sent ->
    delivered/failed); a receipt for a message already final changes nothing."""
    new_status = RECEIPT_STATUSES.get(status)
    if new_status is None or not provider_message_id:
        return False
    now = timezone.now()
    message = (
        Message.objects.select_for_update()
        .filter(
            provider=provider,
            provider_message_id=provider_message_id,
            status__in=[MessageStatus.SENDING, MessageStatus.SENT],
        )
        .first()
    )
    if message is None:
        return False
    Message.objects.filter(pk=message.pk).update(
        status=new_status,
        finished_at=now,
        last_error=reason[:500] if new_status == MessageStatus.FAILED else message.last_error,
        updated_at=now,
    )
    if new_status == MessageStatus.FAILED:
        message_fallback_create(message=message)
    return True


@transaction.atomic
def preference_set(
    *,
    recipient_kind: str,
    recipient_id: str,
    channels: list[str],
    announcements: bool,
    language: str,
) -> Preference:
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise BalaiError.single(
            "channels",
            "unknown_channel",
            f"Saluran tidak dikenal: {', '.join(unknown)}.",
            f"Unknown channels: {', '.join(unknown)}.",
        )
    if language not in ("id", "en"):
        raise BalaiError.single(
            "language", "unknown_language", "Bahasa harus id atau en.", "Language must be id or en."
        )
    preference, _ = Preference.objects.update_or_create(
        recipient_kind=recipient_kind,
        recipient_id=recipient_id,
        defaults={"channels": channels, "announcements": announcements, "language": language},
    )
    return preference


@transaction.atomic
def template_set(*, key: str, channel: str, language: str, subject: str, body: str):
    """A village's own wording for one event (and channel, or every channel: "")."""
    template_check(key=key, text=subject + "\n" + body)
    if channel and channel not in Channel.values:
        raise BalaiError.single(
            "channel", "unknown_channel", "Saluran tidak dikenal.", "Unknown channel."
        )
    template, _ = NotificationTemplate.objects.update_or_create(
        key=key, channel=channel, language=language, defaults={"subject": subject, "body": body}
    )
    return template


@transaction.atomic
def inbox_item_read(*, item: InboxItem) -> InboxItem:
    InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    item.refresh_from_db(fields=["read_at"])
    return item
