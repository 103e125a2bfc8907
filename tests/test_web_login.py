"""Session login on the web: residents with NIK + PIN on their village, staff by password."""

import pytest

from tests.conftest import PASSWORD, RESIDENT_PIN, client_for

pytestmark = pytest.mark.django_db


def _resident_login(client, nik, pin):
    return client.post("/masuk/", {"kind": "resident", "resident-nik": nik, "resident-pin": pin})


def test_resident_logs_in_with_nik_and_pin_and_sees_their_own_data(cast):
    client = client_for(cast.village_a)
    response = _resident_login(client, cast.resident_a_nik, RESIDENT_PIN)
    assert response.status_code == 302
    me = client.get("/api/village/residents/me/")
    assert me.status_code == 200
    assert me.json()["nik"] == cast.resident_a_nik


def test_wrong_pin_shows_the_error_on_the_form(cast):
    response = _resident_login(client_for(cast.village_a), cast.resident_a_nik, "000000")
    assert response.status_code == 400
    assert "NIK atau PIN salah" in response.content.decode()


def test_a_resident_session_of_village_a_is_worthless_on_village_b(cast):
    client_a = client_for(cast.village_a)
    _resident_login(client_a, cast.resident_a_nik, RESIDENT_PIN)
    cookie = client_a.cookies["sessionid"].value
    client_b = client_for(cast.village_b)
    client_b.cookies["sessionid"] = cookie
    assert client_b.get("/api/village/residents/me/").status_code in (401, 403)


def test_staff_logs_in_on_their_own_village(cast):
    client = client_for(cast.village_a)
    response = client.post(
        "/masuk/", {"kind": "user", "user-username": "alice", "user-password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/api/village/residents/").status_code == 200


def test_staff_of_another_village_cannot_log_in_here(cast):
    client = client_for(cast.village_b)
    response = client.post(
        "/masuk/", {"kind": "user", "user-username": "alice", "user-password": PASSWORD}
    )
    assert response.status_code == 400
    assert "bukan perangkat desa ini" in response.content.decode()
    assert client.get("/api/village/residents/").status_code in (401, 403)


def test_supervisor_logs_in_on_the_public_host(cast, public_client):
    response = public_client.post(
        "/masuk/", {"kind": "user", "user-username": "carol", "user-password": PASSWORD}
    )
    assert response.status_code == 302
    assert public_client.get("/api/supervisor/villages/").status_code == 200


def test_village_staff_is_sent_to_their_village_from_the_public_host(cast, public_client):
    response = public_client.post(
        "/masuk/", {"kind": "user", "user-username": "alice", "user-password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Masuk lewat alamat desa Anda" in response.content.decode()


def test_logout_ends_the_session(cast):
    client = client_for(cast.village_a, user=cast.alice)
    assert client.get("/api/village/residents/").status_code == 200
    client.post("/keluar/")
    assert client.get("/api/village/residents/").status_code in (401, 403)


def test_login_page_is_indonesian_by_default_and_english_on_request(cast):
    client = client_for(cast.village_a)
    assert "Masuk sebagai warga" in client.get("/masuk/").content.decode()
    english = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in as a resident" in english.content.decode()
