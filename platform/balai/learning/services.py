"""Writes of the public-schema Smart People data: kecamatan programmes and their
registrations, shared learning materials, and the digital-adoption summary rows.

Kecamatan registrations are written from a village host (the resident's own village) into
the public schema; attendance is taken by the kecamatan's supervisor on the public host.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from balai.accounts.models import SupervisorScope, User
from balai.errors import BalaiError
from balai.learning import seating
from balai.learning.certificates import Certificate, certificate_check
from balai.learning.models import (
    KecamatanProgramme,
    KecamatanRegistration,
    LearningMaterial,
    ProgrammeStatus,
    VillageDigitalAdoption,
)
from balai.learning.target_groups import Person, target_group_check
from balai.learning.validation import material_clean, programme_clean, programme_values
from tenants.models import Village


def _not_found(field: str) -> BalaiError:
    return BalaiError.single(field, "not_found", "Data tidak ditemukan.", "Not found.", status=404)


def kecamatans_organised(*, user: User) -> list[str]:
    """Kecamatan codes the user supervises as a kecamatan supervisor (scope exactly there).

    A kabupaten supervisor reads figures under their kabupaten but organises nothing:
    kecamatan programmes belong to the kecamatan (camat's office).
    """
    if not user.is_authenticated or getattr(user, "is_resident", False):
        return []
    codes = SupervisorScope.objects.filter(user_id=user.pk).values_list("region_id", flat=True)
    return [code for code in codes if code.count(".") == 2]


def kecamatan_programme_get_for_organiser(*, user: User, programme_id) -> KecamatanProgramme:
    """The programme, if the user organises its kecamatan; "not found" otherwise."""
    if not str(programme_id).isdigit():
        raise _not_found("programme")
    programme = KecamatanProgramme.objects.filter(
        pk=programme_id, kecamatan_code__in=kecamatans_organised(user=user)
    ).first()
    if programme is None:
        raise _not_found("programme")
    return programme


@transaction.atomic
def kecamatan_programme_create(*, user: User, data: dict) -> KecamatanProgramme:
    kecamatan_code = str(data.get("kecamatan_code") or "")
    organised = kecamatans_organised(user=user)
    if not kecamatan_code and len(organised) == 1:
        kecamatan_code = organised[0]
    if kecamatan_code not in organised:
        raise BalaiError.single(
            "kecamatan_code",
            "not_your_kecamatan",
            "Anda hanya dapat membuat program untuk kecamatan yang Anda bina.",
            "You can only organise programmes for your own kecamatan.",
            status=403,
        )
    fields = programme_clean(data={k: v for k, v in data.items() if k != "kecamatan_code"})
    return KecamatanProgramme.objects.create(
        kecamatan_code=kecamatan_code, created_by_id=user.pk, **fields
    )


@transaction.atomic
def kecamatan_programme_update(*, user: User, programme_id, data: dict) -> KecamatanProgramme:
    kecamatan_programme_get_for_organiser(user=user, programme_id=programme_id)
    programme = KecamatanProgramme.objects.select_for_update().get(pk=programme_id)
    fields = programme_clean(data=data, current=programme_values(programme))
    seating.capacity_check(programme=programme, capacity=fields["capacity"])
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save(update_fields=[*fields, "updated_at"])
    seating.seats_fill(programme=programme)
    return programme


def _visible_programme_locked(*, village: Village, programme_id) -> KecamatanProgramme:
    if not str(programme_id).isdigit():
        raise _not_found("programme")
    programme = (
        KecamatanProgramme.objects.select_for_update()
        .filter(pk=programme_id, kecamatan_code=village.kecamatan_code)
        .exclude(status=ProgrammeStatus.DRAFT)
        .first()
    )
    if programme is None:
        raise _not_found("programme")
    return programme


@transaction.atomic
def kecamatan_registration_create(
    *,
    village: Village,
    resident_id: int,
    display_name: str,
    phone: str,
    person: Person,
    programme_id,
    registered_by_id: int | None = None,
) -> KecamatanRegistration:
    """Register a resident of ``village`` (taken from the host, never the request body).
    ``person`` describes them from the village register, for the target-group check."""
    # Locked so two villages' residents registering at once cannot both take the last seat.
    programme = _visible_programme_locked(village=village, programme_id=programme_id)
    target_group_check(
        target_group=programme.target_group,
        person=person,
        on_date=timezone.localtime(programme.starts_at).date(),
    )
    return seating.seat_register(
        programme=programme,
        who={"village_code": village.region_id, "resident_id": resident_id},
        extra={
            "display_name": display_name[:120],
            "phone": (phone or "")[:20],
            "registered_by_id": registered_by_id,
        },
        now=timezone.now(),
    )


@transaction.atomic
def kecamatan_registration_cancel(
    *, village: Village, registration_id, resident_id: int | None
) -> KecamatanRegistration:
    """Cancel a registration of a resident of ``village``: their own (``resident_id``) or,
    with ``resident_id=None``, any of the village's (staff)."""
    rows = KecamatanRegistration.objects.filter(village_code=village.region_id)
    if resident_id is not None:
        rows = rows.filter(resident_id=resident_id)
    found = rows.filter(pk=registration_id).values_list("programme_id", flat=True).first()
    if found is None or not str(registration_id).isdigit():
        raise _not_found("registration")
    programme = KecamatanProgramme.objects.select_for_update().get(pk=found)
    registration = KecamatanRegistration.objects.select_for_update().get(pk=registration_id)
    seating.seat_cancel(programme=programme, registration=registration, now=timezone.now())
    return registration


@transaction.atomic
def kecamatan_attendance_mark(
    *, user: User, programme_id, registration_ids: list
) -> list[KecamatanRegistration]:
    kecamatan_programme_get_for_organiser(user=user, programme_id=programme_id)
    programme = KecamatanProgramme.objects.select_for_update().get(pk=programme_id)
    if not isinstance(registration_ids, list):
        registration_ids = []
    return seating.attendance_mark(
        programme=programme, registration_ids=registration_ids, now=timezone.now()
    )


def kecamatan_certificate(registration: KecamatanRegistration) -> Certificate:
    certificate_check(registration)
    scheme = "https" if settings.PRODUCTION else "http"
    programme = registration.programme
    return Certificate(
        programme_title=programme.title,
        organiser=f"Kecamatan {programme.kecamatan_code}",
        person_name=registration.display_name,
        starts_at=programme.starts_at,
        attended_at=registration.attended_at,
        code=registration.certificate_code,
        verification_url=(
            f"{scheme}://{settings.BALAI_BASE_DOMAIN}/api/learning/certificates/"
            f"{registration.certificate_code}/"
        ),
    )


# -- learning materials shared by all villages ------------------------------------------------


@transaction.atomic
def material_create(*, user: User, data: dict) -> LearningMaterial:
    return LearningMaterial.objects.create(created_by=user, **material_clean(data=data))


@transaction.atomic
def material_update(*, material: LearningMaterial, data: dict) -> LearningMaterial:
    current = {f: getattr(material, f) for f in ("title", "summary", "topic", "kind", "url")}
    fields = material_clean(data={**current, **data})
    for name, value in fields.items():
        setattr(material, name, value)
    material.save(update_fields=[*fields, "updated_at"])
    return material


# -- digital adoption, written by the worker --------------------------------------------------


@dataclass(frozen=True)
class AdoptionFigures:
    families_total: int
    families_with_account: int
    letters_total: int
    letters_online: int
    programmes_held: int
    village_attendances: int


def adoption_write(*, village: Village, village_name: str, figures: AdoptionFigures) -> None:
    """Upsert the village's row; kecamatan attendances are counted here from public rows."""
    kecamatan_attendances = KecamatanRegistration.objects.filter(
        village_code=village.region_id, attended_at__isnull=False
    ).count()
    row = VillageDigitalAdoption(
        village_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        village_name=village_name,
        kecamatan_attendances=kecamatan_attendances,
        refreshed_at=timezone.now(),
        **figures.__dict__,
    )
    # An upsert: two refreshes of a new village at once would race to INSERT the same key.
    VillageDigitalAdoption.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["village_code"],
        update_fields=[
            "kecamatan_code",
            "kabupaten_code",
            "village_name",
            "kecamatan_attendances",
            "refreshed_at",
            *figures.__dict__,
        ],
    )


def adoption_withdraw(*, village_code: str) -> int:
    removed, _ = VillageDigitalAdoption.objects.filter(village_code=village_code).delete()
    return removed
