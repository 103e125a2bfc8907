"""Writes to the population register, and residents' self-service accounts (NIK + PIN).

Run with the village schema active. Staff permissions are checked by the callers (views);
these functions take the acting principal only to record who did what.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypedDict

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from balai.errors import BalaiError, FieldError
from balai.supervision.nik_index import nik_index_add, nik_index_remove
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.events.services import event_record
from services.residents.models import (
    Family,
    PopulationEvent,
    Resident,
    ResidentAccount,
    ResidentToken,
)
from services.residents.reference import (
    DEPARTURE_EVENTS,
    STATUS_AFTER_EVENT,
    BloodType,
    Citizenship,
    Education,
    EventKind,
    FamilyRelation,
    MaritalStatus,
    Occupation,
    Religion,
    ResidenceType,
    ResidentStatus,
    Sex,
)
from services.residents.selectors import ResidentFilters
from services.residents.validation import (
    TEMPORARY_ID_PATTERN,
    ValidationResult,
    birth_date_error,
    choice_error,
    kk_error,
    nik_date_warning,
    nik_error,
)
from services.village.models import Area, AreaLevel

NIK_PATTERN = re.compile(r"^[1-9]\d{15}$")
PIN_PATTERN = re.compile(r"^\d{6}$")
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)


def resident_search_audit(
    *, actor: Any, filters: ResidentFilters, returned: int, **detail: Any
) -> None:
    """The one audit row of a search of the register (API list, staff pages): which filters
    were used and how many rows came back, never the rows nor the searched NIK or name.
    ``detail`` adds where it was made or which page of results it was."""
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        object_type="resident",
        detail={"filters": filters.used(), "returned": returned, **detail},
    )


def family_search_audit(
    *, actor: Any, areas: dict[str, int], by_kk_number: bool, returned: int
) -> None:
    """The one audit row of a search of the family cards (API list, staff page): the area
    filters, whether a KK number was searched (never the number) and how many came back."""
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        object_type="family",
        detail={
            "filters": {**areas, **({"searched_by": ["kk_number"]} if by_kk_number else {})},
            "returned": returned,
        },
    )


def nik_check(nik: str, *, field: str = "nik") -> str:
    nik = (nik or "").strip()
    if not NIK_PATTERN.match(nik):
        raise BalaiError.single(
            field,
            "invalid_nik",
            "NIK harus 16 angka dan tidak diawali 0.",
            "NIK must be 16 digits and must not start with 0.",
        )
    return nik


def _invalid_login() -> BalaiError:
    # One message for unknown NIK and wrong PIN, so the form cannot be used to probe NIKs.
    return BalaiError.single(
        "pin", "invalid_login", "NIK atau PIN salah.", "Wrong NIK or PIN.", status=400
    )


@transaction.atomic
def resident_account_set_pin(*, resident: Resident, pin: str) -> ResidentAccount:
    if not PIN_PATTERN.match(pin or ""):
        raise BalaiError.single(
            "pin", "invalid_pin", "PIN harus 6 angka.", "The PIN must be 6 digits."
        )
    account, _ = ResidentAccount.objects.update_or_create(
        resident=resident,
        defaults={"pin_hash": make_password(pin), "failed_attempts": 0, "locked_until": None},
    )
    return account


def resident_authenticate(*, nik: str, pin: str) -> ResidentAccount:
    """Check NIK + PIN; lock the account for a while after repeated wrong PINs."""
    nik = nik_check(nik)
    account = ResidentAccount.objects.select_related("resident").filter(resident__nik=nik).first()
    if account is None:
        make_password(pin)  # same work as a real check, so timing does not reveal NIKs
        raise _invalid_login()
    now = timezone.now()
    if account.locked_until and account.locked_until > now:
        raise BalaiError.single(
            "pin",
            "locked",
            "Terlalu banyak PIN salah. Coba lagi 15 menit lagi.",
            "Too many wrong PINs. Try again in 15 minutes.",
            status=429,
        )
    if not check_password(pin or "", account.pin_hash):
        ResidentAccount.objects.filter(pk=account.pk).update(
            failed_attempts=F("failed_attempts") + 1
        )
        account.refresh_from_db(fields=["failed_attempts"])
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            ResidentAccount.objects.filter(pk=account.pk).update(
                locked_until=now + LOCKOUT, failed_attempts=0
            )
        raise _invalid_login()
    ResidentAccount.objects.filter(pk=account.pk).update(failed_attempts=0, last_login=now)
    return account


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def resident_token_create(*, account: ResidentAccount) -> str:
    key = secrets.token_urlsafe(32)
    ResidentToken.objects.create(account=account, key_hash=token_hash(key))
    return key


# -- the register: people, families, population events ------------------------------------
#
# Every write below is atomic, writes an audit row (field names, never values), records a
# domain event for other services, and keeps the public duplicate-NIK index in step.


class ResidentData(TypedDict, total=False):
    """The personal fields of a register record, as typed values (dates, Area, Family)."""

    nik: str
    full_name: str
    birth_place: str
    birth_date: datetime.date | None
    sex: str
    religion: str
    education: str
    occupation: str
    marital_status: str
    family: Family | None
    family_relation: str
    citizenship: str
    blood_type: str
    rt: Area | None
    address: str
    phone: str
    residence: str


PERSONAL_FIELDS = frozenset(ResidentData.__annotations__)
CHOICE_FIELDS = {
    "sex": Sex,
    "religion": Religion,
    "education": Education,
    "occupation": Occupation,
    "marital_status": MaritalStatus,
    "family_relation": FamilyRelation,
    "citizenship": Citizenship,
    "blood_type": BloodType,
    "residence": ResidenceType,
}
MAX_LENGTHS = {"full_name": 120, "birth_place": 60, "address": 255, "phone": 20}
PHONE_PATTERN = re.compile(r"^\+?[0-9 -]{6,20}$")


def _error(field: str, code: str, message: str, message_en: str) -> FieldError:
    return FieldError(field, code, message, message_en)


def _actor_user_id(actor: Any) -> int | None:
    if actor is None or getattr(actor, "is_resident", False):
        return None
    return getattr(actor, "pk", None)


def temporary_nik_allocate() -> str:
    """A temporary identifier for a person without a NIK: 0 + 15 digits from a sequence.

    No real NIK starts with 0 (the first two digits are a province code), so the two
    can never collide; the sequence makes it unique without a check-then-insert race.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('residents_temporary_nik_seq')")
        (value,) = cursor.fetchone()
    return f"0{value:015d}"


