"""Writing the audit log. Run with the village schema active.

Other services call :func:`audit_record` inside their own transaction, so the entry
commits with the change it describes, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from services.audit.models import ActorKind, AuditEntry


def actor_identity(actor: Any) -> tuple[str, int | None]:
    """(kind, id) of a request principal: a global user, a resident, or the system."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ActorKind.SYSTEM, None
    if getattr(actor, "is_resident", False):
        return ActorKind.RESIDENT, actor.resident_id
    return ActorKind.USER, actor.pk


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: int | str | None = None,
    fields: Iterable[str] = (),
    detail: dict | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` (an AuditAction value) to an object.

    ``actor`` is ``request.user`` (a global User or a ResidentPrincipal) or None for the
    system. ``fields`` are field *names*; ``detail`` must hold no personal values
    (counts, codes, filter names), because the log is read by more people than the data.
    """
    kind, actor_id = actor_identity(actor)
    entry = AuditEntry(
        actor_kind=kind,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        fields=sorted(set(fields)),
        detail=detail or {},
    )
    if connection.in_atomic_block:
        # A change: the entry commits (durably) with it, or not at all.
        entry.save(force_insert=True)
        return entry
    # A read (a view, a list, a print): its entry is the only write of the request, and
    # waiting for the WAL flush of that commit was the largest single statement of a list
    # request on a busy disk (7-17 ms, bench/results/registry.md). So it commits
    # asynchronously: PostgreSQL crashing can lose the last few hundred milliseconds of
    # read entries, never reorder or corrupt them. set_config(..., true) inside the
    # INSERT itself keeps it one statement in its own (autocommit) transaction.
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
            INSERT INTO {connection.ops.quote_name(AuditEntry._meta.db_table)}
                (actor_kind, actor_id, action, object_type, object_id, fields, detail,
                 created_at)
            SELECT %s, %s, %s, %s, %s, %s, %s, %s FROM async_commit
            RETURNING id
            """,
            [
                entry.actor_kind,
                entry.actor_id,
                entry.action,
                entry.object_type,
                entry.object_id,
                Jsonb(entry.fields),
                Jsonb(entry.detail),
                now,
            ],
        )
        entry.pk = cursor.fetchone()[0]
    entry.created_at = now
    return entry
