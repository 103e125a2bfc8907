"""The BUMDes, its units and yearly figures, and the village potential (potensi desa)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from services.economy.models import BumdesUnitYear, Potential
from tests.conftest import client_for
from tests.test_economy_api import (
    errors_of,
    jpeg_upload,
    pdf_named_jpg,
    resident_client,
    stored_files,
)

pytestmark = pytest.mark.django_db

BUMDES = "/api/village/economy/bumdes/"
UNITS = "/api/village/economy/bumdes/units/"
POTENTIALS = "/api/village/economy/potentials/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _bumdes_with_unit(client) -> int:
    client.put(
        BUMDES,
        {"name": "BUMKam Maju Bersama", "legal_basis": "Perkam No. 3/2019", "year_founded": 2019},
        content_type="application/json",
    )
    return client.post(UNITS, {"name": "Air bersih", "kind": "air_bersih"}).json()["id"]


def test_staff_report_yearly_figures_and_anyone_reads_them(cast):
    staff = client_for(cast.village_a, user=cast.alice)
    unit_id = _bumdes_with_unit(staff)

    # when: a profit in 2024, a loss in 2025, then 2025 corrected
    staff.put(
        f"{UNITS}{unit_id}/years/2024/",
        {"revenue": "120000000", "profit": "15000000"},
        content_type="application/json",
    )
    staff.put(
        f"{UNITS}{unit_id}/years/2025/",
        {"revenue": "90000000", "profit": "-2500000"},
        content_type="application/json",
    )
    corrected = staff.put(
        f"{UNITS}{unit_id}/years/2025/",
        {"revenue": "95000000", "profit": "-1500000.50"},
        content_type="application/json",
    )

    # then one row per unit per year, shown publicly newest first
    assert corrected.status_code == 200
    with tenant_context(cast.village_a):
        assert BumdesUnitYear.objects.filter(unit_id=unit_id).count() == 2
    public = client_for(cast.village_a).get(BUMDES).json()
    assert public["name"] == "BUMKam Maju Bersama"
    [unit] = public["units"]
    assert [(y["year"], y["revenue"], y["profit"]) for y in unit["years"]] == [
        (2025, "95000000.00", "-1500000.50"),
        (2024, "120000000.00", "15000000.00"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"revenue": "-1", "profit": "0"}, "revenue", "negative_amount"),
        ({"revenue": "banyak", "profit": "0"}, "revenue", "invalid_amount"),
        ({"revenue": "100", "profit": ""}, "profit", "invalid_amount"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(cast, body, field, code):
    staff = client_for(cast.village_a, user=cast.alice)
    unit_id = _bumdes_with_unit(staff)
    response = staff.put(f"{UNITS}{unit_id}/years/2025/", body, content_type="application/json")
    assert response.status_code == 400
    assert errors_of(response)[field]["code"] == code
    with tenant_context(cast.village_a):
        assert not BumdesUnitYear.objects.exists()


def test_a_year_in_the_future_is_refused(cast):
    staff = client_for(cast.village_a, user=cast.alice)
    unit_id = _bumdes_with_unit(staff)
    response = staff.put(
        f"{UNITS}{unit_id}/years/2999/",
        {"revenue": "1", "profit": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "year" in errors_of(response)


def test_a_unit_needs_a_bumdes_first(cast):
    response = client_for(cast.village_a, user=cast.alice).post(
        UNITS, {"name": "Toko", "kind": "toko"}
    )
    assert response.status_code == 409 and "bumdes" in errors_of(response)


@pytest.mark.parametrize("who", ["resident", "anonymous", "supervisor", "staff_of_b"])
def test_only_staff_of_the_village_write_bumdes_figures(cast, who):
    unit_id = _bumdes_with_unit(client_for(cast.village_a, user=cast.alice))
    client = {
        "resident": lambda: resident_client(cast.village_a, cast.resident_a_nik),
        "anonymous": lambda: client_for(cast.village_a),
        "supervisor": lambda: client_for(cast.village_a, user=cast.carol),
        "staff_of_b": lambda: client_for(cast.village_a, user=cast.bob),
    }[who]()
    responses = [
        client.put(BUMDES, {"name": "Diambil alih"}, content_type="application/json"),
        client.post(UNITS, {"name": "Toko", "kind": "toko"}),
        client.put(
            f"{UNITS}{unit_id}/years/2025/",
            {"revenue": "1", "profit": "1"},
            content_type="application/json",
        ),
    ]
    assert all(r.status_code in (401, 403) for r in responses)
    assert client_for(cast.village_a).get(BUMDES).json()["name"] == "BUMKam Maju Bersama"


def test_bumdes_of_a_village_stays_in_that_village(cast):
    _bumdes_with_unit(client_for(cast.village_a, user=cast.alice))
    response = client_for(cast.village_b).get(BUMDES)
    assert response.status_code == 404


def test_the_bumdes_page_costs_the_same_queries_for_many_units(cast, django_assert_max_num_queries):
    staff = client_for(cast.village_a, user=cast.alice)
    _bumdes_with_unit(staff)
    for index in range(6):
        unit_id = staff.post(UNITS, {"name": f"Unit {index}", "kind": "toko"}).json()["id"]
        staff.put(
            f"{UNITS}{unit_id}/years/2025/",
            {"revenue": "10", "profit": "1"},
            content_type="application/json",
        )
    public = client_for(cast.village_a)
    public.get(BUMDES)
    with django_assert_max_num_queries(5):
        assert len(public.get(BUMDES).json()["units"]) == 7


# -- village potential -----------------------------------------------------------------------


def test_staff_record_a_potential_with_figures_and_photos(cast, media_root):
    staff = client_for(cast.village_a, user=cast.alice)
    response = staff.post(
        POTENTIALS,
        {
            "category": "perkebunan",
            "name": "Karet rakyat",
            "area_ha": "450.5",
            "production_tonnes_per_year": "380",
            "photos": [jpeg_upload()],
        },
    )
    assert response.status_code == 201, response.content
    listed = client_for(cast.village_a).get(POTENTIALS).json()["results"]
    assert [(p["name"], p["area_ha"], p["production_tonnes_per_year"]) for p in listed] == [
        ("Karet rakyat", "450.50", "380.00")
    ]
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "tambang"}, "category"),
        ({"area_ha": "-3"}, "area_ha"),
        ({"count": "-1"}, "count"),
        ({"photos": [pdf_named_jpg()]}, "photos"),
    ],
)
def test_bad_potential_input_is_refused_and_nothing_is_stored(cast, media_root, changes, field):
    body = {"category": "pertanian", "name": "Padi sawah", "photos": [jpeg_upload()], **changes}
    response = client_for(cast.village_a, user=cast.alice).post(POTENTIALS, body)
    assert response.status_code == 400
    assert field in errors_of(response)
    with tenant_context(cast.village_a):
        assert not Potential.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("who", ["resident", "anonymous", "supervisor", "staff_of_b"])
def test_only_staff_of_the_village_record_potential(cast, who):
    client = {
        "resident": lambda: resident_client(cast.village_a, cast.resident_a_nik),
        "anonymous": lambda: client_for(cast.village_a),
        "supervisor": lambda: client_for(cast.village_a, user=cast.carol),
        "staff_of_b": lambda: client_for(cast.village_a, user=cast.bob),
    }[who]()
    response = client.post(POTENTIALS, {"category": "pertanian", "name": "Padi"})
    assert response.status_code in (401, 403)
    with tenant_context(cast.village_a):
        assert not Potential.objects.exists()
