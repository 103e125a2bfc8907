"""Writes for complaints. Run with the village schema active (the request's or the task's).

Every change goes through one of these functions: it checks, writes the change and its
history row, and records a domain event (ids only) in the same transaction.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from balai.accounts.models import User
from balai.accounts.selectors import staff_role
from balai.errors import BalaiError, FieldError
from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts
from services.complaints import uploads
from services.complaints.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    ComplaintSettings,
    ComplaintStatus,
    ComplaintUpdate,
    UpdateKind,
)
from services.complaints.validation import attributes_check, location_check, phone_normalise
from services.events.services import event_record
from services.village.models import Area
from tenants.models import Village

logger = logging.getLogger(__name__)

# Base32 without the letters and digits people confuse (0/O, 1/I/L): 31 symbols, so
# 10 characters give ~8e14 codes, unguessable at any rate limit we allow.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10
MAX_DESCRIPTION = 5000


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def tracking_code_normalise(value: str) -> str:
    return (value or "").strip().upper()


# -- rate limit -----------------------------------------------------------------------------


def _window_text(seconds: int) -> tuple[str, str]:
    if seconds == 3600:
        return "per jam", "per hour"
    return f"per {seconds} detik", f"per {seconds} seconds"


def anonymous_filing_allow(*, client_ip: str, phone: str) -> None:
    """Count one anonymous filing against the IP and the phone number, or refuse with 429.

    Counters are fixed windows in the Redis cache. ``incr`` is atomic in Redis and ``add``
    only creates a missing key, so concurrent filings cannot both slip under the limit.
    """
    limit = settings.BALAI_COMPLAINT_ANON_LIMIT
    window = settings.BALAI_COMPLAINT_ANON_WINDOW_SECONDS
    slot = int(timezone.now().timestamp()) // window
    over = []
    for kind, value in (("ip", client_ip), ("phone", phone)):
        if not value:
            continue
        key = f"complaints:anon:{kind}:{value}:{slot}"
        try:
            count = cache.incr(key)
        except ValueError:  # the first filing of the window (or the key was evicted)
            count = 1 if cache.add(key, 1, timeout=window) else cache.incr(key)
        if count > limit:
            over.append(kind)
    if over:
        per_id, per_en = _window_text(window)
        what_id = " dan ".join({"ip": "alamat IP", "phone": "nomor HP"}[k] for k in over)
        what_en = " and ".join({"ip": "IP address", "phone": "phone number"}[k] for k in over)
        raise BalaiError.single(
            "rate_limit",
            "rate_limited",
            f"Batas {limit} pengaduan tanpa masuk {per_id} per {what_id} telah tercapai. "
            "Coba lagi nanti atau masuk sebagai warga.",
            f"The limit of {limit} complaints without logging in {per_en} per {what_en} "
            "has been reached. Try again later or log in as a resident.",
            status=429,
        )


# -- filing ---------------------------------------------------------------------------------


def _category_get(code: str) -> tuple[ComplaintCategory | None, FieldError | None]:
    if not code:
        return None, FieldError(
            "category", "required", "Kategori wajib dipilih.", "Choose a category."
        )
    category = ComplaintCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        return None, FieldError(
            "category", "unknown", "Kategori tidak dikenal.", "Unknown category."
        )
    return category, None


FILED_VIA = ("api", "open311", "web", "counter")


def complaint_file(
    *,
    category_code: str,
    description: str,
    is_public: bool = True,
    resident_id: int | None = None,
    phone: str = "",
    email: str = "",
    name: str = "",
    latitude=None,
    longitude=None,
    area_id: int | None = None,
    address: str = "",
    attributes: dict | None = None,
    photos: Sequence = (),
    client_ip: str = "",
    filed_via: str = "api",
) -> Complaint:
    """File a complaint for a logged-in resident (``resident_id``) or anonymously (``phone``).

    Everything is checked before anything is written, and every problem is reported at
    once. Photos are written inside the transaction and removed again if it fails, so a
    refused complaint leaves no file behind.
    """
    if filed_via not in FILED_VIA:
        raise ValueError(f"unknown filing channel {filed_via!r}")  # a caller's bug, not input
    errors: list[FieldError] = []
    category, error = _category_get(category_code)
    errors += [error] if error else []
    description = (description or "").strip()
    if not description:
        errors.append(
            FieldError(
                "description", "required", "Uraian pengaduan wajib diisi.", "Describe the problem."
            )
        )
    elif len(description) > MAX_DESCRIPTION:
        errors.append(
            FieldError(
                "description",
                "too_long",
                f"Uraian paling panjang {MAX_DESCRIPTION} karakter.",
                f"At most {MAX_DESCRIPTION} characters.",
            )
        )
    normalised_phone = ""
    if phone or resident_id is None:
        if not phone:
            errors.append(
                FieldError(
                    "phone",
                    "required",
                    "Nomor HP wajib diisi jika tidak masuk sebagai warga.",
                    "A phone number is required when not logged in.",
                )
            )
        else:
            normalised_phone, error = phone_normalise(phone)
            errors += [error] if error else []
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                FieldError("email", "invalid", "Alamat email tidak valid.", "Not a valid email.")
            )
    lat, lon, location_errors = location_check(latitude, longitude)
    errors += location_errors
    if area_id not in (None, "") and not Area.objects.filter(pk=_int_or_none(area_id)).exists():
        errors.append(FieldError("area", "unknown", "Wilayah tidak dikenal.", "Unknown area."))
    clean_attributes: dict = {}
    if category is not None:
        clean_attributes, attribute_errors = attributes_check(category.attributes, attributes or {})
        errors += attribute_errors
    if len(photos) > uploads.MAX_PHOTOS:
        errors.append(
            FieldError(
                "photos",
                "too_many",
                f"Paling banyak {uploads.MAX_PHOTOS} foto.",
                f"At most {uploads.MAX_PHOTOS} photos.",
            )
        )
    encoded = []
    if len(photos) <= uploads.MAX_PHOTOS:
        for index, upload in enumerate(photos):
            try:
                encoded.append(uploads.photo_encode(upload, index=index))
            except BalaiError as photo_error:
                errors += photo_error.errors
    if errors:
        raise BalaiError(errors=errors)

    if resident_id is None:
        anonymous_filing_allow(client_ip=client_ip, phone=normalised_phone)

    schema_name = connection.schema_name
    written: list[Path] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            complaint = _complaint_insert(
                category=category,
                description=description,
                status=ComplaintStatus.NEW,
                is_public=is_public,
                resident_id=resident_id,
                reporter_name=(name or "").strip()[:120],
                reporter_phone=normalised_phone,
                reporter_email=email,
                latitude=lat,
                longitude=lon,
                area_id=_int_or_none(area_id),
                address=(address or "").strip()[:255],
                attributes=clean_attributes,
                filed_via=filed_via,
                created_at=now,
                updated_at=now,
                target_at=now + timedelta(hours=category.target_hours),
            )
            for photo in encoded:
                photo_name = uploads.photo_new_name()
                written.append(
                    uploads.photo_write(schema_name=schema_name, name=photo_name, data=photo.data)
                )
                ComplaintPhoto.objects.create(
                    complaint=complaint,
                    name=photo_name,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size=len(photo.data),
                )
            ComplaintUpdate.objects.create(
                complaint=complaint,
                kind=UpdateKind.FILED,
                to_status=ComplaintStatus.NEW,
                is_public=True,
                actor_kind="resident" if resident_id else "reporter",
                created_at=now,
            )
            event_record(
                name="complaint.filed",
                payload={"complaint_id": complaint.pk, "category": category.code},
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return complaint


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # never a primary key: reported as an unknown area


def _complaint_insert(**fields) -> Complaint:
    # A clash of two random 10-character codes is ~1 in 8e14; retry in a savepoint anyway.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Complaint.objects.create(tracking_code=tracking_code_new(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free tracking code")


def _current_village() -> Village:
    """The village whose schema is active (a request's or a task's tenant, or by name)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Village):
        return tenant
    return Village.objects.get(schema_name=connection.schema_name)


