"""The village's dusun -> RW -> RT page (/kantor/wilayah/) and the dashboard's section groups."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from services.residents.models import Resident
from services.village.models import Area, AreaLevel
from services.village.selectors import area_tree_with_counts
from tests.conftest import client_for
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _areas(village) -> dict[str, Area]:
    """Dusun Makmur > RW 01 > RT 001 and RT 002, plus an empty Dusun Sepi."""
    with schema_context(village.schema_name):
        dusun = Area.objects.create(level=AreaLevel.DUSUN, name="Makmur")
        rw = Area.objects.create(level=AreaLevel.RW, name="01", parent=dusun)
        return {
            "dusun": dusun,
            "rw": rw,
            "rt1": Area.objects.create(level=AreaLevel.RT, name="001", parent=rw),
            "rt2": Area.objects.create(level=AreaLevel.RT, name="002", parent=rw),
            "empty": Area.objects.create(level=AreaLevel.DUSUN, name="Sepi"),
        }


def staff_of(village, role: str, **fields):
    user = UserFactory(**fields)
    membership_grant(user=user, village=village, role=role)
    return user


def _snapshot(village) -> list[tuple]:
    with schema_context(village.schema_name):
        return list(Area.objects.order_by("pk").values_list("pk", "level", "name", "parent_id"))


def _node(tree: list[dict], pk: int) -> dict:
    for node in tree:
        if node["area"].pk == pk:
            return node
        found = _node(node["children"], pk)
        if found:
            return found
    return {}


def _with_residents(village, areas) -> None:
    with schema_context(village.schema_name):
        ResidentFactory(rt=areas["rt1"])
        ResidentFactory(rt=areas["rt1"])
        ResidentFactory(rt=areas["rt2"])
        ResidentFactory(rt=areas["rt1"], status="mati")  # not counted: no longer lives there


# --- the tree ------------------------------------------------------------------------------


def test_the_page_shows_the_tree_with_living_residents_per_area(cast):
    areas = _areas(cast.village_a)
    _with_residents(cast.village_a, areas)

    response = client_for(cast.village_a, user=cast.alice).get("/kantor/wilayah/")

    assert response.status_code == 200
    tree = response.context["tree"]
    counts = {key: _node(tree, area.pk)["residents"] for key, area in areas.items()}
    assert counts == {"dusun": 3, "rw": 3, "rt1": 2, "rt2": 1, "empty": 0}
    rw = _node(tree, areas["rw"].pk)
    assert [child["area"].name for child in rw["children"]] == ["001", "002"]
    html = response.content.decode()
    assert f'id="wilayah-{areas["rt1"].pk}"' in html
    assert "2 penduduk" in html


def test_the_counts_take_two_queries_however_many_areas(cast, django_assert_num_queries):
    areas = _areas(cast.village_a)
    _with_residents(cast.village_a, areas)
    with schema_context(cast.village_a.schema_name):
        for n in range(5):
            Area.objects.create(level=AreaLevel.RT, name=f"1{n:02d}", parent=areas["rw"])
        with django_assert_num_queries(2):
            tree = area_tree_with_counts()
    assert _node(tree, areas["dusun"].pk)["residents"] == 3


def test_an_operator_reads_the_tree_but_gets_no_forms(cast):
    _areas(cast.village_b)

    response = client_for(cast.village_b, user=cast.bob).get("/kantor/wilayah/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Makmur" in html
    assert "/kantor/wilayah/tambah/" not in html
    assert "/hapus/" not in html


def test_the_add_link_of_an_rw_preselects_it_and_the_rt_level(cast):
    areas = _areas(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).get(
        f"/kantor/wilayah/?induk={areas['rw'].pk}"
    )

    form = response.context["form"]
    assert form.initial == {"parent": areas["rw"].pk, "level": AreaLevel.RT}


# --- add -----------------------------------------------------------------------------------


def test_alice_adds_a_dusun_an_rw_and_an_rt_under_it(cast):
    client = client_for(cast.village_a, user=cast.alice)

    response = client.post("/kantor/wilayah/tambah/", {"level": "dusun", "name": " Baru "})
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        dusun = Area.objects.get(level="dusun", name="Baru")
    client.post("/kantor/wilayah/tambah/", {"level": "rw", "name": "05", "parent": dusun.pk})
    with schema_context(cast.village_a.schema_name):
        rw = Area.objects.get(level="rw", name="05", parent=dusun)
    response = client.post(
        "/kantor/wilayah/tambah/", {"level": "rt", "name": "009", "parent": rw.pk}, follow=True
    )

    assert "RT 009 ditambahkan." in response.content.decode()
    with schema_context(cast.village_a.schema_name):
        assert Area.objects.filter(level="rt", name="009", parent=rw).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"level": "dusun", "name": "  "}, "name", "Nama wajib diisi."),
        ({"level": "rt", "name": "010", "parent": "dusun"}, "parent", "RT harus berada di bawah"),
        ({"level": "rw", "name": "09"}, "parent", "RW harus berada di bawah Dusun."),
        ({"level": "dusun", "name": "X", "parent": "dusun"}, "parent", "Dusun tidak berada di"),
        ({"level": "rw", "name": "01", "parent": "dusun"}, "name", "sudah ada di bawah induk"),
        ({"level": "kota", "name": "X"}, "level", "Masukkan pilihan yang valid"),
        ({"level": "rt", "name": "X", "parent": "999999"}, "parent", "Masukkan pilihan yang valid"),
    ],
)
def test_a_bad_area_is_refused_on_its_field_and_nothing_is_written(cast, data, field, message):
    areas = _areas(cast.village_a)
    if data.get("parent") == "dusun":
        data = {**data, "parent": areas["dusun"].pk}
    before = _snapshot(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post("/kantor/wilayah/tambah/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert _snapshot(cast.village_a) == before


def test_the_error_is_in_english_for_an_english_reader(cast):
    client = client_for(cast.village_a, user=cast.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/kantor/wilayah/"})

    response = client.post("/kantor/wilayah/tambah/", {"level": "dusun", "name": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["The name is required."]


# --- rename --------------------------------------------------------------------------------


def test_alice_renames_an_rt(cast):
    areas = _areas(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/wilayah/{areas['rt2'].pk}/ubah/", {"name": "002A"}
    )

    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Area.objects.get(pk=areas["rt2"].pk).name == "002A"


@pytest.mark.parametrize(
    ("name", "message"), [("", "Nama wajib diisi."), ("001", "sudah ada di bawah induk")]
)
def test_a_bad_new_name_is_refused_next_to_its_area(cast, name, message):
    areas = _areas(cast.village_a)
    before = _snapshot(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/wilayah/{areas['rt2'].pk}/ubah/", {"name": name}
    )

    assert response.status_code == 400
    pk, form = response.context["rename"]
    assert pk == areas["rt2"].pk
    assert message in " ".join(form.errors["name"])
    html = response.content.decode()
    item = html.partition(f'id="wilayah-{areas["rt2"].pk}"')[2].partition("</li>")[0]
    assert message in item and "<details open>" in item
    assert _snapshot(cast.village_a) == before


def test_an_unknown_area_is_not_found(cast):
    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/wilayah/999999/ubah/", {"name": "X"}
    )
    assert response.status_code == 404


# --- remove --------------------------------------------------------------------------------


def test_alice_removes_an_empty_dusun(cast):
    areas = _areas(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/wilayah/{areas['empty'].pk}/hapus/"
    )

    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert not Area.objects.filter(pk=areas["empty"].pk).exists()


@pytest.mark.parametrize("key", ["rt1", "rw"])
def test_an_area_with_residents_or_areas_under_it_is_not_removed(cast, key):
    areas = _areas(cast.village_a)
    _with_residents(cast.village_a, areas)
    before = _snapshot(cast.village_a)

    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/wilayah/{areas[key].pk}/hapus/"
    )

    assert response.status_code == 409
    html = response.content.decode()
    item = html.partition(f'id="wilayah-{areas[key].pk}"')[2].partition("</li>")[0]
    assert "masih punya wilayah di bawahnya atau penduduk" in item
    assert _snapshot(cast.village_a) == before
    with schema_context(cast.village_a.schema_name):
        assert Resident.objects.filter(rt=areas["rt1"]).count() == 3


# --- roles and villages --------------------------------------------------------------------


def test_an_operator_may_not_change_areas_even_in_his_own_village(cast):
    areas = _areas(cast.village_b)
    before = _snapshot(cast.village_b)
    client = client_for(cast.village_b, user=cast.bob)

    add = client.post("/kantor/wilayah/tambah/", {"level": "dusun", "name": "Z"})
    rename = client.post(f"/kantor/wilayah/{areas['rt1'].pk}/ubah/", {"name": "Z"})
    remove = client.post(f"/kantor/wilayah/{areas['empty'].pk}/hapus/")

    assert [add.status_code, rename.status_code, remove.status_code] == [403, 403, 403]
    assert _snapshot(cast.village_b) == before


def test_a_sekretaris_may_change_areas(cast):
    sekretaris = staff_of(cast.village_a, StaffRole.SEKRETARIS, username="sekdes-wilayah")

    response = client_for(cast.village_a, user=sekretaris).post(
        "/kantor/wilayah/tambah/", {"level": "dusun", "name": "Sekdes"}
    )

    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Area.objects.filter(name="Sekdes").exists()


def test_alice_may_not_remove_an_area_of_another_village(cast):
    areas_b = _areas(cast.village_b)
    before = _snapshot(cast.village_b)

    response = client_for(cast.village_b, user=cast.alice).post(
        f"/kantor/wilayah/{areas_b['empty'].pk}/hapus/"
    )

    assert response.status_code == 403
    assert _snapshot(cast.village_b) == before


# --- the dashboard's section groups ---------------------------------------------------------


def _groups(response) -> dict[str, list[str]]:
    return {
        str(group["title"]): [section["url"] for section in group["sections"]]
        for group in response.context["sections"]
    }


def test_the_dashboard_groups_the_sections_and_links_the_areas_page(cast):
    response = client_for(cast.village_a, user=cast.alice).get("/kantor/")

    groups = _groups(response)
    assert list(groups)[:5] == [
        "Penduduk",
        "Layanan",
        "Informasi desa",
        "Ekonomi & pelatihan",
        "Pengaturan",
    ]
    assert "/kantor/wilayah/" in groups["Informasi desa"]
    assert "/kantor/penduduk/" in groups["Penduduk"]
    assert "/kantor/staf/" in groups["Pengaturan"]
    assert all("/api/" not in url for urls in groups.values() for url in urls)
    html = response.content.decode()
    card = html.partition('class="grid section-groups"')[2].partition(">Pengaturan</h3>")[2]
    assert "/kantor/staf/" in card.partition("</section>")[0]


def test_an_operator_sees_only_the_sections_of_his_role_in_each_group(cast):
    response = client_for(cast.village_b, user=cast.bob).get("/kantor/")

    groups = _groups(response)
    assert "/kantor/wilayah/" in groups["Informasi desa"]
    assert "/kantor/profil/" not in groups["Informasi desa"]
    assert "/kantor/staf/" not in sum(groups.values(), [])
    assert all(urls for urls in groups.values())  # an empty group is not shown