def resident_data_check(
    *, data: ResidentData, instance: Resident | None = None
) -> ValidationResult:
    """Check a new record (``instance`` None) or the changes to one, without writing.

    Errors refuse the write; warnings (``nik_mismatch``) need the caller's acknowledgement.
    """
    result = ValidationResult()
    errors = result.errors
    for name in data:
        if name not in PERSONAL_FIELDS:
            errors.append(_error(name, "unknown_field", "Kolom tidak dikenal.", "Unknown field."))
    merged: dict[str, Any] = {}
    if instance is not None:
        merged = {name: getattr(instance, name) for name in PERSONAL_FIELDS}
    merged.update(data)

    if "full_name" in data or instance is None:
        if not str(merged.get("full_name") or "").strip():
            errors.append(
                _error("full_name", "required", "Nama wajib diisi.", "The name is required.")
            )
    for name, limit in MAX_LENGTHS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(
                _error(
                    name,
                    "too_long",
                    f"Paling banyak {limit} karakter.",
                    f"At most {limit} characters.",
                )
            )
    phone = data.get("phone")
    if phone and not PHONE_PATTERN.match(phone):
        errors.append(
            _error("phone", "invalid_phone", "Nomor telepon tidak valid.", "Invalid phone number.")
        )
    for name, choices in CHOICE_FIELDS.items():
        if name in data or (instance is None and name == "sex"):
            problem = choice_error(name, data.get(name) or "", choices, required=name == "sex")
            if problem:
                errors.append(problem)
    if "birth_date" in data:
        problem = birth_date_error(data["birth_date"], today=timezone.localdate())
        if problem:
            errors.append(problem)
    rt = data.get("rt")
    if rt is not None and rt.level != AreaLevel.RT:
        errors.append(
            _error("rt", "not_an_rt", "Alamat harus menunjuk sebuah RT.", "Choose an RT.")
        )

    nik = data.get("nik")
    if nik is not None and nik != (instance.nik if instance else None) and nik != "":
        if TEMPORARY_ID_PATTERN.match(nik):
            # Temporary identifiers are only ever allocated, never typed in: a 0-prefixed
            # number given as a NIK is a typing error.
            errors.append(
                _error(
                    "nik",
                    "nik_zero_prefix",
                    "NIK tidak boleh diawali 0 (nomor sementara dibuat otomatis bila NIK "
                    "dikosongkan).",
                    "The NIK must not start with 0 (leave it empty to get a temporary identifier).",
                )
            )
        elif problem := nik_error(nik):
            errors.append(problem)
        elif Resident.objects.filter(nik=nik).exclude(pk=getattr(instance, "pk", None)).exists():
            errors.append(
                _error(
                    "nik",
                    "nik_taken",
                    "NIK ini sudah terdaftar di desa ini.",
                    "This NIK is already registered in this village.",
                )
            )
    if not errors:
        warning = nik_date_warning(
            merged.get("nik") or "", birth_date=merged.get("birth_date"), sex=merged.get("sex", "")
        )
        if warning:
            result.warnings.append(warning)
    return result


