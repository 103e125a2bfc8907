"""Service functions added for the economy and learning follow-up pages: potential and
BUMDes-unit corrections, a business photo's removal, the owner staff name, a kecamatan
registration from a village, and the village's own learning materials."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.errors import BalaiError
from balai.learning.models import KecamatanProgramme, KecamatanRegistration
from services.economy import services as economy
from services.economy.models import Bumdes, BumdesUnit, BumdesUnitYear, Business, Potential
from services.programmes import services as programmes
from services.programmes.models import VillageMaterial
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_village_a(cast):
    with tenant_context(cast.village_a):
        yield cast
    connection.set_schema_to_public()


def _error(excinfo) -> tuple[str, str, str]:
    error = excinfo.value.errors[0]
    return error.field, error.code, error.message_en


def test_potential_update_corrects_every_field(in_village_a):
    potential = Potential.objects.create(category="perkebunan", name="Karet", area_ha=450)

    economy.potential_update(
        potential=potential,
        data={"category": "peternakan", "name": "Sapi", "count": "120", "count_unit": "ekor"},
    )

    potential.refresh_from_db()
    assert (potential.category, potential.name, potential.area_ha) == ("peternakan", "Sapi", None)
    assert (potential.count, potential.count_unit) == (120, "ekor")


def test_potential_update_refuses_a_negative_figure_in_both_languages(in_village_a):
    potential = Potential.objects.create(category="perkebunan", name="Karet", area_ha=450)

    with pytest.raises(BalaiError) as excinfo:
        economy.potential_update(
            potential=potential,
            data={"category": "perkebunan", "name": "Karet", "production_tonnes_per_year": "-1"},
        )

    assert _error(excinfo) == (
        "production_tonnes_per_year",
        "negative_amount",
        "The amount cannot be negative.",
    )
    assert excinfo.value.errors[0].message == "Jumlah tidak boleh negatif."
    potential.refresh_from_db()
    assert potential.area_ha == Decimal("450")


def _unit() -> BumdesUnit:
    bumdes = Bumdes.objects.create(id=1, name="BUMDes Maju")
    unit = BumdesUnit.objects.create(bumdes=bumdes, name="Toko", kind="toko")
    BumdesUnitYear.objects.create(unit=unit, year=2025, revenue=10, profit=1)
    return unit


def test_bumdes_unit_update_checks_the_kind(in_village_a):
    unit = _unit()

    with pytest.raises(BalaiError) as excinfo:
        economy.bumdes_unit_update(unit=unit, data={"name": "Toko", "kind": "kasino"})
    economy.bumdes_unit_update(unit=unit, data={"name": "Toko Desa", "kind": "persewaan"})

    assert _error(excinfo) == ("kind", "invalid_choice", "Unknown value for kind.")
    unit.refresh_from_db()
    assert (unit.name, unit.kind) == ("Toko Desa", "persewaan")


def test_bumdes_unit_update_needs_a_name(in_village_a):
    unit = _unit()

    with pytest.raises(BalaiError) as excinfo:
        economy.bumdes_unit_update(unit=unit, data={"name": "  ", "kind": "toko"})

    assert _error(excinfo)[:2] == ("name", "required")
    assert BumdesUnit.objects.get(pk=unit.pk).name == "Toko"


def test_bumdes_unit_delete_removes_its_years(in_village_a):
    unit = _unit()

    economy.bumdes_unit_delete(unit=unit)

    assert not BumdesUnit.objects.exists() and not BumdesUnitYear.objects.exists()


def test_business_photo_remove_keeps_the_others_and_refuses_a_bad_index(in_village_a):
    business = Business.objects.create(
        owner=ResidentFactory(),
        name="Keripik",
        sector="kuliner",
        whatsapp="6281234567890",
        photos=["a.jpg", "b.jpg"],
    )

    economy.business_photo_remove(business=business, index=0)
    with pytest.raises(BalaiError) as excinfo:
        economy.business_photo_remove(business=business, index=1)

    assert Business.objects.get(pk=business.pk).photos == ["b.jpg"]
    assert _error(excinfo)[:2] == ("photo", "not_found")
    assert excinfo.value.status == 404


@pytest.mark.parametrize("owner_id", ["", None, "abc", "-1"])
def test_business_owner_get_refuses_what_is_not_a_resident(in_village_a, owner_id):
    with pytest.raises(BalaiError) as excinfo:
        economy.business_owner_get(owner_id)

    assert _error(excinfo) == (
        "owner_id",
        "owner_required",
        "Choose the owner from this village's residents.",
    )


def test_business_owner_get_finds_a_resident(in_village_a):
    resident = ResidentFactory()

    assert economy.business_owner_get(str(resident.pk)) == resident


def _kecamatan_programme(**fields) -> KecamatanProgramme:
    start = timezone.now() + datetime.timedelta(days=3)
    values = {
        "title": "Pelatihan kecamatan",
        "place": "Aula",
        "capacity": 1,
        "target_group": "semua",
        "status": "open",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "kecamatan_code": "18.08.11",
    }
    values.update(fields)
    return KecamatanProgramme.objects.create(**values)


def test_kecamatan_registration_for_keeps_only_name_and_phone_and_who_registered(cast):
    programme = _kecamatan_programme()
    with tenant_context(cast.village_a):
        first = ResidentFactory(full_name="Warga Pertama", phone="081234567890")
        second = ResidentFactory(full_name="Warga Kedua")
        seated = programmes.kecamatan_registration_for(
            village=cast.village_a, programme_id=programme.pk, resident_id=first.pk, by_user_id=7
        )
        waiting = programmes.kecamatan_registration_for(
            village=cast.village_a, programme_id=programme.pk, resident_id=second.pk
        )
    connection.set_schema_to_public()

    assert (seated.status, waiting.status) == ("confirmed", "waiting")
    assert (seated.display_name, seated.registered_by_id) == ("Warga Pertama", 7)
    assert seated.village_code == cast.village_a.region_id
    assert waiting.registered_by_id is None


def test_kecamatan_registration_for_checks_the_target_group(cast):
    programme = _kecamatan_programme(target_group="lansia")
    with tenant_context(cast.village_a):
        young = ResidentFactory(birth_date=datetime.date(2000, 1, 1))
        with pytest.raises(BalaiError) as excinfo:
            programmes.kecamatan_registration_for(
                village=cast.village_a, programme_id=programme.pk, resident_id=young.pk
            )
    connection.set_schema_to_public()

    assert excinfo.value.errors[0].field == "target_group"
    assert not KecamatanRegistration.objects.exists()


MATERIAL = {"title": "Panduan", "topic": "umkm", "kind": "panduan", "url": "https://contoh.id/"}


def test_material_update_keeps_fields_not_given_and_checks_the_link(in_village_a):
    material = programmes.material_create(data=MATERIAL, by_user_id=None)

    programmes.material_update(material_id=material.pk, data={"title": "Panduan baru"})
    with pytest.raises(BalaiError) as excinfo:
        programmes.material_update(material_id=material.pk, data={"url": "file:///etc/passwd"})

    material.refresh_from_db()
    assert (material.title, material.url) == ("Panduan baru", "https://contoh.id/")
    assert _error(excinfo) == (
        "url",
        "invalid_url",
        "url: the address must start with http:// or https://.",
    )


def test_material_delete_and_a_missing_material(in_village_a):
    material = programmes.material_create(data=MATERIAL, by_user_id=None)

    programmes.material_delete(material_id=material.pk)
    with pytest.raises(BalaiError) as excinfo:
        programmes.material_delete(material_id=material.pk)
    with pytest.raises(BalaiError):
        programmes.material_update(material_id="x", data={})

    assert not VillageMaterial.objects.exists()
    assert excinfo.value.status == 404
