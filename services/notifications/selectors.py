"""Reads of notifications shared by the pages: a person's inbox and preferences, the log.

Inbox items are always fetched with their owner (kind and id), so another person's item
id finds nothing.
"""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from services.notifications.models import InboxItem, Message, Preference


def inbox_items_for(*, recipient_kind: str, recipient_id: str) -> QuerySet[InboxItem]:
    """Unread first, then newest first."""
    return InboxItem.objects.filter(
        recipient_kind=recipient_kind, recipient_id=recipient_id
    ).order_by(F("read_at").asc(nulls_first=True), "-id")


def inbox_item_get_for(*, item_id: int, recipient_kind: str, recipient_id: str) -> InboxItem | None:
    return InboxItem.objects.filter(
        pk=item_id, recipient_kind=recipient_kind, recipient_id=recipient_id
    ).first()


def inbox_unread_count(*, recipient_kind: str, recipient_id: str) -> int:
    return InboxItem.objects.filter(
        recipient_kind=recipient_kind, recipient_id=recipient_id, read_at__isnull=True
    ).count()


def preference_for(*, recipient_kind: str, recipient_id: str) -> Preference:
    """The stored preference, or the defaults (every channel, announcements, Indonesian)."""
    found = Preference.objects.filter(recipient_kind=recipient_kind, recipient_id=recipient_id)
    return found.first() or Preference(recipient_kind=recipient_kind, recipient_id=recipient_id)


def messages_log(*, status: str = "", channel: str = "") -> QuerySet[Message]:
    messages = Message.objects.all()
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages


def message_status_counts() -> dict[str, int]:
    rows = Message.objects.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
