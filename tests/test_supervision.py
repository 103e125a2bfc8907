"""Supervisors read the villages of their own region on the public host, and nothing else."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/supervisor/villages/"


def _codes(response) -> set[str]:
    return {row["region_code"] for row in response.json()["results"]}


def test_kecamatan_supervisor_sees_only_the_villages_of_that_kecamatan(cast, public_client):
    public_client.force_login(cast.carol)
    response = public_client.get(URL)
    assert response.status_code == 200
    assert _codes(response) == {"18.08.11.2001", "18.08.11.2002"}


def test_kabupaten_supervisor_sees_every_village_of_the_kabupaten(cast, public_client):
    public_client.force_login(cast.erin)
    assert _codes(public_client.get(URL)) == {"18.08.11.2001", "18.08.11.2002", "18.08.01.2006"}


def test_kabupaten_supervisor_can_narrow_to_one_kecamatan(cast, public_client):
    public_client.force_login(cast.erin)
    response = public_client.get(URL, {"region": "18.08.01"})
    assert _codes(response) == {"18.08.01.2006"}


def test_a_region_outside_the_scope_is_not_found(cast, public_client):
    public_client.force_login(cast.carol)
    response = public_client.get(URL, {"region": "18.08.01"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "region"


def test_supervisor_of_another_kecamatan_sees_none_of_negara_batin(cast, public_client):
    public_client.force_login(cast.dave)
    assert _codes(public_client.get(URL)) == {"18.08.01.2006"}


@pytest.mark.parametrize("username", ["alice", "pat", None])
def test_non_supervisors_are_refused(cast, public_client, username):
    if username:
        public_client.force_login(getattr(cast, username))
    response = public_client.get(URL)
    assert response.status_code in (401, 403)


def test_supervisor_api_is_not_served_on_village_hosts(cast):
    from tests.conftest import client_for

    response = client_for(cast.village_a, user=cast.carol).get(URL)
    assert response.status_code == 404


def test_supervisor_scope_lists_the_region(cast, public_client):
    public_client.force_login(cast.erin)
    response = public_client.get("/api/supervisor/scope/")
    assert response.json() == [
        {"region_code": "18.08", "name": "Kabupaten Way Kanan", "level": "kabupaten"}
    ]
