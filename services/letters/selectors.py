"""Reads of the letters service, shared by the API and (later) the pages.

Letters are reached only through these functions: staff see every letter of the village
whose schema is active, a resident only letters about themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from services.letters.models import Letter, LetterSettings, LetterStatus, LetterType
from services.letters.services import letter_role_may_sign


def letter_types_list(*, resident_view: bool = False) -> QuerySet[LetterType]:
    types = LetterType.objects.order_by("name", "id")
    if resident_view:
        types = types.filter(is_active=True)
    return types


def letter_type_get(*, code: str) -> LetterType:
    letter_type = LetterType.objects.filter(code=code).first()
    if letter_type is None:
        raise BalaiError.single(
            "letter_type",
            "unknown_letter_type",
            f"Jenis surat tidak dikenal: {code}.",
            f"Unknown letter type: {code}.",
            status=404,
        )
    return letter_type


def letters_for_staff(
    *,
    status: str | None = None,
    type_code: str | None = None,
    search: str | None = None,
    statuses: Iterable[str] | None = None,
) -> QuerySet[Letter]:
    letters = Letter.objects.select_related("letter_type", "resident").order_by(
        "-created_at", "-id"
    )
    if status:
        letters = letters.filter(status=status)
    if statuses is not None:
        letters = letters.filter(status__in=list(statuses))
    if type_code:
        letters = letters.filter(letter_type__code=type_code)
    if search:
        search = search.strip()
        if search.isdigit():
            letters = letters.filter(Q(resident__nik=search) | Q(number__startswith=search))
        else:
            letters = letters.filter(
                Q(resident__full_name__icontains=search) | Q(number__icontains=search)
            )
    return letters


def letters_for_resident(*, resident_id: int) -> QuerySet[Letter]:
    return (
        Letter.objects.select_related("letter_type", "resident")
        .filter(resident_id=resident_id)
        .order_by("-created_at", "-id")
    )


def letter_get_for_user(*, user: Any, letter_id: int) -> Letter:
    """One letter the user may see: any of the village's for staff, their own for a resident.

    Callers have already checked that ``user`` is staff of this village or its resident.
    """
    letters = Letter.objects.select_related("letter_type", "resident")
    if getattr(user, "is_resident", False):
        letters = letters.filter(resident_id=user.resident_id)
    letter = letters.filter(pk=letter_id).first()
    if letter is None:
        raise BalaiError.single(
            "letter", "not_found", "Surat tidak ditemukan.", "Letter not found.", status=404
        )
    return letter


def letter_verification(*, token: str) -> dict:
    """What the public verification page shows: no personal data beyond a masked name."""
    letter = (
        Letter.objects.filter(token=token)
        .exclude(token__isnull=True)
        .only("status", "issued")
        .first()
    )
    if letter is None:
        return {"status": "unknown"}
    issued = letter.issued
    return {
        "status": "revoked" if letter.status == LetterStatus.REVOKED else "valid",
        "number": issued["number"],
        "letter_type": issued["type_name"],
        "date": issued["date"],
        "date_text": issued["date_text"],
        "valid_until": issued["valid_until"],
        "signer": issued["signer"]["name"],
        "signer_position": " ".join(
            part for part in (issued["signer"]["on_behalf"], issued["signer"]["position"]) if part
        ),
        "name": issued["masked_name"],
        "village": issued["village"]["name"],
        # The reason for a revocation is staff-written and may name people: not shown here.
    }


def letter_stats() -> dict:
    """Counts and durations only, no personal data: what supervisors' roll-ups may copy.

    Durations are from the request to the signature, in hours (median and 90th percentile),
    over every signed letter of the village.
    """
    by_status = dict(
        Letter.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    by_type = dict(
        Letter.objects.values_list("letter_type__code")
        .annotate(n=Count("id"))
        .values_list("letter_type__code", "n")
    )
    table = Letter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
            FROM (SELECT extract(epoch FROM signed_at - created_at) / 3600.0 AS hours
                  FROM {table} WHERE signed_at IS NOT NULL) AS signed
            """
        )
        signed, median_hours, p90_hours = cursor.fetchone()
    return {
        "by_status": by_status,
        "by_type": by_type,
        "signed": signed,
        "hours_to_sign": {
            "median": None if median_hours is None else round(median_hours, 2),
            "p90": None if p90_hours is None else round(p90_hours, 2),
        },
    }


def letters_waiting_for(*, role: str) -> dict[str, Any]:
    """How many letters wait for a step this role may take: verifying new requests (any
    staff) and signing verified ones (only roles that may sign, as letter_sign decides)."""
    counts = dict(
        Letter.objects.filter(status__in=(LetterStatus.REQUESTED, LetterStatus.VERIFIED))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    # Read, not get_or_create: a page view writes nothing. No row yet means the default.
    options = LetterSettings.objects.filter(id=1).first() or LetterSettings(
        signer_roles=[StaffRole.KEPALA_DESA]
    )
    may_sign = letter_role_may_sign(role=role, options=options)
    return {
        "to_verify": counts.get(LetterStatus.REQUESTED, 0),
        "may_sign": may_sign,
        "to_sign": counts.get(LetterStatus.VERIFIED, 0) if may_sign else 0,
    }