def _refuse_unacknowledged(result: ValidationResult, *, acknowledge_warnings: bool) -> None:
    if result.errors:
        raise BalaiError(errors=result.errors)
    if result.warnings and not acknowledge_warnings:
        raise BalaiError(errors=result.warnings)


def _save_unique(instance: Resident | Family, **kwargs: Any) -> None:
    """Save, turning the unique-constraint race (two clerks, one NIK) into a field error."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as exc:
        if isinstance(instance, Resident):
            raise BalaiError.single(
                "nik",
                "nik_taken",
                "NIK ini sudah terdaftar di desa ini.",
                "This NIK is already registered in this village.",
            ) from exc
        raise BalaiError.single(
            "kk_number",
            "kk_taken",
            "Nomor KK ini sudah terdaftar di desa ini.",
            "This KK number is already registered in this village.",
        ) from exc


def _event_date_check(
    event_date: datetime.date, *, resident: Resident | None = None
) -> datetime.date:
    if event_date > timezone.localdate():
        raise BalaiError.single(
            "event_date",
            "event_date_future",
            "Tanggal peristiwa tidak boleh di masa depan.",
            "The event date cannot be in the future.",
        )
    if resident is not None:
        if resident.birth_date and event_date < resident.birth_date:
            raise BalaiError.single(
                "event_date",
                "event_before_birth",
                "Tanggal peristiwa tidak boleh sebelum tanggal lahir.",
                "The event date cannot be before the birth date.",
            )
        latest = (
            PopulationEvent.objects.filter(resident=resident)
            .order_by("-event_date", "-id")
            .values_list("event_date", flat=True)
            .first()
        )
        if latest and event_date < latest:
            # History is appended, never rewritten: a later event cannot predate the last.
            raise BalaiError.single(
                "event_date",
                "event_before_latest",
                "Tanggal peristiwa tidak boleh sebelum peristiwa terakhir orang ini.",
                "The event date cannot be before this person's latest event.",
            )
    return event_date


def _event_add(
    *,
    actor: Any,
    resident: Resident,
    kind: str,
    event_date: datetime.date,
    note: str = "",
    details: dict | None = None,
) -> PopulationEvent:
    return PopulationEvent.objects.create(
        resident=resident,
        kind=kind,
        event_date=event_date,
        note=note,
        details=details or {},
        recorded_by_id=_actor_user_id(actor),
    )


@transaction.atomic
def resident_create(
    *,
    actor: Any,
    data: ResidentData,
    acknowledge_warnings: bool = False,
    arrival: str = EventKind.REGISTERED,
    arrival_date: datetime.date | None = None,
    note: str = "",
    details: dict | None = None,
) -> Resident:
    """Put a person in the register with the event that brought them in.

    ``arrival`` is pendataan (first registration, the default), lahir or pindah datang;
    without a NIK the person gets a temporary identifier.
    """
    if arrival not in (EventKind.REGISTERED, EventKind.BIRTH, EventKind.MOVE_IN):
        raise BalaiError.single(
            "kind", "invalid_choice", "Jenis peristiwa tidak dikenal.", "Unknown event kind."
        )
    result = resident_data_check(data=data)
    _refuse_unacknowledged(result, acknowledge_warnings=acknowledge_warnings)
    event_date = _event_date_check(arrival_date or timezone.localdate())
    birth_date = data.get("birth_date")
    if birth_date and event_date < birth_date:
        raise BalaiError.single(
            "event_date",
            "event_before_birth",
            "Tanggal peristiwa tidak boleh sebelum tanggal lahir.",
            "The event date cannot be before the birth date.",
        )
    values = {
        name: value
        for name, value in data.items()
        if value is not None or name in ("rt", "family", "birth_date")
    }
    values["nik"] = data.get("nik") or temporary_nik_allocate()
    resident = Resident(**values, nik_warning_acknowledged=bool(result.warnings))
    _save_unique(resident, force_insert=True)
    if resident.family_id and resident.family_relation == FamilyRelation.HEAD:
        # The first head named on a card becomes its head; replacing one is family_set_head.
        Family.objects.filter(pk=resident.family_id, head__isnull=True).update(head=resident)
    _event_add(
        actor=actor,
        resident=resident,
        kind=arrival,
        event_date=event_date,
        note=note,
        details=details,
    )
    nik_index_add(niks=[resident.nik])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="resident",
        object_id=resident.pk,
        fields=[name for name, value in data.items() if value not in (None, "")],
        detail={"event": arrival},
    )
    event_record(name="resident.created", payload={"resident_id": resident.pk, "event": arrival})
    return resident


@transaction.atomic
def resident_update(
    *,
    actor: Any,
    resident: Resident,
    changes: ResidentData,
    acknowledge_warnings: bool = False,
) -> Resident:
    """Correct or complete a person's record. Never the status: that follows events.

    Giving a real NIK to someone with a temporary identifier is an ordinary update, kept
    in the audit log like any other.
    """
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if "status" in changes:
        raise BalaiError.single(
            "status",
            "status_read_only",
            "Status berubah hanya lewat peristiwa kependudukan (mati, pindah, hilang).",
            "The status changes only through population events (death, moving, missing).",
        )
    if "nik" in changes and not changes["nik"]:
        raise BalaiError.single(
            "nik", "required", "NIK tidak boleh dikosongkan.", "The NIK cannot be emptied."
        )
    result = resident_data_check(data=changes, instance=resident)
    _refuse_unacknowledged(result, acknowledge_warnings=acknowledge_warnings)
    changed = [name for name, value in changes.items() if getattr(resident, name) != value]
    if not changed:
        return resident
    old_nik = resident.nik
    for name in changed:
        setattr(resident, name, changes[name])
    update_fields = [*changed, "updated_at"]
    if {"nik", "birth_date", "sex"} & set(changed):
        resident.nik_warning_acknowledged = bool(result.warnings)
        update_fields.append("nik_warning_acknowledged")
    _save_unique(resident, update_fields=update_fields)
    if resident.nik != old_nik and resident.status == ResidentStatus.ALIVE:
        nik_index_remove(niks=[old_nik])
        nik_index_add(niks=[resident.nik])
    detail = {}
    if "nik" in changed and old_nik.startswith("0"):
        detail["temporary_nik_replaced"] = True
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="resident",
        object_id=resident.pk,
        fields=changed,
        detail=detail,
    )
    event_record(name="resident.updated", payload={"resident_id": resident.pk, "fields": changed})
    return resident


@transaction.atomic
def resident_acknowledge_nik_warning(*, actor: Any, resident: Resident) -> Resident:
    """Staff confirm that a NIK disagreeing with the birth date or sex really is so."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if nik_date_warning(resident.nik, birth_date=resident.birth_date, sex=resident.sex) is None:
        raise BalaiError.single(
            "nik",
            "nik_no_warning",
            "NIK ini cocok dengan data; tidak ada yang perlu disetujui.",
            "This NIK matches the record; there is nothing to acknowledge.",
        )
    if not resident.nik_warning_acknowledged:
        resident.nik_warning_acknowledged = True
        resident.save(update_fields=["nik_warning_acknowledged", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="resident",
            object_id=resident.pk,
            fields=["nik_warning_acknowledged"],
        )
    return resident


# Which status a person must have for each event: a death of someone already dead, or
# a return of someone who never left, is a mistake to refuse, not history to record.
ALLOWED_FROM = {
    EventKind.DEATH: (ResidentStatus.ALIVE, ResidentStatus.MISSING),
    EventKind.MOVE_OUT: (ResidentStatus.ALIVE,),
    EventKind.MISSING: (ResidentStatus.ALIVE,),
    EventKind.FOUND: (ResidentStatus.MISSING,),
    EventKind.MOVE_IN: (ResidentStatus.MOVED_OUT,),
}


def _status_event(
    *,
    actor: Any,
    resident: Resident,
    kind: str,
    event_date: datetime.date,
    note: str = "",
    details: dict | None = None,
) -> PopulationEvent:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status not in ALLOWED_FROM[kind]:
        raise BalaiError.single(
            "kind",
            "event_not_allowed",
            f"Peristiwa {EventKind(kind).label} tidak bisa dicatat untuk orang berstatus "
            f"{ResidentStatus(resident.status).label}.",
            f"A {EventKind(kind).name.lower()} event cannot be recorded for a person whose "
            f"status is {ResidentStatus(resident.status).name.lower()}.",
        )
    _event_date_check(event_date, resident=resident)
    event = _event_add(
        actor=actor,
        resident=resident,
        kind=kind,
        event_date=event_date,
        note=note,
        details=details,
    )
    resident.status = STATUS_AFTER_EVENT[EventKind(kind)]
    resident.save(update_fields=["status", "updated_at"])
    if kind in DEPARTURE_EVENTS:
        nik_index_remove(niks=[resident.nik])
    else:
        nik_index_add(niks=[resident.nik])
    audit_record(
        actor=actor,
        action=AuditAction.EVENT,
        object_type="resident",
        object_id=resident.pk,
        fields=["status"],
        detail={"event": kind, "event_id": event.pk},
    )
    event_record(
        name=f"resident.{EventKind(kind).name.lower()}",
        payload={"resident_id": resident.pk, "event_id": event.pk, "kind": kind},
    )
    return event


@transaction.atomic
def resident_record_birth(
    *,
    actor: Any,
    data: ResidentData,
    acknowledge_warnings: bool = False,
    note: str = "",
    details: dict | None = None,
) -> Resident:
    """A baby born in the village: the person and the birth event, dated the birth date."""
    birth_date = data.get("birth_date")
    if birth_date is None:
        raise BalaiError.single(
            "birth_date",
            "required",
            "Tanggal lahir wajib diisi untuk kelahiran.",
            "The birth date is required for a birth.",
        )
    return resident_create(
        actor=actor,
        data=data,
        acknowledge_warnings=acknowledge_warnings,
        arrival=EventKind.BIRTH,
        arrival_date=birth_date,
        note=note,
        details=details,
    )


def _status_recorder(kind: str, name: str) -> Callable[..., PopulationEvent]:
    """``resident_record_<kind>``: the status event ``kind`` for a person in the register."""

    @transaction.atomic
    def record(
        *,
        actor: Any,
        resident: Resident,
        event_date: datetime.date,
        note: str = "",
        details: dict | None = None,
    ) -> PopulationEvent:
        return _status_event(
            actor=actor,
            resident=resident,
            kind=kind,
            event_date=event_date,
            note=note,
            details=details,
        )

    record.__name__ = record.__qualname__ = name
    return record


resident_record_death = _status_recorder(EventKind.DEATH, "resident_record_death")
resident_record_move_out = _status_recorder(EventKind.MOVE_OUT, "resident_record_move_out")
resident_record_missing = _status_recorder(EventKind.MISSING, "resident_record_missing")
resident_record_found = _status_recorder(EventKind.FOUND, "resident_record_found")


@transaction.atomic
def resident_record_move_in(
    *,
    actor: Any,
    event_date: datetime.date,
    resident: Resident | None = None,
    data: ResidentData | None = None,
    acknowledge_warnings: bool = False,
    note: str = "",
    details: dict | None = None,
) -> Resident:
    """Someone arrives: a newcomer (``data``) or a former resident coming back (``resident``)."""
    if (resident is None) == (data is None):
        raise BalaiError.single(
            "resident",
            "resident_or_data",
            "Pilih warga yang kembali, atau isi data pendatang baru (salah satu).",
            "Give either the returning resident or the newcomer's data, not both.",
        )
    if resident is not None:
        _status_event(
            actor=actor,
            resident=resident,
            kind=EventKind.MOVE_IN,
            event_date=event_date,
            note=note,
            details=details,
        )
        return Resident.objects.get(pk=resident.pk)
    return resident_create(
        actor=actor,
        data=data or {},
        acknowledge_warnings=acknowledge_warnings,
        arrival=EventKind.MOVE_IN,
        arrival_date=event_date,
        note=note,
        details=details,
    )


EVENT_RECORDERS = {
    EventKind.DEATH: resident_record_death,
    EventKind.MOVE_OUT: resident_record_move_out,
    EventKind.MISSING: resident_record_missing,
    EventKind.FOUND: resident_record_found,
}
# What can happen to a person already in the register (a return is a move-in of them).
RESIDENT_EVENT_KINDS = (*EVENT_RECORDERS, EventKind.MOVE_IN)


@transaction.atomic
def resident_record_event(
    *,
    actor: Any,
    resident: Resident,
    kind: str,
    event_date: datetime.date,
    note: str = "",
    details: dict | None = None,
) -> PopulationEvent:
    """One of ``RESIDENT_EVENT_KINDS`` for a person in the register: the event recorded."""
    if kind not in RESIDENT_EVENT_KINDS:
        raise BalaiError.single(
            "kind", "invalid_choice", "Jenis peristiwa tidak dikenal.", "Unknown event kind."
        )
    return _status_event(
        actor=actor,
        resident=resident,
        kind=kind,
        event_date=event_date,
        note=note,
        details=details,
    )


@transaction.atomic
def resident_arrive(
    *,
    actor: Any,
    data: ResidentData,
    arrival: str = EventKind.REGISTERED,
    arrival_date: datetime.date | None = None,
    acknowledge_warnings: bool = False,
    note: str = "",
) -> Resident:
    """A new person in the register: a birth (dated its birth date, which it requires), or a
    first registration or a newcomer moving in, dated ``arrival_date`` (default today)."""
    if arrival == EventKind.BIRTH:
        return resident_record_birth(
            actor=actor, data=data, acknowledge_warnings=acknowledge_warnings, note=note
        )
    return resident_create(
        actor=actor,
        data=data,
        acknowledge_warnings=acknowledge_warnings,
        arrival=arrival,
        arrival_date=arrival_date,
        note=note,
    )


@transaction.atomic
def family_create(
    *,
    actor: Any,
    kk_number: str,
    rt: Area | None = None,
    address: str = "",
    head: Resident | None = None,
) -> Family:
    errors = []
    if problem := kk_error(kk_number):
        errors.append(problem)
    elif Family.objects.filter(kk_number=kk_number).exists():
        errors.append(
            _error(
                "kk_number",
                "kk_taken",
                "Nomor KK ini sudah terdaftar di desa ini.",
                "This KK number is already registered in this village.",
            )
        )
    if rt is not None and rt.level != AreaLevel.RT:
        errors.append(
            _error("rt", "not_an_rt", "Alamat harus menunjuk sebuah RT.", "Choose an RT.")
        )
    if len(address) > 255:
        errors.append(
            _error("address", "too_long", "Paling banyak 255 karakter.", "At most 255 characters.")
        )
    if errors:
        raise BalaiError(errors=errors)
    family = Family(kk_number=kk_number, rt=rt, address=address)
    _save_unique(family, force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="family",
        object_id=family.pk,
        fields=["kk_number", *(["rt"] if rt else []), *(["address"] if address else [])],
    )
    if head is not None:
        family_set_head(actor=actor, family=family, resident=head)
    event_record(name="family.created", payload={"family_id": family.pk})
    return family


@transaction.atomic
def family_add_member(*, actor: Any, family: Family, resident: Resident, relation: str) -> Resident:
    """Put a person on a family card with their relation (SHDK); moves them off any other."""
    if problem := choice_error("family_relation", relation, FamilyRelation, required=True):
        raise BalaiError(errors=[problem])
    if relation == FamilyRelation.HEAD:
        family_set_head(actor=actor, family=family, resident=resident)
        return Resident.objects.get(pk=resident.pk)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    # Someone leaving a card they headed leaves it without a head until one is named.
    Family.objects.filter(head=resident).exclude(pk=family.pk).update(head=None)
    Family.objects.filter(pk=family.pk, head=resident).update(head=None)
    resident.family = family
    resident.family_relation = relation
    resident.save(update_fields=["family", "family_relation", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="resident",
        object_id=resident.pk,
        fields=["family", "family_relation"],
        detail={"family_id": family.pk},
    )
    return resident


@transaction.atomic
def family_set_head(
    *,
    actor: Any,
    family: Family,
    resident: Resident,
    previous_head_relation: str = FamilyRelation.OTHER,
) -> Family:
    """Make ``resident`` the head (kepala keluarga); the former head keeps a plain relation."""
    if problem := choice_error("previous_head_relation", previous_head_relation, FamilyRelation):
        raise BalaiError(errors=[problem])
    family = Family.objects.select_for_update().get(pk=family.pk)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if family.head_id and family.head_id != resident.pk:
        Resident.objects.filter(pk=family.head_id).update(
            family_relation=previous_head_relation, updated_at=timezone.now()
        )
    Family.objects.filter(head=resident).exclude(pk=family.pk).update(head=None)
    resident.family = family
    resident.family_relation = FamilyRelation.HEAD
    resident.save(update_fields=["family", "family_relation", "updated_at"])
    family.head = resident
    family.save(update_fields=["head", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="family",
        object_id=family.pk,
        fields=["head"],
    )
    return family
