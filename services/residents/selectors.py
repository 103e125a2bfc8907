"""Reads of the population register that the API and the pages share.

Run with the village schema active. Every list is built as one query (plus the count of
the paginator): related rows come by joins or correlated subqueries, never per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from balai.errors import BalaiError
from services.residents.models import Family, PopulationEvent, Resident
from services.residents.reference import ARRIVAL_EVENTS

NOT_FOUND = ("Data tidak ditemukan.", "Not found.")


@dataclass(frozen=True)
class ResidentFilters:
    status: str | None = None
    sex: str | None = None
    dusun: int | None = None
    rw: int | None = None
    rt: int | None = None
    family: int | None = None
    name: str | None = None
    nik: str | None = None
    kk_number: str | None = None

    @classmethod
    def for_term(cls, term: str) -> ResidentFilters:
        """The "NIK or name" box of the staff pages: digits search the NIK, else the name."""
        return cls(nik=term) if term.isdigit() else cls(name=term)

    def used(self) -> dict[str, Any]:
        """The filters given, for the audit row: codes and ids as they are, but only the
        *names* of the personal search terms (a searched NIK is itself personal data)."""
        out: dict[str, Any] = {}
        for key in ("status", "sex", "dusun", "rw", "rt", "family"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        searched = [key for key in ("name", "nik", "kk_number") if getattr(self, key)]
        if searched:
            out["searched_by"] = searched
        return out


def resident_list(*, filters: ResidentFilters) -> QuerySet[Resident]:
    residents = Resident.objects.select_related("family", "rt__parent__parent")
    if filters.status:
        residents = residents.filter(status=filters.status)
    if filters.sex:
        residents = residents.filter(sex=filters.sex)
    if filters.rt:
        residents = residents.filter(rt_id=filters.rt)
    if filters.rw:
        residents = residents.filter(rt__parent_id=filters.rw)
    if filters.dusun:
        residents = residents.filter(rt__parent__parent_id=filters.dusun)
    if filters.family:
        residents = residents.filter(family_id=filters.family)
    if filters.name:
        # UPPER(full_name) LIKE UPPER('%x%'): served by resident_name_trgm_idx.
        residents = residents.filter(full_name__icontains=filters.name.strip())
    if filters.nik:
        nik = filters.nik.strip()
        residents = (
            residents.filter(nik=nik) if len(nik) == 16 else residents.filter(nik__startswith=nik)
        )
    if filters.kk_number:
        kk = filters.kk_number.strip()
        if len(kk) == 16:
            residents = residents.filter(family__kk_number=kk)
        else:
            residents = residents.filter(family__kk_number__startswith=kk)
    return residents.order_by("full_name", "id")


def resident_get(*, resident_id: int) -> Resident:
    resident = (
        Resident.objects.select_related("family", "rt__parent__parent")
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise BalaiError.single("id", "not_found", *NOT_FOUND, status=404)
    return resident


def residents_as_of(*, date: datetime.date) -> QuerySet[Resident]:
    """The register as it stood at the end of ``date``.

    A person is in it when their latest event on or before that date is an arrival
    (registration, birth, moving in, being found). Events are history, never edited, so
    this holds for any past date.
    """
    latest_kind = (
        PopulationEvent.objects.filter(resident=OuterRef("pk"), event_date__lte=date)
        .order_by("-event_date", "-id")
        .values("kind")[:1]
    )
    return (
        Resident.objects.annotate(kind_as_of=Subquery(latest_kind))
        .filter(kind_as_of__in=[str(kind) for kind in ARRIVAL_EVENTS])
        .order_by("full_name", "id")
    )


def resident_events(*, resident: Resident) -> QuerySet[PopulationEvent]:
    return PopulationEvent.objects.filter(resident=resident).order_by("event_date", "id")


def event_list(
    *,
    kind: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[PopulationEvent]:
    """The buku mutasi penduduk: population events, newest first."""
    events = PopulationEvent.objects.select_related("resident")
    if kind:
        events = events.filter(kind=kind)
    if date_from:
        events = events.filter(event_date__gte=date_from)
    if date_to:
        events = events.filter(event_date__lte=date_to)
    return events.order_by("-event_date", "-id")


def family_list(
    *, kk_number: str | None = None, dusun: int | None = None, rt: int | None = None
) -> QuerySet[Family]:
    # A correlated count per family on the page, not a GROUP BY over the whole register:
    # PostgreSQL computes it only for the 50 rows that are returned.
    member_count = (
        Resident.objects.filter(family=OuterRef("pk"))
        .order_by()
        .values("family")
        .annotate(n=Count("*"))
        .values("n")
    )
    families = Family.objects.select_related("head", "rt__parent__parent").annotate(
        member_count=Coalesce(Subquery(member_count), 0)
    )
    if kk_number:
        kk = kk_number.strip()
        families = (
            families.filter(kk_number=kk)
            if len(kk) == 16
            else families.filter(kk_number__startswith=kk)
        )
    if rt:
        families = families.filter(rt_id=rt)
    if dusun:
        families = families.filter(rt__parent__parent_id=dusun)
    return families.order_by("kk_number")


def family_get(*, family_id: int) -> Family:
    family = (
        Family.objects.select_related("head", "rt__parent__parent").filter(pk=family_id).first()
    )
    if family is None:
        raise BalaiError.single("id", "not_found", *NOT_FOUND, status=404)
    return family


def family_members(*, family: Family) -> QuerySet[Resident]:
    return Resident.objects.filter(family=family).order_by("birth_date", "id")


def family_of_resident(*, resident_id: int) -> tuple[Family | None, list[Resident]]:
    """A resident's own family card and its members (what the resident may see)."""
    family_id = Resident.objects.filter(pk=resident_id).values_list("family_id", flat=True).first()
    if family_id is None:
        return None, []
    family = family_get(family_id=family_id)
    return family, list(family_members(family=family))
