"""From domain events to outbox messages, inside the event's own transaction.

services.events calls :func:`messages_from_event` from ``event_record``, so a message row
commits with the change that causes it or not at all. Each row's idempotency key is
``<schema>:<event id>:<recipient>:<channel>``: unique in the table and sent to the gateway,
so neither we nor a gateway that honours it sends one message twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from balai.accounts.models import SupervisorScope, User
from services.complaints.models import Complaint, ComplaintStatus
from services.events.models import DomainEvent
from services.letters.models import LetterStatus, LetterType
from services.news.models import Article
from services.notifications.dispatch import messages_enqueue_on_commit
from services.notifications.models import (
    Channel,
    ChannelConfig,
    Message,
    Preference,
    RecipientKind,
)
from services.notifications.templates import TemplateBook
from services.residents.models import Resident
from services.residents.reference import ResidentStatus
from services.village.models import VillageProfile

RESIDENT_CHAIN = [Channel.WHATSAPP, Channel.SMS, Channel.INAPP]
PHONE_CHANNELS = {Channel.WHATSAPP, Channel.SMS}
HANDLED_EVENTS = {
    "letter.status_changed",
    "complaint.status_changed",
    "complaint.replied",
    "announcement.published",
    "complaint.escalated",
}


@dataclass
class Recipient:
    kind: str
    id: str
    phone: str = ""
    email: str = ""
    chain: list[str] = field(default_factory=list)
    language: str = "id"

    def address_for(self, channel: str) -> str:
        if channel in PHONE_CHANNELS:
            return self.phone
        if channel == Channel.EMAIL:
            return self.email
        return ""


def channels_configured() -> set[str]:
    """Channels this village can send on: in-app and email always, phones when configured."""
    configured = set(
        ChannelConfig.objects.filter(enabled=True).values_list("channel", flat=True).distinct()
    )
    return configured | {Channel.INAPP, Channel.EMAIL}


def chain_for(
    *, wanted: Iterable[str], phone: str, email: str, accepted: list[str], configured: set[str]
) -> list[str]:
    """The channels to try in order: the ones the person can receive and accepts.

    In-app is kept even when not listed as accepted: it is the person's own inbox and the
    last resort of every chain that has it."""
    chain = []
    for channel in wanted:
        if channel not in configured:
            continue
        if channel in PHONE_CHANNELS and not phone:
            continue
        if channel == Channel.EMAIL and not email:
            continue
        if accepted and channel not in accepted and channel != Channel.INAPP:
            continue
        chain.append(channel)
    return chain


def _preferences(kind: str, ids: list[str] | None = None) -> dict[str, Preference]:
    rows = Preference.objects.filter(recipient_kind=kind)
    if ids is not None:
        rows = rows.filter(recipient_id__in=ids)
    return {p.recipient_id: p for p in rows}


def _resident_recipients(
    resident_ids: list[int] | None, *, configured: set[str], announcements: bool = False
) -> list[Recipient]:
    residents = Resident.objects.filter(status=ResidentStatus.ALIVE)
    if resident_ids is not None:
        residents = residents.filter(pk__in=resident_ids)
    prefs = _preferences(
        RecipientKind.RESIDENT, None if resident_ids is None else [str(i) for i in resident_ids]
    )
    found = []
    for pk, phone in residents.values_list("pk", "phone").iterator(chunk_size=2000):
        pref = prefs.get(str(pk))
        if announcements and pref is not None and not pref.announcements:
            continue
        chain = chain_for(
            wanted=RESIDENT_CHAIN,
            phone=phone,
            email="",
            accepted=pref.channels if pref else [],
            configured=configured,
        )
        found.append(
            Recipient(
                kind=RecipientKind.RESIDENT,
                id=str(pk),
                phone=phone,
                chain=chain,
                language=pref.language if pref else "id",
            )
        )
    return found


def _complaint_recipients(complaint_id: int, *, configured: set[str]) -> tuple[list, dict]:
    complaint = (
        Complaint.objects.filter(pk=complaint_id)
        .values("tracking_code", "status", "resident_id", "reporter_phone", "reporter_email")
        .first()
    )
    if complaint is None:
        return [], {}
    context = {"kode": complaint["tracking_code"], "status": complaint["status"]}
    if complaint["resident_id"]:
        return _resident_recipients([complaint["resident_id"]], configured=configured), context
    phone, email = complaint["reporter_phone"], complaint["reporter_email"]
    chain = chain_for(
        wanted=[Channel.WHATSAPP, Channel.SMS, Channel.EMAIL],
        phone=phone,
        email=email,
        accepted=[],
        configured=configured,
    )
    reporter = Recipient(
        kind=RecipientKind.REPORTER, id=complaint["tracking_code"], phone=phone, email=email
    )
    reporter.chain = chain
    return [reporter], context


def _supervisor_recipients(region_code: str) -> list[Recipient]:
    """Supervisors of the village's kecamatan and kabupaten (global users, public schema)."""
    parts = region_code.split(".")
    regions = {".".join(parts[:n]) for n in range(1, len(parts))}
    user_ids = SupervisorScope.objects.filter(region_id__in=regions).values_list("user_id")
    return [
        Recipient(kind=RecipientKind.SUPERVISOR, id=str(pk), email=email, chain=[Channel.EMAIL])
        for pk, email in User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    ]


