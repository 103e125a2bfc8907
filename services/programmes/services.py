"""Writes of village programmes. Every function that touches seats locks the programme row
(``SELECT ... FOR UPDATE``) first, so concurrent registrations and cancellations are
serialised per programme and capacity is never exceeded."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from balai.errors import BalaiError
from balai.learning import seating
from balai.learning import services as learning_services
from balai.learning.certificates import Certificate, certificate_check
from balai.learning.models import KecamatanRegistration
from balai.learning.target_groups import Person, target_group_check
from balai.learning.validation import material_clean, programme_clean, programme_values
from services.economy.models import Business, BusinessStatus
from services.events.services import event_record
from services.programmes.models import Programme, Registration, VillageMaterial
from services.residents.models import Resident
from services.village.models import VillageProfile
from tenants.models import Domain, Village


def _not_found(field: str) -> BalaiError:
    return BalaiError.single(field, "not_found", "Data tidak ditemukan.", "Not found.", status=404)


def _locked(programme_id) -> Programme:
    programme = (
        Programme.objects.select_for_update().filter(pk=programme_id).first()
        if str(programme_id).isdigit()
        else None
    )
    if programme is None:
        raise _not_found("programme")
    return programme


@transaction.atomic
def programme_create(*, data: dict, by_user_id: int | None) -> Programme:
    programme = Programme.objects.create(created_by_id=by_user_id, **programme_clean(data=data))
    event_record(name="programme.created", payload={"programme_id": programme.pk})
    return programme


@transaction.atomic
def programme_update(*, programme_id, data: dict) -> Programme:
    programme = _locked(programme_id)
    fields = programme_clean(data=data, current=programme_values(programme))
    seating.capacity_check(programme=programme, capacity=fields["capacity"])
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save(update_fields=[*fields, "updated_at"])
    # A larger capacity moves the first waiting people up at once.
    promoted = seating.seats_fill(programme=programme)
    event_record(
        name="programme.updated",
        payload={
            "programme_id": programme.pk,
            "status": programme.status,
            "promoted_registration_ids": [r.pk for r in promoted],
        },
    )
    return programme


def resident_for_registration(resident_id) -> Resident:
    resident = (
        Resident.objects.filter(pk=resident_id).first() if str(resident_id).isdigit() else None
    )
    if resident is None:
        raise BalaiError.single(
            "resident_id",
            "resident_required",
            "Pilih warga dari daftar penduduk desa ini.",
            "Choose a resident of this village.",
        )
    return resident


def person_of(resident: Resident) -> Person:
    """What the target-group rules need to know of a resident, from the register."""
    return Person(
        sex=resident.sex,
        birth_date=resident.birth_date,
        occupation=resident.occupation,
        owns_business=Business.objects.filter(owner=resident)
        .exclude(status=BusinessStatus.REJECTED)
        .exists(),
    )


def kecamatan_registration_for(
    *, village: Village, programme_id, resident_id, by_user_id: int | None = None
) -> KecamatanRegistration:
    """Register a resident of this village for a programme of its kecamatan: the resident
    themself (``by_user_id=None``) or staff for them. The target group is checked against
    this village's register; the public row keeps only the name and phone."""
    resident = resident_for_registration(resident_id)
    return learning_services.kecamatan_registration_create(
        village=village,
        resident_id=resident.pk,
        display_name=resident.full_name,
        phone=resident.phone,
        person=person_of(resident),
        programme_id=programme_id,
        registered_by_id=by_user_id,
    )


@transaction.atomic
def registration_create(
    *, programme_id, resident: Resident, by_user_id: int | None = None
) -> Registration:
    """A confirmed seat while there is one, else the end of the waiting list; a resident
    outside the programme's target group is refused (field ``target_group``)."""
    programme = _locked(programme_id)
    if programme.status == "draft":
        raise _not_found("programme")
    target_group_check(
        target_group=programme.target_group,
        person=person_of(resident),
        on_date=timezone.localtime(programme.starts_at).date(),
    )
    registration = seating.seat_register(
        programme=programme,
        who={"resident": resident},
        extra={"registered_by_id": by_user_id},
        now=timezone.now(),
    )
    event_record(
        name="programme.registered",
        payload={
            "programme_id": programme.pk,
            "registration_id": registration.pk,
            "status": registration.status,
        },
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> list[Registration]:
    """Cancel; the first waiting person takes the freed seat in the same transaction."""
    programme = _locked(registration.programme_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    promoted = seating.seat_cancel(
        programme=programme, registration=registration, now=timezone.now()
    )
    # Those who moved up are named so a notifier can tell them they now have a seat.
    event_record(
        name="programme.registration_cancelled",
        payload={
            "programme_id": programme.pk,
            "registration_id": registration.pk,
            "promoted_registration_ids": [r.pk for r in promoted],
        },
    )
    return promoted


@transaction.atomic
def attendance_mark(*, programme_id, registration_ids) -> list[Registration]:
    programme = _locked(programme_id)
    if not isinstance(registration_ids, list):
        registration_ids = []
    marked = seating.attendance_mark(
        programme=programme, registration_ids=registration_ids, now=timezone.now()
    )
    event_record(
        name="programme.attended",
        payload={"programme_id": programme.pk, "registration_ids": [r.pk for r in marked]},
    )
    return marked


def _village_host() -> str:
    return (
        Domain.objects.filter(tenant__schema_name=connection.schema_name)
        .order_by("-is_primary", "id")
        .values_list("domain", flat=True)
        .first()
    ) or settings.BALAI_BASE_DOMAIN


def village_label() -> str:
    profile = VillageProfile.objects.filter(id=1).first()
    if profile is None:
        return ""
    return f"{profile.local_term.title()} {profile.name}".strip()


def certificate_for(registration: Registration) -> Certificate:
    certificate_check(registration)
    scheme = "https" if settings.PRODUCTION else "http"
    return Certificate(
        programme_title=registration.programme.title,
        organiser=village_label(),
        person_name=registration.resident.full_name,
        starts_at=registration.programme.starts_at,
        attended_at=registration.attended_at,
        code=registration.certificate_code,
        verification_url=(
            f"{scheme}://{_village_host()}/api/village/programmes/certificates/"
            f"{registration.certificate_code}/"
        ),
    )


@transaction.atomic
def material_create(*, data: dict, by_user_id: int | None) -> VillageMaterial:
    return VillageMaterial.objects.create(created_by_id=by_user_id, **material_clean(data=data))


def _material_not_found() -> BalaiError:
    return BalaiError.single(
        "material", "not_found", "Materi tidak ditemukan.", "Material not found.", status=404
    )


@transaction.atomic
def material_update(*, material_id, data: dict) -> VillageMaterial:
    """Correct one of the village's own materials; fields not given keep their value."""
    material = (
        VillageMaterial.objects.select_for_update().filter(pk=material_id).first()
        if str(material_id).isdigit()
        else None
    )
    if material is None:
        raise _material_not_found()
    current = {f: getattr(material, f) for f in ("title", "summary", "topic", "kind", "url")}
    fields = material_clean(data={**current, **data})
    for name, value in fields.items():
        setattr(material, name, value)
    material.save(update_fields=[*fields, "updated_at"])
    return material


@transaction.atomic
def material_delete(*, material_id) -> None:
    deleted = (
        VillageMaterial.objects.filter(pk=material_id).delete()[0]
        if str(material_id).isdigit()
        else 0
    )
    if not deleted:
        raise _material_not_found()