# -- staff actions --------------------------------------------------------------------------


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("category").get(pk=complaint.pk)


def _escalation_close(complaint: Complaint, *, now: datetime) -> None:
    if complaint.escalated_at is not None:
        ComplaintEscalation.objects.filter(
            village_id=_current_village().pk, complaint_id=complaint.pk
        ).update(closed_at=now if complaint.status in CLOSED_STATUSES else None)


@transaction.atomic
def complaint_status_change(
    *,
    complaint: Complaint,
    actor: User,
    to_status: str,
    note: str = "",
    is_public: bool = True,
    reason: str = "",
) -> Complaint:
    """Move a complaint to another status; rejecting needs a reason, shown to the filer."""
    complaint = _locked(complaint)
    if to_status not in ComplaintStatus.values:
        raise BalaiError.single(
            "status", "invalid_choice", "Status tidak dikenal.", "Unknown status."
        )
    if to_status == complaint.status:
        raise BalaiError.single(
            "status",
            "unchanged",
            "Pengaduan sudah berstatus ini.",
            "The complaint already has this status.",
        )
    reason = (reason or "").strip()
    if to_status == ComplaintStatus.REJECTED and not reason:
        raise BalaiError.single(
            "reason",
            "required",
            "Alasan penolakan wajib diisi.",
            "Give the reason for rejecting.",
        )
    now = timezone.now()
    from_status = complaint.status
    complaint.status = to_status
    complaint.rejection_reason = reason if to_status == ComplaintStatus.REJECTED else ""
    complaint.closed_at = now if to_status in CLOSED_STATUSES else None
    complaint.updated_at = now
    complaint.save(update_fields=["status", "rejection_reason", "closed_at", "updated_at"])
    ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=UpdateKind.STATUS,
        from_status=from_status,
        to_status=to_status,
        note=(note or reason).strip(),
        is_public=is_public,
        actor_user_id=actor.pk,
        actor_kind="staff",
        created_at=now,
    )
    _escalation_close(complaint, now=now)
    event_record(
        name="complaint.status_changed",
        payload={
            "complaint_id": complaint.pk,
            "from": from_status,
            "to": to_status,
            "actor_user_id": actor.pk,
        },
    )
    return complaint


