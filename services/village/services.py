"""Writes for a village's own settings. Run with the village schema active."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from balai.errors import BalaiError
from services.complaints.seed import complaints_defaults_seed
from services.letters.services import letters_seed
from services.news.services import categories_seed
from services.residents.models import Resident
from services.village.home_cache import home_cache_forget
from services.village.images import image_delete, image_encode, image_store
from services.village.models import Area, AreaLevel, Official, VillageProfile

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
    complaints_defaults_seed()
    categories_seed()
    return profile


# What staff may change; the name, region and local term come from onboarding, the counts
# from the stats task.
PROFILE_EDITABLE_FIELDS = frozenset(
    {
        "head_title",
        "secretary_title",
        "address",
        "phone",
        "email",
        "service_hours",
        "history",
        "vision",
        "mission",
        "latitude",
        "longitude",
    }
)


@transaction.atomic
def village_profile_update(
    *, changes: dict, logo=None, logo_remove: bool = False
) -> VillageProfile:
    """Change the editable fields and, with ``logo`` (an upload), replace the logo, or with
    ``logo_remove`` drop it. Every check runs before the new logo file is written."""
    unknown = sorted(set(changes) - PROFILE_EDITABLE_FIELDS)
    if unknown:
        raise BalaiError.single(
            unknown[0],
            "not_editable",
            f"Kolom {unknown[0]} tidak dapat diubah di sini.",
            f"The field {unknown[0]} cannot be changed here.",
        )
    logo_data = image_encode(logo, field="logo") if logo is not None else None
    profile = VillageProfile.objects.select_for_update().get(id=1)
    for name, value in changes.items():
        setattr(profile, name, value)
    _location_check(profile.latitude, profile.longitude)
    update_fields = [*changes.keys(), "updated_at"]
    old_logo = profile.logo
    if logo_data is not None:
        profile.logo = image_store(data=logo_data, folder="logo")
    elif logo_remove:
        profile.logo = ""
    if profile.logo != old_logo:
        update_fields.append("logo")
    try:
        profile.save(update_fields=update_fields)
    except Exception:
        if logo_data is not None:
            image_delete(profile.logo)
        raise
    if old_logo and old_logo != profile.logo:
        transaction.on_commit(lambda: image_delete(old_logo))
    home_cache_forget()
    return profile


def _location_check(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise BalaiError.single(
            missing,
            "location_incomplete",
            "Lokasi perlu lintang dan bujur sekaligus.",
            "A location needs both latitude and longitude.",
        )
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        raise BalaiError.single(
            "latitude",
            "out_of_range",
            "Lintang harus antara -90 dan 90.",
            "Latitude must be between -90 and 90.",
        )
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        raise BalaiError.single(
            "longitude",
            "out_of_range",
            "Bujur harus antara -180 dan 180.",
            "Longitude must be between -180 and 180.",
        )


# -- officials (perangkat desa) --------------------------------------------------------------

OFFICIAL_FIELDS = ("name", "position", "order", "active")


def _official_check(official: Official) -> None:
    for name, label in (("name", "Nama"), ("position", "Jabatan")):
        if not getattr(official, name).strip():
            raise BalaiError.single(
                name, "required", f"{label} wajib diisi.", f"The {name} is required."
            )


def _photo_replace(official: Official, photo) -> str:
    """Encode and store a new photo (raises before anything is written); returns the old
    path, to delete once the change is committed."""
    old = official.photo
    official.photo = image_store(data=image_encode(photo, field="photo"), folder="officials")
    return old


@transaction.atomic
def official_create(*, data: dict, photo=None) -> Official:
    official = Official(**{k: v for k, v in data.items() if k in OFFICIAL_FIELDS})
    _official_check(official)
    if photo is not None:
        _photo_replace(official, photo)
    try:
        official.save()
    except Exception:
        image_delete(official.photo)
        raise
    home_cache_forget()
    return official


@transaction.atomic
def official_update(*, official_id: int, changes: dict, photo=None) -> Official:
    official = _official_get_for_update(official_id)
    for name, value in changes.items():
        if name in OFFICIAL_FIELDS:
            setattr(official, name, value)
    _official_check(official)
    old_photo = _photo_replace(official, photo) if photo is not None else None
    try:
        official.save()
    except Exception:
        if old_photo is not None:
            image_delete(official.photo)
        raise
    if old_photo:
        transaction.on_commit(lambda: image_delete(old_photo))
    home_cache_forget()
    return official


@transaction.atomic
def official_delete(*, official_id: int) -> None:
    official = _official_get_for_update(official_id)
    photo = official.photo
    official.delete()
    transaction.on_commit(lambda: image_delete(photo))
    home_cache_forget()


def _official_get_for_update(official_id: int) -> Official:
    official = Official.objects.select_for_update().filter(pk=official_id).first()
    if official is None:
        raise BalaiError.single(
            "id", "not_found", "Perangkat desa tidak ditemukan.", "Official not found.", status=404
        )
    return official


# -- areas (dusun -> RW -> RT) ---------------------------------------------------------------

# The only parent level each level accepts: RW sit in a dusun, RT in an RW.
PARENT_LEVEL = {AreaLevel.DUSUN: None, AreaLevel.RW: AreaLevel.DUSUN, AreaLevel.RT: AreaLevel.RW}


def _area_check(*, level: str, name: str, parent: Area | None) -> None:
    if level not in AreaLevel.values:
        raise BalaiError.single(
            "level",
            "invalid_choice",
            "Tingkat wilayah harus dusun, rw atau rt.",
            "The level must be dusun, rw or rt.",
        )
    if not name.strip():
        raise BalaiError.single("name", "required", "Nama wajib diisi.", "The name is required.")
    expected = PARENT_LEVEL[AreaLevel(level)]
    if expected is None and parent is not None:
        raise BalaiError.single(
            "parent",
            "dusun_has_no_parent",
            "Dusun tidak berada di bawah wilayah lain.",
            "A dusun has no parent area.",
        )
    if expected is not None and (parent is None or parent.level != expected):
        raise BalaiError.single(
            "parent",
            "wrong_parent_level",
            f"{AreaLevel(level).label} harus berada di bawah {expected.label}.",
            f"An {AreaLevel(level).label} must sit under a {expected.label}.",
        )


def _area_parent(parent_id: int | None) -> Area | None:
    if parent_id is None:
        return None
    parent = Area.objects.filter(pk=parent_id).first()
    if parent is None:
        raise BalaiError.single(
            "parent", "not_found", "Wilayah induk tidak ditemukan.", "Parent area not found."
        )
    return parent


def _area_duplicate() -> BalaiError:
    return BalaiError.single(
        "name",
        "duplicate",
        "Nama wilayah ini sudah ada di bawah induk yang sama.",
        "An area with this name already exists under the same parent.",
    )


@transaction.atomic
def area_create(*, level: str, name: str, parent_id: int | None = None) -> Area:
    parent = _area_parent(parent_id)
    name = (name or "").strip()
    _area_check(level=level, name=name, parent=parent)
    try:
        with transaction.atomic():
            area = Area.objects.create(level=level, name=name, parent=parent)
    except IntegrityError:
        raise _area_duplicate() from None
    home_cache_forget()
    return area


@transaction.atomic
def area_update(*, area_id: int, name: str | None = None, parent_id: int | None = None) -> Area:
    """Rename an area or move it under another parent of the right level."""
    area = _area_get_for_update(area_id)
    parent = _area_parent(parent_id) if parent_id is not None else area.parent
    if name is not None:
        area.name = name.strip()
    _area_check(level=area.level, name=area.name, parent=parent)
    area.parent = parent
    try:
        with transaction.atomic():
            area.save(update_fields=["name", "parent"])
    except IntegrityError:
        raise _area_duplicate() from None
    home_cache_forget()
    return area


@transaction.atomic
def area_delete(*, area_id: int) -> None:
    area = _area_get_for_update(area_id)
    # Also guarded by PROTECT foreign keys; checked first to answer with a clear error.
    in_use = area.children.exists() or area.residents.exists() or area.families.exists()
    if in_use:
        raise BalaiError.single(
            "id",
            "in_use",
            "Wilayah masih punya wilayah di bawahnya atau penduduk; pindahkan dulu.",
            "The area still has areas under it or residents; move them first.",
            status=409,
        )
    area.delete()
    home_cache_forget()


def _area_get_for_update(area_id: int) -> Area:
    area = Area.objects.select_for_update().filter(pk=area_id).first()
    if area is None:
        raise BalaiError.single(
            "id", "not_found", "Wilayah tidak ditemukan.", "Area not found.", status=404
        )
    return area


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
