"""Writes for a village's own settings. Run with the village schema active."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from services.letters.services import letters_seed
from services.residents.models import Resident
from services.village.models import Area, AreaLevel, VillageProfile

DEFAULT_HEAD_TITLES = {
    "desa": "Kepala Desa",
    "kampung": "Kepala Kampung",
    "nagari": "Wali Nagari",
    "gampong": "Keuchik",
    "kelurahan": "Lurah",
}


@transaction.atomic
def village_defaults_seed(
    *, name: str, region_code: str, local_term: str, dusun_names: list[str] | None = None
) -> VillageProfile:
    """Seed a new village schema's defaults. Safe to run twice."""
    profile, _ = VillageProfile.objects.update_or_create(
        id=1,
        defaults={
            "name": name,
            "region_code": region_code,
            "local_term": local_term,
            "head_title": DEFAULT_HEAD_TITLES.get(local_term, f"Kepala {local_term.title()}"),
        },
    )
    for dusun in dusun_names or []:
        Area.objects.get_or_create(level=AreaLevel.DUSUN, name=dusun, parent=None)
    letters_seed()
    return profile


@transaction.atomic
def village_profile_update(*, changes: dict) -> VillageProfile:
    profile = VillageProfile.objects.select_for_update().get(id=1)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save(update_fields=[*changes.keys(), "updated_at"])
    return profile


@transaction.atomic
def village_stats_refresh(*, as_of: datetime) -> VillageProfile:
    """Store the village's resident count, stamped ``as_of`` (when the refresh was asked for).

    Idempotent: a repeat with the same ``as_of`` stores the same row. A refresh asked for
    earlier than the stored one changes nothing, so a late redelivery of an old message
    never overwrites newer figures. ``updated_at`` is left alone: it records edits of the
    village's settings, and these figures are not settings.
    """
    count = Resident.objects.count()
    # A conditional UPDATE, not read-then-save: of two concurrent refreshes the newer
    # ``as_of`` wins whichever commits first (PostgreSQL re-checks the WHERE after the lock).
    VillageProfile.objects.filter(
        Q(stats_refreshed_at__isnull=True) | Q(stats_refreshed_at__lte=as_of), id=1
    ).update(resident_count=count, stats_refreshed_at=as_of)
    return VillageProfile.objects.get(id=1)