def _letter_type_name(code: str) -> str:
    return LetterType.objects.filter(code=code).values_list("name", flat=True).first() or code


def _status_label(model_status_choices, value: str) -> str:
    return str(dict(model_status_choices).get(value, value))


def messages_from_event(event: DomainEvent) -> list[Message]:
    """Write the outbox rows an event causes (called inside the event's transaction)."""
    if event.name not in HANDLED_EVENTS:
        return []
    payload = event.payload
    configured = channels_configured()
    profile = VillageProfile.objects.filter(id=1).values("name", "region_code").first() or {}
    context = {"nama_desa": profile.get("name", "")}
    key = event.name
    if event.name == "letter.status_changed":
        context["jenis_surat"] = _letter_type_name(payload.get("letter_type", ""))
        context["status"] = _status_label(LetterStatus.choices, payload.get("to", ""))
        if payload.get("to") == LetterStatus.READY:
            key = "letter.ready"
        recipients = _resident_recipients([payload["resident_id"]], configured=configured)
    elif event.name in ("complaint.status_changed", "complaint.replied"):
        if event.name == "complaint.replied" and not payload.get("public", True):
            return []  # an internal note is not news for the resident
        recipients, extra = _complaint_recipients(payload["complaint_id"], configured=configured)
        context.update(extra)
        context["status"] = _status_label(
            ComplaintStatus.choices, payload.get("to", context.get("status", ""))
        )
    elif event.name == "announcement.published":
        context["judul"] = (
            Article.objects.filter(pk=payload["article_id"]).values_list("title", flat=True).first()
            or ""
        )
        recipients = _resident_recipients(None, configured=configured, announcements=True)
    else:  # complaint.escalated
        context["kode"] = (
            Complaint.objects.filter(pk=payload["complaint_id"])
            .values_list("tracking_code", flat=True)
            .first()
            or ""
        )
        recipients = _supervisor_recipients(
            payload.get("village_code") or profile.get("region_code", "")
        )
    return messages_create(event_id=event.pk, key=key, recipients=recipients, context=context)


def messages_create(
    *, event_id: int | None, key: str, recipients: list[Recipient], context: dict
) -> list[Message]:
    book = TemplateBook([key])
    now = timezone.now()
    schema = connection.schema_name
    rows = []
    for recipient in recipients:
        if not recipient.chain:
            continue
        channel, *fallback = recipient.chain
        subject, body = book.render(
            key=key, channel=channel, language=recipient.language, context=context
        )
        rows.append(
            Message(
                event_id=event_id,
                recipient_kind=recipient.kind,
                recipient_id=recipient.id,
                address=recipient.address_for(channel),
                channel=channel,
                fallback=[{"channel": c, "address": recipient.address_for(c)} for c in fallback],
                template_key=key,
                language=recipient.language,
                subject=subject,
                body=body,
                idempotency_key=f"{schema}:{event_id}:{recipient.kind}:{recipient.id}:{channel}",
                next_attempt_at=now,
            )
        )
    # The event is new in this transaction, so its keys cannot clash yet: a plain insert
    # that returns the ids (1,000 rows a statement; 10,000 residents ~ 10 statements).
    created = Message.objects.bulk_create(rows, batch_size=1000)
    messages_enqueue_on_commit(ids=[m.pk for m in created])
    return created