@transaction.atomic
def complaint_reply(
    *, complaint: Complaint, actor: User, note: str, is_public: bool = True
) -> ComplaintUpdate:
    note = (note or "").strip()
    if not note:
        raise BalaiError.single("note", "required", "Catatan wajib diisi.", "Write a note.")
    complaint = _locked(complaint)
    now = timezone.now()
    complaint.updated_at = now
    complaint.save(update_fields=["updated_at"])
    update = ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=UpdateKind.NOTE,
        note=note,
        is_public=is_public,
        actor_user_id=actor.pk,
        actor_kind="staff",
        created_at=now,
    )
    event_record(
        name="complaint.replied",
        payload={"complaint_id": complaint.pk, "update_id": update.pk, "public": is_public},
    )
    return update


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, actor: User, assignee_user_id: int, note: str = ""
) -> Complaint:
    """Assign to a staff member of this village (a global user with a role here)."""
    assignee = User.objects.filter(pk=assignee_user_id, is_active=True).first()
    if assignee is None or staff_role(user=assignee, village=_current_village()) is None:
        raise BalaiError.single(
            "assignee",
            "not_staff",
            "Petugas bukan perangkat desa ini.",
            "The assignee is not staff of this village.",
        )
    complaint = _locked(complaint)
    now = timezone.now()
    complaint.assigned_user_id = assignee.pk
    complaint.updated_at = now
    complaint.save(update_fields=["assigned_user_id", "updated_at"])
    ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=UpdateKind.ASSIGNED,
        note=(note or "").strip(),
        is_public=False,
        actor_user_id=actor.pk,
        actor_kind="staff",
        created_at=now,
    )
    event_record(
        name="complaint.assigned",
        payload={
            "complaint_id": complaint.pk,
            "assignee_user_id": assignee.pk,
            "actor_user_id": actor.pk,
        },
    )
    return complaint


@transaction.atomic
def complaint_merge(
    *, complaint: Complaint, original_code: str, actor: User, note: str = ""
) -> Complaint:
    """Close ``complaint`` as a duplicate of the one with ``original_code``.

    The duplicate points at the root of any chain, so following ``duplicate_of`` once
    always reaches the complaint that is being handled.
    """
    original = (
        Complaint.objects.select_related("duplicate_of")
        .filter(tracking_code=tracking_code_normalise(original_code))
        .first()
    )
    if original is None:
        raise BalaiError.single(
            "original", "not_found", "Pengaduan asal tidak ditemukan.", "Original not found."
        )
    original = original.duplicate_of or original
    if original.pk == complaint.pk:
        raise BalaiError.single(
            "original",
            "same_complaint",
            "Pengaduan tidak dapat digabung dengan dirinya sendiri.",
            "A complaint cannot be merged into itself.",
        )
    complaint = _locked(complaint)
    if complaint.duplicate_of_id is not None:
        raise BalaiError.single(
            "original", "already_merged", "Pengaduan sudah digabung.", "Already merged."
        )
    now = timezone.now()
    from_status = complaint.status
    complaint.duplicate_of = original
    complaint.status = ComplaintStatus.REJECTED
    complaint.rejection_reason = f"Duplikat dari {original.tracking_code}"
    complaint.closed_at = now
    complaint.updated_at = now
    complaint.save(
        update_fields=[
            "duplicate_of",
            "status",
            "rejection_reason",
            "closed_at",
            "updated_at",
        ]
    )
    ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=UpdateKind.MERGED,
        from_status=from_status,
        to_status=ComplaintStatus.REJECTED,
        note=(note or complaint.rejection_reason).strip(),
        is_public=True,
        actor_user_id=actor.pk,
        actor_kind="staff",
        created_at=now,
    )
    _escalation_close(complaint, now=now)
    event_record(
        name="complaint.merged",
        payload={
            "complaint_id": complaint.pk,
            "original_id": original.pk,
            "actor_user_id": actor.pk,
        },
    )
    return complaint


