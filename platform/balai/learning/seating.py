"""Seats, the waiting list and attendance: one set of rules for village programmes
(services.programmes, village schema) and kecamatan programmes (this app, public schema).

Every function here expects the programme row to be locked by the caller
(``SELECT ... FOR UPDATE`` inside the caller's transaction): counting the confirmed seats
and adding one is otherwise a check-then-act race that over-books under concurrency.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db.models import Model

from balai.errors import BalaiError
from balai.learning.models import ACTIVE_REGISTRATION, ProgrammeStatus, RegistrationStatus


def registration_check_open(*, programme: Model, now: datetime) -> None:
    if programme.status != ProgrammeStatus.OPEN:
        raise BalaiError.single(
            "programme",
            "programme_not_open",
            "Pendaftaran program ini tidak dibuka.",
            "Registration for this programme is not open.",
            status=409,
        )
    if programme.starts_at <= now:
        raise BalaiError.single(
            "programme",
            "programme_past",
            "Program ini sudah dimulai atau sudah lewat.",
            "This programme has already started or is over.",
            status=409,
        )


def seat_register(*, programme: Model, who: dict, extra: dict, now: datetime) -> Model:
    """Register ``who`` (the registration's identifying fields) on the locked programme:
    a confirmed seat while there is one, else the end of the waiting list."""
    registration_check_open(programme=programme, now=now)
    registrations = programme.registrations
    if registrations.filter(**who, status__in=ACTIVE_REGISTRATION).exists():
        raise BalaiError.single(
            "programme",
            "already_registered",
            "Warga ini sudah terdaftar di program ini.",
            "This resident is already registered for this programme.",
            status=409,
        )
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    status = (
        RegistrationStatus.CONFIRMED
        if confirmed < programme.capacity
        else RegistrationStatus.WAITING
    )
    return registrations.create(**who, **extra, status=status)


def seats_fill(*, programme: Model) -> list[Model]:
    """Move the first waiting people up while confirmed seats are free; returns them."""
    registrations = programme.registrations
    free = programme.capacity - registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    if free <= 0:
        return []
    promoted = list(
        registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "id")[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status"])
    return promoted


def seat_cancel(*, programme: Model, registration: Model, now: datetime) -> list[Model]:
    """Cancel a registration; a freed seat goes to the first waiting person, in the same
    transaction. Returns who moved up."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise BalaiError.single(
            "registration",
            "already_cancelled",
            "Pendaftaran ini sudah dibatalkan.",
            "This registration is already cancelled.",
            status=409,
        )
    if registration.attended_at is not None:
        raise BalaiError.single(
            "registration",
            "already_attended",
            "Kehadiran sudah dicatat; pendaftaran tidak bisa dibatalkan.",
            "Attendance is recorded; the registration cannot be cancelled.",
            status=409,
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if programme.status in (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED):
        return seats_fill(programme=programme)
    return []


def capacity_check(*, programme: Model, capacity: int) -> None:
    confirmed = programme.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    if capacity < confirmed:
        raise BalaiError.single(
            "capacity",
            "capacity_below_confirmed",
            f"Sudah ada {confirmed} peserta terdaftar; kapasitas tidak boleh lebih kecil.",
            f"{confirmed} people are already confirmed; capacity cannot be lower.",
        )


def attendance_mark(*, programme: Model, registration_ids: list, now: datetime) -> list[Model]:
    """Record attendance of confirmed registrations of the programme (idempotent)."""
    if programme.starts_at > now or programme.status == ProgrammeStatus.CANCELLED:
        raise BalaiError.single(
            "programme",
            "programme_not_started",
            "Kehadiran dicatat setelah program dimulai.",
            "Attendance is taken once the programme has started.",
            status=409,
        )
    ids = {int(i) for i in registration_ids if str(i).isdigit()}
    if not ids or len(ids) != len(registration_ids):
        raise BalaiError.single(
            "registration_ids",
            "invalid",
            "Pilih peserta (daftar id pendaftaran).",
            "Choose the participants (a list of registration ids).",
        )
    found = list(programme.registrations.filter(pk__in=ids, status=RegistrationStatus.CONFIRMED))
    if len(found) != len(ids):
        raise BalaiError.single(
            "registration_ids",
            "not_confirmed",
            "Hanya peserta terdaftar (bukan daftar tunggu) program ini yang bisa hadir.",
            "Only confirmed participants of this programme (not waiting) can attend.",
        )
    for registration in found:
        if registration.attended_at is None:
            registration.attended_at = now
            registration.certificate_code = secrets.token_urlsafe(24)
            registration.save(update_fields=["attended_at", "certificate_code"])
    return found
