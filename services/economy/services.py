"""Writes of the village economy. Run with the village schema active.

Every change that can alter what the public catalog shows queues a publish of the affected
products once the transaction commits (services.economy.tasks); the publish reads the
current state, so the order in which those messages arrive does not matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from balai.errors import BalaiError
from services.economy import tasks
from services.economy.models import (
    BUSINESS_PHOTO_LIMIT,
    POTENTIAL_PHOTO_LIMIT,
    PRODUCT_PHOTO_LIMIT,
    Bumdes,
    BumdesUnit,
    BumdesUnitKind,
    BumdesUnitYear,
    Business,
    BusinessStatus,
    Potential,
    PotentialCategory,
    Product,
    ProductCategory,
    Sector,
    StockStatus,
    Unit,
)
from services.economy.validation import (
    choice_check,
    nib_check,
    photo_limit_check,
    price_check,
    text_check,
    whatsapp_normalise,
)
from services.events.services import event_record
from services.residents.models import Resident
from services.village.images import images_delete_on_commit, images_prepare, images_stored
from services.village.models import Area, AreaLevel

BUSINESS_EDITABLE = {"name", "sector", "nib", "rt", "address", "whatsapp", "description"}
PRODUCT_EDITABLE = {"name", "price", "unit", "category", "stock", "description"}
REASON_MAX = 300


def _not_found(field: str) -> BalaiError:
    return BalaiError.single(field, "not_found", "Data tidak ditemukan.", "Not found.", status=404)


def _rt_check(value: object) -> Area | None:
    if value in (None, ""):
        return None
    try:
        return Area.objects.get(pk=int(value), level=AreaLevel.RT)
    except (Area.DoesNotExist, TypeError, ValueError):
        raise BalaiError.single(
            "rt", "invalid_rt", "RT tidak ditemukan di desa ini.", "No such RT in this village."
        ) from None


def _business_values(data: dict, *, partial: bool) -> dict:
    """Check the given business fields; unknown keys are ignored, like a form would."""
    checks = {
        "name": lambda v: text_check(v, field="name", max_length=120),
        "sector": lambda v: choice_check(v, field="sector", choices=Sector),
        "nib": nib_check,
        "rt": _rt_check,
        "address": lambda v: text_check(v, field="address", max_length=255, required=False),
        "whatsapp": whatsapp_normalise,
        "description": lambda v: text_check(
            v, field="description", max_length=5000, required=False
        ),
    }
    required = () if partial else ("name", "sector", "whatsapp")
    for name in required:
        if data.get(name) in (None, ""):
            raise BalaiError.single(
                name, "required", f"{name} wajib diisi.", f"{name} is required."
            )
    return {name: check(data[name]) for name, check in checks.items() if name in data}


def _reason_check(reason: str) -> str:
    return text_check(reason, field="reason", max_length=REASON_MAX)


@transaction.atomic
def _business_save(business: Business, values: dict) -> Business:
    for name, value in values.items():
        setattr(business, name, value)
    business.save()
    return business


def business_register(*, owner: Resident, data: dict, photos: Sequence = ()) -> Business:
    """Register a resident's business as a draft, by the resident or by staff for them."""
    values = _business_values(data, partial=False)
    photo_limit_check(current=0, adding=len(photos), limit=BUSINESS_PHOTO_LIMIT)
    prepared = images_prepare(photos, folder="economy")
    with images_stored(prepared) as paths, transaction.atomic():
        business = Business(owner=owner, photos=paths)
        _business_save(business, values)
        event_record(name="economy.business_registered", payload={"business_id": business.pk})
        tasks.summary_refresh_queue()
    return business


@transaction.atomic
def business_update(*, business: Business, data: dict) -> Business:
    values = _business_values(
        {k: v for k, v in data.items() if k in BUSINESS_EDITABLE}, partial=True
    )
    business = Business.objects.select_for_update().get(pk=business.pk)
    _business_save(business, values)
    tasks.business_publish_queue(business_id=business.pk)
    return business


def _business_locked(business: Business) -> Business:
    return Business.objects.select_for_update().get(pk=business.pk)


def _status_error(business: Business) -> BalaiError:
    return BalaiError.single(
        "status",
        "wrong_status",
        f"Tidak bisa dilakukan pada usaha berstatus {business.get_status_display()}.",
        f"Not possible for a business in status {business.status}.",
        status=409,
    )


