"""Supervisor pages: the villages of their region and the dashboard of counts, never more."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Village, VillageStatus

pytestmark = pytest.mark.django_db


def _as(public_client: Client, user) -> Client:
    public_client.force_login(user)
    return public_client


def test_a_kecamatan_supervisor_sees_the_villages_of_their_kecamatan_only(cast, public_client):
    page = _as(public_client, cast.carol).get("/pengawas/desa/").content.decode()
    assert "Negara Batin" in page and "Purwa Agung" in page
    assert "Desa C" not in page


def test_the_dashboard_counts_villages_per_kecamatan_by_status(cast, public_client):
    # given
    Village.objects.filter(pk=cast.village_b.pk).update(status=VillageStatus.SUSPENDED)
    # when
    response = _as(public_client, cast.carol).get("/pengawas/")
    # then
    [panel] = response.context["panels"]
    assert panel.context["rows"] == [
        {
            "kecamatan_code": "18.08.11",
            "name": "Negara Batin",
            "total": 2,
            "active": 1,
            "suspended": 1,
        }
    ]
    assert "Desa per kecamatan" in response.content.decode()


def test_a_kabupaten_supervisor_sees_every_kecamatan_and_can_narrow_to_one(cast, public_client):
    client = _as(public_client, cast.erin)
    [panel] = client.get("/pengawas/").context["panels"]
    assert [row["kecamatan_code"] for row in panel.context["rows"]] == ["18.08.01", "18.08.11"]

    narrowed = client.get("/pengawas/desa/", {"region": "18.08.01"}).content.decode()
    assert "Desa C" in narrowed and "Purwa Agung" not in narrowed


@pytest.mark.parametrize("path", ["/pengawas/", "/pengawas/desa/"])
def test_a_region_outside_the_scope_is_not_found(cast, public_client, path):
    response = _as(public_client, cast.carol).get(path, {"region": "18.08.01"})
    assert response.status_code == 404
    assert "Desa C" not in response.content.decode()


def test_an_empty_region_shows_an_empty_state_not_an_empty_table(cast, public_client):
    response = _as(public_client, cast.dave).get("/pengawas/desa/", {"region": "18.08.01.2001"})
    assert response.status_code == 200
    assert "Belum ada desa di wilayah ini" in response.content.decode()
