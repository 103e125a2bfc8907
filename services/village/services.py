"""Writes for a village's own settings. Run with the village schema active."""

from __future__ import annotations

from django.db import transaction

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
    return profile


@transaction.atomic
def village_profile_update(*, changes: dict) -> VillageProfile:
    profile = VillageProfile.objects.select_for_update().get(id=1)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save(update_fields=[*changes.keys(), "updated_at"])
    return profile