@transaction.atomic
def business_submit(*, business: Business) -> Business:
    """The owner (or staff for them) asks staff to verify the business."""
    business = _business_locked(business)
    if business.status not in (BusinessStatus.DRAFT, BusinessStatus.REJECTED):
        raise _status_error(business)
    business.status = BusinessStatus.SUBMITTED
    business.save(update_fields=["status", "updated_at"])
    return business


@transaction.atomic
def business_verify(*, business: Business, by_user_id: int) -> Business:
    business = _business_locked(business)
    if business.status != BusinessStatus.SUBMITTED:
        raise _status_error(business)
    business.status = BusinessStatus.VERIFIED
    business.rejection_reason = ""
    business.verified_at = timezone.now()
    business.save(update_fields=["status", "rejection_reason", "verified_at", "updated_at"])
    event_record(
        name="economy.business_verified",
        payload={"business_id": business.pk, "by_user_id": by_user_id},
    )
    tasks.business_publish_queue(business_id=business.pk)
    return business


@transaction.atomic
def business_reject(*, business: Business, reason: str, by_user_id: int) -> Business:
    """Reject a submitted business, or withdraw the verification of a verified one."""
    reason = _reason_check(reason)
    business = _business_locked(business)
    if business.status not in (BusinessStatus.SUBMITTED, BusinessStatus.VERIFIED):
        raise _status_error(business)
    business.status = BusinessStatus.REJECTED
    business.rejection_reason = reason
    business.verified_at = None
    business.save(update_fields=["status", "rejection_reason", "verified_at", "updated_at"])
    event_record(
        name="economy.business_rejected",
        payload={"business_id": business.pk, "by_user_id": by_user_id},
    )
    tasks.business_publish_queue(business_id=business.pk)
    return business


def business_owner_get(owner_id: object) -> Resident:
    """The resident staff name as a business's owner: one of this village's residents."""
    owner = Resident.objects.filter(pk=owner_id).first() if str(owner_id).isdigit() else None
    if owner is None:
        raise BalaiError.single(
            "owner_id",
            "owner_required",
            "Pilih pemilik usaha dari daftar penduduk desa ini.",
            "Choose the owner from this village's residents.",
        )
    return owner


@transaction.atomic
def business_photo_remove(*, business: Business, index: int) -> Business:
    business = _business_locked(business)
    if not 0 <= index < len(business.photos):
        raise _not_found("photo")
    removed = business.photos[index]
    business.photos = [p for i, p in enumerate(business.photos) if i != index]
    business.save(update_fields=["photos", "updated_at"])
    images_delete_on_commit([removed])
    tasks.business_publish_queue(business_id=business.pk)
    return business


def business_photos_add(*, business: Business, uploads: Sequence) -> Business:
    photo_limit_check(current=len(business.photos), adding=len(uploads), limit=BUSINESS_PHOTO_LIMIT)
    prepared = images_prepare(uploads, folder="economy")
    with images_stored(prepared) as paths, transaction.atomic():
        business = _business_locked(business)
        # Checked again under the lock: two uploads at once must not pass the limit together.
        photo_limit_check(
            current=len(business.photos), adding=len(paths), limit=BUSINESS_PHOTO_LIMIT
        )
        business.photos = [*business.photos, *paths]
        business.save(update_fields=["photos", "updated_at"])
    return business


# -- products --------------------------------------------------------------------------------


def _product_values(data: dict, *, partial: bool) -> dict:
    checks = {
        "name": lambda v: text_check(v, field="name", max_length=120),
        "price": price_check,
        "unit": lambda v: choice_check(v, field="unit", choices=Unit),
        "category": lambda v: choice_check(v, field="category", choices=ProductCategory),
        "stock": lambda v: choice_check(v, field="stock", choices=StockStatus),
        "description": lambda v: text_check(
            v, field="description", max_length=5000, required=False
        ),
    }
    required = () if partial else ("name", "price", "unit", "category")
    for name in required:
        if data.get(name) in (None, ""):
            raise BalaiError.single(
                name, "required", f"{name} wajib diisi.", f"{name} is required."
            )
    return {name: check(data[name]) for name, check in checks.items() if name in data}