@transaction.atomic
def complaint_visibility_set(
    *, complaint: Complaint, actor: User, hidden: bool, reason: str = ""
) -> Complaint:
    """Hide abusive content from the public (or show it again); staff still see it all."""
    reason = (reason or "").strip()
    if hidden and not reason:
        raise BalaiError.single(
            "reason", "required", "Alasan wajib diisi.", "Give the reason for hiding."
        )
    complaint = _locked(complaint)
    now = timezone.now()
    complaint.is_hidden = hidden
    complaint.hidden_reason = reason if hidden else ""
    complaint.updated_at = now
    complaint.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=UpdateKind.HIDDEN if hidden else UpdateKind.SHOWN,
        note=reason,
        is_public=False,
        actor_user_id=actor.pk,
        actor_kind="staff",
        created_at=now,
    )
    event_record(
        name="complaint.hidden" if hidden else "complaint.shown",
        payload={"complaint_id": complaint.pk, "actor_user_id": actor.pk},
    )
    return complaint


# -- escalation -----------------------------------------------------------------------------

ESCALATION_BATCH = 500
DEFAULT_ESCALATE_AFTER_DAYS = 3  # when a village has no settings row yet


def complaints_escalate(*, now: datetime) -> int:
    """Escalate this village's complaints open longer than target + the village's grace days.

    Idempotent: a complaint is claimed with ``escalated_at`` under ``SKIP LOCKED`` and the
    public row is unique per complaint (``ON CONFLICT DO NOTHING``), so a redelivered or
    concurrent run writes nothing twice. Also refreshes the village's public counts.
    """
    village = _current_village()
    grace = (
        ComplaintSettings.objects.filter(id=1).values_list("escalate_after_days", flat=True).first()
    )
    cutoff = now - timedelta(days=DEFAULT_ESCALATE_AFTER_DAYS if grace is None else grace)
    escalated = 0
    while True:
        with transaction.atomic():
            due = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .filter(
                    status__in=OPEN_STATUSES,
                    closed_at__isnull=True,  # the partial index's predicate
                    escalated_at__isnull=True,
                    target_at__lt=cutoff,
                )
                .order_by("target_at")[:ESCALATION_BATCH]
            )
            if not due:
                break
            ComplaintEscalation.objects.bulk_create(
                [
                    ComplaintEscalation(
                        village_id=village.pk,
                        region_code=village.region_id,
                        kecamatan_code=village.kecamatan_code,
                        kabupaten_code=village.kabupaten_code,
                        complaint_id=c.pk,
                        tracking_code=c.tracking_code,
                        category_code=c.category.code,
                        category_name=c.category.name,
                        opened_at=c.created_at,
                        target_at=c.target_at,
                        escalated_at=now,
                    )
                    for c in due
                ],
                ignore_conflicts=True,
            )
            Complaint.objects.filter(pk__in=[c.pk for c in due]).update(escalated_at=now)
            ComplaintUpdate.objects.bulk_create(
                ComplaintUpdate(
                    complaint=c,
                    kind=UpdateKind.ESCALATED,
                    note="Dieskalasi ke kecamatan",
                    is_public=False,
                    actor_kind="system",
                    created_at=now,
                )
                for c in due
            )
            for c in due:
                event_record(
                    name="complaint.escalated",
                    payload={"complaint_id": c.pk, "village_code": village.region_id},
                )
            escalated += len(due)
    complaint_counts_refresh(now=now)
    return escalated


def complaint_counts_refresh(*, now: datetime) -> ComplaintVillageCounts:
    village = _current_village()
    counts = Complaint.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(target_at__lt=now)),
        escalated=Count("id", filter=Q(escalated_at__isnull=False)),
    )
    row, _ = ComplaintVillageCounts.objects.update_or_create(
        village_id=village.pk,
        defaults={
            "kecamatan_code": village.kecamatan_code,
            "kabupaten_code": village.kabupaten_code,
            "open_count": counts["open"],
            "overdue_count": counts["overdue"],
            "escalated_open_count": counts["escalated"],
            "refreshed_at": now,
        },
    )
    return row


@transaction.atomic
def complaint_settings_update(*, escalate_after_days: int) -> ComplaintSettings:
    if not 0 <= escalate_after_days <= 90:
        raise BalaiError.single(
            "escalate_after_days",
            "out_of_range",
            "Isi antara 0 dan 90 hari.",
            "Between 0 and 90 days.",
        )
    row, _ = ComplaintSettings.objects.update_or_create(
        id=1, defaults={"escalate_after_days": escalate_after_days}
    )
    return row
