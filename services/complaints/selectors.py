"""Reads of complaints shared by the API, the Open311 views and the pages.

One way in: lists go through ``complaints_visible_to`` and single complaints through the
``complaint_get_*`` helpers, each of which decides visibility for the asking principal.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from balai.accounts.models import User
from balai.errors import BalaiError
from services.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintSettings,
    ComplaintUpdate,
)
from services.complaints.services import tracking_code_normalise

PUBLICLY_LISTED = Q(is_public=True, is_hidden=False)


def _not_found() -> BalaiError:
    return BalaiError.single(
        "tracking_code", "not_found", "Pengaduan tidak ditemukan.", "Complaint not found.", 404
    )


def with_overdue(queryset: QuerySet[Complaint], *, now: datetime | None = None) -> QuerySet:
    """Annotate ``overdue``: open and past its target time (computed, never stored)."""
    return queryset.annotate(
        overdue=Case(
            When(status__in=OPEN_STATUSES, target_at__lt=now or timezone.now(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _for_lists(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return with_overdue(
        queryset.select_related("category", "area", "duplicate_of").prefetch_related("photos")
    )


def complaints_public() -> QuerySet[Complaint]:
    return _for_lists(Complaint.objects.filter(PUBLICLY_LISTED))


def complaints_visible_to(*, is_staff: bool, resident_id: int | None) -> QuerySet[Complaint]:
    """Staff see every complaint of their village; residents public ones and their own."""
    if is_staff:
        return _for_lists(Complaint.objects.all())
    if resident_id is not None:
        return _for_lists(Complaint.objects.filter(PUBLICLY_LISTED | Q(resident_id=resident_id)))
    return complaints_public()


def complaints_filter(
    queryset: QuerySet[Complaint],
    *,
    status: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
) -> QuerySet[Complaint]:
    if status:
        queryset = queryset.filter(status__in=status.split(","))
    if category:
        queryset = queryset.filter(category__code__in=category.split(","))
    if overdue is not None:
        queryset = queryset.filter(overdue=overdue)
    return queryset


def complaint_get_for_staff(*, code: str) -> Complaint:
    complaint = (
        _for_lists(Complaint.objects.all())
        .prefetch_related("updates")
        .filter(tracking_code=tracking_code_normalise(code))
        .first()
    )
    if complaint is None:
        raise _not_found()
    return complaint


def complaint_get_by_tracking_code(*, code: str) -> Complaint:
    """Anyone holding the tracking code may follow the complaint (public notes only)."""
    complaint = (
        _for_lists(Complaint.objects.all())
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ComplaintUpdate.objects.filter(is_public=True),
                to_attr="public_updates",
            )
        )
        .filter(tracking_code=tracking_code_normalise(code))
        .first()
    )
    if complaint is None:
        raise _not_found()
    return complaint


def complaint_get_for_resident(*, code: str, resident_id: int) -> Complaint:
    complaint = complaint_get_by_tracking_code(code=code)
    if complaint.resident_id != resident_id and not complaint.is_publicly_listed:
        raise _not_found()
    return complaint


def categories_active() -> QuerySet[ComplaintCategory]:
    return ComplaintCategory.objects.filter(is_active=True)


def complaints_of_resident(*, resident_id: int) -> QuerySet[Complaint]:
    """A resident's own complaints, public or not (the "my complaints" list)."""
    return _for_lists(Complaint.objects.filter(resident_id=resident_id))


def complaint_assignees(*, village) -> QuerySet[User]:
    """Who a complaint may be assigned to: the village's active staff (public schema)."""
    return User.objects.filter(memberships__village=village, is_active=True).order_by("username")


def complaint_attribute_answers(complaint: Complaint) -> list[tuple[str, str]]:
    """The answers to the category's extra questions as (question, answer), in the
    category's order, with each choice's name instead of its key. Answers to a question the
    category no longer asks keep their code as the label, so nothing filed is hidden."""
    definition = sorted(
        (a for a in complaint.category.attributes or [] if a.get("code")),
        key=lambda attribute: attribute.get("order", 0),
    )
    answers = dict(complaint.attributes or {})
    shown = []
    for attribute in definition:
        code = attribute["code"]
        if code not in answers:
            continue
        names = {v.get("key"): v.get("name") or v.get("key") for v in attribute.get("values", [])}
        value = answers.pop(code)
        values = value if isinstance(value, list) else [value]
        label = attribute.get("description") or code
        shown.append((label, ", ".join(str(names.get(v, v)) for v in values)))
    for code, value in answers.items():
        values = value if isinstance(value, list) else [value]
        shown.append((code, ", ".join(str(v) for v in values)))
    return shown


def complaint_settings_current() -> ComplaintSettings:
    """The village's complaint settings, or the defaults when the row is missing (unsaved)."""
    return ComplaintSettings.objects.filter(id=1).first() or ComplaintSettings(id=1)
