"""The village profile: history, vision and mission, officials, contact, location, areas."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from services.village.home_cache import home_cache_key
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/api/village/profile/"
OFFICIALS = "/api/village/officials/"
AREAS = "/api/village/areas/"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path, cast):
    settings.MEDIA_ROOT = tmp_path
    keys = [home_cache_key(v.schema_name) for v in (cast.village_a, cast.village_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def staff_of_a(cast, role: str):
    user = UserFactory(username=f"{role}_a")
    membership_grant(user=user, village=cast.village_a, role=role)
    return user


def resident_client(cast):
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    return client


def jpeg_upload(name="foto.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 120, 10)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def first_error(response) -> dict:
    return response.json()["errors"][0]


# -- the profile ----------------------------------------------------------------------------


def test_kepala_desa_writes_history_vision_mission_and_location(cast):
    # given
    alice = client_for(cast.village_a, user=cast.alice)
    changes = {
        "history": "Kampung dibuka tahun 1952 oleh para perintis dari Banten.",
        "vision": "Kampung mandiri dan sejahtera.",
        "mission": "1. Pelayanan prima\n2. Jalan mantap",
        "latitude": "-4.512345",
        "longitude": "104.765432",
        "phone": "0728123456",
        "service_hours": "Senin-Kamis 08.00-14.00",
    }
    # when
    response = alice.patch(PROFILE, changes, content_type="application/json")
    # then everyone reads it
    assert response.status_code == 200, response.content
    public = client_for(cast.village_a).get(PROFILE).json()
    for name, value in changes.items():
        assert public[name] == value
    assert public["name"] == "Negara Batin"


def test_the_public_profile_carries_active_officials_and_the_area_tree(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    alice.post(OFFICIALS, {"name": "Ahmad", "position": "Kepala Kampung", "order": 1})
    alice.post(OFFICIALS, {"name": "Lama", "position": "Mantan Sekdes", "active": False})
    dusun = alice.post(AREAS, {"level": "dusun", "name": "Dusun I"}).json()
    rw = alice.post(AREAS, {"level": "rw", "name": "001", "parent": dusun["id"]}).json()
    alice.post(AREAS, {"level": "rt", "name": "002", "parent": rw["id"]})

    profile = client_for(cast.village_a).get(PROFILE).json()

    assert [o["name"] for o in profile["officials"]] == ["Ahmad"]
    tree = [a for a in profile["areas"] if a["name"] == "Dusun I"][0]
    assert tree["children"][0]["name"] == "001"
    assert tree["children"][0]["children"][0] == {
        "id": tree["children"][0]["children"][0]["id"],
        "level": "rt",
        "name": "002",
        "children": [],
    }


def test_the_profile_costs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    alice = client_for(cast.village_a, user=cast.alice)
    for number in range(10):
        alice.post(OFFICIALS, {"name": f"Perangkat {number}", "position": "Kasi"})
        alice.post(AREAS, {"level": "dusun", "name": f"Dusun {number}"})
    anonymous = client_for(cast.village_a)
    anonymous.get(PROFILE)
    # SET search_path, the profile, the officials, the areas: whatever their number.
    with django_assert_max_num_queries(4):
        assert anonymous.get(PROFILE).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": "-4.5"}, "longitude"),
        ({"latitude": "95.0", "longitude": "104.1"}, "latitude"),
        ({"latitude": "-4.5", "longitude": "190"}, "longitude"),
        ({"email": "bukan-email"}, "email"),
    ],
)
def test_bad_profile_input_names_the_field_and_changes_nothing(cast, changes, field):
    alice = client_for(cast.village_a, user=cast.alice)
    before = client_for(cast.village_a).get(PROFILE).json()
    response = alice.patch(PROFILE, changes, content_type="application/json")
    assert response.status_code == 400
    assert first_error(response)["field"] == field
    assert client_for(cast.village_a).get(PROFILE).json() == before


def test_location_errors_come_in_both_languages(cast):
    response = client_for(cast.village_a, user=cast.alice).patch(
        PROFILE, {"latitude": "-4.5"}, content_type="application/json"
    )
    error = first_error(response)
    assert "bujur" in error["message"] and "longitude" in error["message_en"]


def test_the_name_and_region_of_the_village_are_not_editable(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    alice.patch(PROFILE, {"name": "Ganti", "region_code": "99"}, content_type="application/json")
    assert client_for(cast.village_a).get(PROFILE).json()["name"] == "Negara Batin"


# -- who may edit ---------------------------------------------------------------------------


def _editable(client) -> list[int]:
    return [
        client.patch(PROFILE, {"vision": "x"}, content_type="application/json").status_code,
        client.post(OFFICIALS, {"name": "X", "position": "Y"}).status_code,
        client.post(AREAS, {"level": "dusun", "name": "Dusun Uji"}).status_code,
    ]


def test_sekretaris_may_edit_the_profile(cast):
    sekretaris = staff_of_a(cast, StaffRole.SEKRETARIS)
    assert _editable(client_for(cast.village_a, user=sekretaris)) == [200, 201, 201]


def test_an_operator_may_not_edit_the_profile(cast):
    operator = staff_of_a(cast, StaffRole.OPERATOR)
    assert _editable(client_for(cast.village_a, user=operator)) == [403, 403, 403]


def test_staff_of_another_village_residents_supervisors_and_anonymous_may_not_edit(cast):
    clients = [
        client_for(cast.village_a, user=cast.bob),
        client_for(cast.village_a, user=cast.carol),
        resident_client(cast),
        client_for(cast.village_a),
    ]
    for client in clients:
        assert set(_editable(client)) <= {401, 403}
    assert client_for(cast.village_a).get(PROFILE).json()["vision"] == ""


def test_kepala_desa_of_a_cannot_edit_the_profile_of_b(cast):
    alice_on_b = client_for(cast.village_b, user=cast.alice)
    assert set(_editable(alice_on_b)) == {403}
    assert client_for(cast.village_b).get(PROFILE).json()["vision"] == ""


# -- officials ------------------------------------------------------------------------------


def test_an_official_photo_is_re_encoded_under_the_village_folder(cast, settings):
    alice = client_for(cast.village_a, user=cast.alice)
    response = alice.post(
        OFFICIALS, {"name": "Siti", "position": "Sekdes", "photo": jpeg_upload("siti.php.jpg")}
    )
    assert response.status_code == 201, response.content
    url = response.json()["photo_url"]
    assert url.startswith(f"/media/villages/{cast.village_a.schema_name}/officials/")
    assert "siti" not in url
    assert (Path(settings.MEDIA_ROOT) / url.removeprefix("/media/")).is_file()


def test_an_official_without_a_name_or_with_a_bad_photo_is_refused(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    no_name = alice.post(OFFICIALS, {"name": " ", "position": "Kasi"})
    bad = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    bad_photo = alice.post(OFFICIALS, {"name": "A", "position": "B", "photo": bad})
    assert (no_name.status_code, first_error(no_name)["field"]) == (400, "name")
    assert (bad_photo.status_code, first_error(bad_photo)["field"]) == (400, "photo")
    assert alice.get(OFFICIALS).json() == []


def test_officials_are_ordered_and_former_ones_only_shown_to_staff(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    alice.post(OFFICIALS, {"name": "Kaur", "position": "Kaur Umum", "order": 3})
    alice.post(OFFICIALS, {"name": "Kades", "position": "Kepala Kampung", "order": 1})
    former = alice.post(OFFICIALS, {"name": "Lama", "position": "Kasi", "order": 2}).json()
    alice.patch(f"{OFFICIALS}{former['id']}/", {"active": False}, content_type="application/json")
    assert [o["name"] for o in client_for(cast.village_a).get(OFFICIALS).json()] == [
        "Kades",
        "Kaur",
    ]
    assert [o["name"] for o in alice.get(OFFICIALS).json()] == ["Kades", "Lama", "Kaur"]


def test_an_official_of_village_a_cannot_be_reached_from_village_b(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    official = alice.post(OFFICIALS, {"name": "Ahmad", "position": "Kades"}).json()
    # bob is staff of B but an operator; grant him the kepala desa role of B to be sure
    # the 404 comes from the village, not from the role.
    membership_grant(user=cast.bob, village=cast.village_b, role=StaffRole.KEPALA_DESA)
    bob = client_for(cast.village_b, user=cast.bob)
    url = f"{OFFICIALS}{official['id']}/"
    assert bob.patch(url, {"name": "Diubah"}, content_type="application/json").status_code == 404
    assert bob.delete(url).status_code == 404
    assert alice.get(OFFICIALS).json()[0]["name"] == "Ahmad"


def test_deleting_an_official_removes_the_photo_after_commit(
    cast, settings, django_capture_on_commit_callbacks
):
    alice = client_for(cast.village_a, user=cast.alice)
    official = alice.post(OFFICIALS, {"name": "A", "position": "B", "photo": jpeg_upload()}).json()
    stored = Path(settings.MEDIA_ROOT) / official["photo_url"].removeprefix("/media/")
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.delete(f"{OFFICIALS}{official['id']}/").status_code == 204
    assert not stored.exists()


# -- areas ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "parent_level", "field"),
    [
        ("rw", None, "parent"),
        ("rt", None, "parent"),
        ("rt", "dusun", "parent"),
        ("rw", "rw", "parent"),
        ("dusun", "dusun", "parent"),
        ("kota", None, "level"),
    ],
)
def test_the_area_tree_is_validated(cast, level, parent_level, field):
    alice = client_for(cast.village_a, user=cast.alice)
    dusun = alice.post(AREAS, {"level": "dusun", "name": "Dusun Induk"}).json()
    rw = alice.post(AREAS, {"level": "rw", "name": "009", "parent": dusun["id"]}).json()
    parent = {"dusun": dusun, "rw": rw, None: None}[parent_level]
    data = {"level": level, "name": "Baru"}
    if parent:
        data["parent"] = parent["id"]
    response = alice.post(AREAS, data, content_type="application/json")
    assert response.status_code == 400
    assert first_error(response)["field"] == field
    assert "Baru" not in {a["name"] for a in alice.get(AREAS).json()}


def test_duplicate_area_names_under_one_parent_are_refused(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    alice.post(AREAS, {"level": "dusun", "name": "Dusun Kembar"})
    response = alice.post(AREAS, {"level": "dusun", "name": "Dusun Kembar"})
    assert (response.status_code, first_error(response)["field"]) == (400, "name")


def test_areas_are_renamed_moved_and_deleted(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    one = alice.post(AREAS, {"level": "dusun", "name": "Satu"}).json()
    two = alice.post(AREAS, {"level": "dusun", "name": "Dua"}).json()
    rw = alice.post(AREAS, {"level": "rw", "name": "001", "parent": one["id"]}).json()
    moved = alice.patch(
        f"{AREAS}{rw['id']}/", {"parent": two["id"], "name": "002"}, "application/json"
    )
    assert moved.json() == {"id": rw["id"], "level": "rw", "name": "002", "parent": two["id"]}
    assert alice.delete(f"{AREAS}{one['id']}/").status_code == 204


def test_an_area_in_use_cannot_be_deleted(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    dusun = alice.post(AREAS, {"level": "dusun", "name": "Berisi"}).json()
    rw = alice.post(AREAS, {"level": "rw", "name": "001", "parent": dusun["id"]}).json()
    rt = alice.post(AREAS, {"level": "rt", "name": "001", "parent": rw["id"]}).json()
    with schema_context(cast.village_a.schema_name):
        ResidentFactory(rt_id=rt["id"])
    for area in (dusun, rt):
        response = alice.delete(f"{AREAS}{area['id']}/")
        assert (response.status_code, first_error(response)["code"]) == (409, "in_use")


def test_an_area_of_village_a_cannot_be_changed_from_village_b(cast):
    dusun = client_for(cast.village_a, user=cast.alice).post(
        AREAS, {"level": "dusun", "name": "Milik A"}
    )
    membership_grant(user=cast.bob, village=cast.village_b, role=StaffRole.KEPALA_DESA)
    bob = client_for(cast.village_b, user=cast.bob)
    assert bob.delete(f"{AREAS}{dusun.json()['id']}/").status_code == 404
