"""Reads of the public-schema Smart People tables."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from balai.accounts.models import User
from balai.accounts.selectors import region_is_supervised, supervisor_region_codes
from balai.errors import BalaiError
from balai.learning.models import (
    KecamatanProgramme,
    KecamatanRegistration,
    ProgrammeStatus,
    RegistrationStatus,
    VillageDigitalAdoption,
)
from balai.learning.services import kecamatans_organised


def kecamatan_programmes_for_organiser(*, user: User) -> QuerySet[KecamatanProgramme]:
    return KecamatanProgramme.objects.filter(kecamatan_code__in=kecamatans_organised(user=user))


def kecamatan_programmes_visible(*, kecamatan_code: str) -> QuerySet[KecamatanProgramme]:
    """What residents of a village of that kecamatan see: every programme but drafts."""
    return KecamatanProgramme.objects.filter(kecamatan_code=kecamatan_code).exclude(
        status=ProgrammeStatus.DRAFT
    )


def kecamatan_registrations_of(
    *, village_code: str, resident_id: int | None = None
) -> QuerySet[KecamatanRegistration]:
    rows = KecamatanRegistration.objects.filter(village_code=village_code)
    if resident_id is not None:
        rows = rows.filter(resident_id=resident_id)
    return rows.select_related("programme")


def _rows_under(code: str) -> Q:
    depth = code.count(".") + 1
    if depth == 3:
        return Q(kecamatan_code=code)
    if depth == 2:
        return Q(kabupaten_code=code)
    if depth == 1:
        return Q(kabupaten_code__startswith=code + ".")
    return Q(village_code=code)


def adoption_for(*, user: User, region_code: str | None = None) -> QuerySet[VillageDigitalAdoption]:
    """Figures of the villages the supervisor oversees; a region outside is "not found"."""
    codes = supervisor_region_codes(user=user)
    if region_code:
        if not region_is_supervised(user=user, region_code=region_code):
            raise BalaiError.single(
                "region", "not_found", "Wilayah tidak ditemukan.", "Region not found.", status=404
            )
        codes = [region_code]
    if not codes:
        return VillageDigitalAdoption.objects.none()
    condition = Q()
    for code in codes:
        condition |= _rows_under(code)
    return VillageDigitalAdoption.objects.filter(condition).order_by("village_code")


def programmes_with_seats(programmes: QuerySet) -> QuerySet:
    """Village or kecamatan programmes with their ``confirmed`` and ``waiting`` counts, in
    the same query (the lists show seats left per programme)."""
    return programmes.annotate(
        confirmed=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
    )


def waiting_position(registration) -> int | None:
    """1 for the first on the waiting list; None when the registration is not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        type(registration)
        .objects.filter(programme_id=registration.programme_id, status=RegistrationStatus.WAITING)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, id__lte=registration.pk)
        )
        .count()
    )