def product_create(*, business: Business, data: dict, photos: Sequence = ()) -> Product:
    values = _product_values(data, partial=False)
    photo_limit_check(current=0, adding=len(photos), limit=PRODUCT_PHOTO_LIMIT)
    prepared = images_prepare(photos, folder="economy")
    with images_stored(prepared) as paths, transaction.atomic():
        product = Product.objects.create(business=business, photos=paths, **values)
        tasks.products_publish_queue(product_ids=[product.pk])
    return product


@transaction.atomic
def product_update(*, product: Product, data: dict) -> Product:
    values = _product_values({k: v for k, v in data.items() if k in PRODUCT_EDITABLE}, partial=True)
    product = Product.objects.select_for_update().get(pk=product.pk)
    for name, value in values.items():
        setattr(product, name, value)
    product.save(update_fields=[*values.keys(), "updated_at"])
    tasks.products_publish_queue(product_ids=[product.pk])
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    product_id = product.pk
    images_delete_on_commit(product.photos)
    product.delete()
    tasks.products_publish_queue(product_ids=[product_id])


def product_photos_add(*, product: Product, uploads: Sequence) -> Product:
    photo_limit_check(current=len(product.photos), adding=len(uploads), limit=PRODUCT_PHOTO_LIMIT)
    prepared = images_prepare(uploads, folder="economy")
    with images_stored(prepared) as paths, transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        photo_limit_check(current=len(product.photos), adding=len(paths), limit=PRODUCT_PHOTO_LIMIT)
        product.photos = [*product.photos, *paths]
        product.save(update_fields=["photos", "updated_at"])
        tasks.products_publish_queue(product_ids=[product.pk])
    return product


@transaction.atomic
def product_photo_remove(*, product: Product, index: int) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not 0 <= index < len(product.photos):
        raise _not_found("photo")
    removed = product.photos[index]
    product.photos = [p for i, p in enumerate(product.photos) if i != index]
    product.save(update_fields=["photos", "updated_at"])
    images_delete_on_commit([removed])
    tasks.products_publish_queue(product_ids=[product.pk])
    return product


@transaction.atomic
def product_hide(*, product: Product, reason: str, by_user_id: int) -> Product:
    """Staff moderation: the listing leaves the catalogs; the owner sees why."""
    reason = _reason_check(reason)
    product = Product.objects.select_for_update().get(pk=product.pk)
    product.hidden = True
    product.hidden_reason = reason
    product.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    event_record(
        name="economy.product_hidden", payload={"product_id": product.pk, "by_user_id": by_user_id}
    )
    tasks.products_publish_queue(product_ids=[product.pk])
    return product


@transaction.atomic
def product_unhide(*, product: Product, by_user_id: int) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    product.hidden = False
    product.hidden_reason = ""
    product.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    event_record(
        name="economy.product_unhidden",
        payload={"product_id": product.pk, "by_user_id": by_user_id},
    )
    tasks.products_publish_queue(product_ids=[product.pk])
    return product


# -- BUMDes ----------------------------------------------------------------------------------


def _year_check(value: object, *, field: str) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        year = 0
    if not 1900 <= year <= timezone.now().year + 1:
        raise BalaiError.single(
            field, "invalid_year", "Tahun tidak valid.", "The year is not valid."
        )
    return year


def _amount_check(value: object, *, field: str, allow_negative: bool) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise BalaiError.single(
            field, "invalid_amount", "Jumlah harus berupa angka.", "The amount must be a number."
        )
    if not allow_negative and amount < 0:
        raise BalaiError.single(
            field,
            "negative_amount",
            "Jumlah tidak boleh negatif.",
            "The amount cannot be negative.",
        )
    if abs(amount) >= Decimal("1e14"):
        raise BalaiError.single(
            field, "invalid_amount", "Jumlah terlalu besar.", "The amount is too large."
        )
    return amount


@transaction.atomic
def bumdes_save(*, data: dict) -> Bumdes:
    values = {
        "name": text_check(data.get("name"), field="name", max_length=160),
        "legal_basis": text_check(
            data.get("legal_basis"), field="legal_basis", max_length=255, required=False
        ),
        "description": text_check(
            data.get("description"), field="description", max_length=5000, required=False
        ),
        "year_founded": (
            _year_check(data["year_founded"], field="year_founded")
            if data.get("year_founded") not in (None, "")
            else None
        ),
    }
    bumdes, _ = Bumdes.objects.update_or_create(id=1, defaults=values)
    tasks.summary_refresh_queue()
    return bumdes


