"""Reads of village programmes, scoped by who asks (staff, a resident, anyone)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from balai.errors import BalaiError
from balai.learning.models import ProgrammeStatus
from services.programmes.models import Programme, Registration


@dataclass(frozen=True)
class Actor:
    is_staff: bool
    user_id: int | None = None
    resident_id: int | None = None


def programmes_for(*, actor: Actor) -> QuerySet[Programme]:
    """Staff see drafts too; everyone else sees what the village has announced."""
    programmes = Programme.objects.all()
    return programmes if actor.is_staff else programmes.exclude(status=ProgrammeStatus.DRAFT)


def programme_get_for(*, actor: Actor, programme_id) -> Programme:
    programme = programmes_for(actor=actor).filter(pk=programme_id).first()
    if programme is None:
        raise BalaiError.single(
            "programme", "not_found", "Data tidak ditemukan.", "Not found.", status=404
        )
    return programme


def registrations_for(*, actor: Actor) -> QuerySet[Registration]:
    """Staff: every registration of the village; a resident: their own; others: none."""
    registrations = Registration.objects.select_related("programme", "resident")
    if actor.is_staff:
        return registrations
    if actor.resident_id is not None:
        return registrations.filter(resident_id=actor.resident_id)
    return registrations.none()


def registration_get_for(*, actor: Actor, registration_id) -> Registration:
    registration = registrations_for(actor=actor).filter(pk=registration_id).first()
    if registration is None:
        raise BalaiError.single(
            "registration", "not_found", "Data tidak ditemukan.", "Not found.", status=404
        )
    return registration