@transaction.atomic
def bumdes_unit_create(*, data: dict) -> BumdesUnit:
    bumdes = Bumdes.objects.filter(id=1).first()
    if bumdes is None:
        raise BalaiError.single(
            "bumdes",
            "no_bumdes",
            "Isi data BUMDes terlebih dahulu.",
            "Enter the BUMDes first.",
            status=409,
        )
    return BumdesUnit.objects.create(bumdes=bumdes, **_unit_values(data))


def _unit_values(data: dict) -> dict:
    return {
        "name": text_check(data.get("name"), field="name", max_length=120),
        "kind": choice_check(data.get("kind"), field="kind", choices=BumdesUnitKind),
        "description": text_check(
            data.get("description"), field="description", max_length=5000, required=False
        ),
    }


@transaction.atomic
def bumdes_unit_update(*, unit: BumdesUnit, data: dict) -> BumdesUnit:
    values = _unit_values(data)
    unit = BumdesUnit.objects.select_for_update().get(pk=unit.pk)
    for name, value in values.items():
        setattr(unit, name, value)
    unit.save(update_fields=list(values))
    return unit


@transaction.atomic
def bumdes_unit_delete(*, unit: BumdesUnit) -> None:
    """Remove a unit with its yearly figures; the BUMDes totals are recomputed."""
    unit.delete()
    tasks.summary_refresh_queue()


@transaction.atomic
def bumdes_unit_year_report(*, unit: BumdesUnit, year: object, data: dict) -> BumdesUnitYear:
    """Staff report a unit's figures for a year; reporting again corrects them."""
    year = _year_check(year, field="year")
    revenue = _amount_check(data.get("revenue"), field="revenue", allow_negative=False)
    profit = _amount_check(data.get("profit"), field="profit", allow_negative=True)
    row, _ = BumdesUnitYear.objects.update_or_create(
        unit=unit, year=year, defaults={"revenue": revenue, "profit": profit}
    )
    tasks.summary_refresh_queue()
    return row


# -- village potential -----------------------------------------------------------------------


def _figure(value: object, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    return _amount_check(value, field=field, allow_negative=False)


def _potential_values(data: dict) -> dict:
    count = data.get("count")
    if count not in (None, ""):
        try:
            count = int(str(count))
        except ValueError:
            count = -1
        if count < 0:
            raise BalaiError.single(
                "count",
                "invalid_count",
                "Jumlah harus bilangan bulat tidak negatif.",
                "The count must be a whole number, not negative.",
            )
    else:
        count = None
    return {
        "category": choice_check(data.get("category"), field="category", choices=PotentialCategory),
        "name": text_check(data.get("name"), field="name", max_length=120),
        "description": text_check(
            data.get("description"), field="description", max_length=5000, required=False
        ),
        "area_ha": _figure(data.get("area_ha"), field="area_ha"),
        "production_tonnes_per_year": _figure(
            data.get("production_tonnes_per_year"), field="production_tonnes_per_year"
        ),
        "count": count,
        "count_unit": text_check(
            data.get("count_unit"), field="count_unit", max_length=40, required=False
        ),
    }


def potential_create(*, data: dict, photos: Sequence = ()) -> Potential:
    values = _potential_values(data)
    photo_limit_check(current=0, adding=len(photos), limit=POTENTIAL_PHOTO_LIMIT)
    prepared = images_prepare(photos, folder="economy")
    with images_stored(prepared) as paths, transaction.atomic():
        return Potential.objects.create(photos=paths, **values)


@transaction.atomic
def potential_update(*, potential: Potential, data: dict) -> Potential:
    """Correct a potential's text and figures (every field, as the create form sends them);
    its photos stay."""
    values = _potential_values(data)
    potential = Potential.objects.select_for_update().get(pk=potential.pk)
    for name, value in values.items():
        setattr(potential, name, value)
    potential.save(update_fields=[*values, "updated_at"])
    return potential


@transaction.atomic
def potential_delete(*, potential: Potential) -> None:
    images_delete_on_commit(potential.photos)
    potential.delete()
