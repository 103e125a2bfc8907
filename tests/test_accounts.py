"""Logins on a village host (residents with NIK + PIN, staff with a password) and the
selectors that decide which villages a supervisor reads."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from balai.accounts.principals import RESIDENT_SESSION_KEY, ResidentPrincipal
from balai.accounts.selectors import region_is_supervised, villages_staffed, villages_supervised
from services.residents.models import ResidentAccount
from services.residents.services import MAX_FAILED_ATTEMPTS
from tests.conftest import PASSWORD, RESIDENT_PIN, host_of
from tests.factories import UserFactory

RESIDENT_LOGIN = "/api/auth/resident/login/"
STAFF_LOGIN = "/api/auth/staff/login/"
WHOAMI = "/api/auth/whoami/"
WRONG_PIN = "135790"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_throttle_between_tests():
    # Logins are throttled per IP in the shared cache and every test client is 127.0.0.1.
    cache.delete("throttle_anon_127.0.0.1")


@pytest.fixture
def village_a_client(cast) -> Client:
    return Client(HTTP_HOST=host_of(cast.village_a))


def _login_resident(client: Client, nik: str, pin: str, **extra):
    return client.post(
        RESIDENT_LOGIN, {"nik": nik, "pin": pin, **extra}, content_type="application/json"
    )


def _only_error(response) -> dict:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def _account_of(cast) -> ResidentAccount:
    with schema_context(cast.village_a.schema_name):
        return ResidentAccount.objects.get(resident_id=cast.resident_a.pk)


# --- residents ---------------------------------------------------------------------------


def test_resident_logs_in_with_nik_and_pin_into_a_session(cast, village_a_client):
    response = _login_resident(village_a_client, cast.resident_a_nik, RESIDENT_PIN)

    assert response.status_code == 200
    assert response.json() == {"resident_id": cast.resident_a.pk}
    assert village_a_client.session[RESIDENT_SESSION_KEY]["schema"] == cast.village_a.schema_name
    whoami = village_a_client.get(WHOAMI).json()
    assert whoami == {"kind": "resident", "resident_id": cast.resident_a.pk}
    assert _account_of(cast).last_login is not None


def test_resident_logs_in_for_an_api_token(cast, village_a_client):
    response = _login_resident(village_a_client, cast.resident_a_nik, RESIDENT_PIN, token=True)

    token = response.json()["token"]
    assert RESIDENT_SESSION_KEY not in village_a_client.session
    fresh = Client(HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Resident {token}")
    assert fresh.get(WHOAMI).json() == {"kind": "resident", "resident_id": cast.resident_a.pk}


def test_a_made_up_resident_token_is_refused(cast):
    client = Client(HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION="Resident bukan-token")

    assert client.get(WHOAMI).status_code == 401


def test_wrong_pin_is_refused_naming_the_pin_in_both_languages(cast, village_a_client):
    response = _login_resident(village_a_client, cast.resident_a_nik, WRONG_PIN)

    assert response.status_code == 400
    error = _only_error(response)
    assert (error["field"], error["code"]) == ("pin", "invalid_login")
    assert error["message"] == "NIK atau PIN salah."
    assert error["message_en"] == "Wrong NIK or PIN."
    assert _account_of(cast).failed_attempts == 1
    assert RESIDENT_SESSION_KEY not in village_a_client.session


def test_an_unknown_nik_gets_the_same_answer_as_a_wrong_pin(cast, village_a_client):
    wrong_pin = _login_resident(village_a_client, cast.resident_a_nik, WRONG_PIN)
    unknown = _login_resident(village_a_client, "1808110101900999", RESIDENT_PIN)

    assert unknown.status_code == wrong_pin.status_code == 400
    assert unknown.json() == wrong_pin.json()


def test_five_wrong_pins_lock_the_account_even_against_the_right_pin(cast, village_a_client):
    # given
    for attempt in range(MAX_FAILED_ATTEMPTS):
        response = _login_resident(village_a_client, cast.resident_a_nik, WRONG_PIN)
        assert response.status_code == 400, f"attempt {attempt + 1}"

    # when
    response = _login_resident(village_a_client, cast.resident_a_nik, RESIDENT_PIN)

    # then
    assert response.status_code == 429
    error = _only_error(response)
    assert (error["field"], error["code"]) == ("pin", "locked")
    assert "15 menit" in error["message"] and "15 minutes" in error["message_en"]
    assert _account_of(cast).locked_until is not None
    assert RESIDENT_SESSION_KEY not in village_a_client.session


def test_four_wrong_pins_then_the_right_one_logs_in_and_resets_the_count(cast, village_a_client):
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        _login_resident(village_a_client, cast.resident_a_nik, WRONG_PIN)

    response = _login_resident(village_a_client, cast.resident_a_nik, RESIDENT_PIN)

    assert response.status_code == 200
    assert _account_of(cast).failed_attempts == 0


def test_a_lock_in_village_a_does_not_lock_the_same_nik_elsewhere(cast, village_a_client):
    # Accounts are village-local: a locked account of A says nothing about village B.
    for _ in range(MAX_FAILED_ATTEMPTS):
        _login_resident(village_a_client, cast.resident_a_nik, WRONG_PIN)
    on_b = Client(HTTP_HOST=host_of(cast.village_b))

    response = _login_resident(on_b, cast.resident_a_nik, RESIDENT_PIN)

    assert response.status_code == 400
    assert _only_error(response)["code"] == "invalid_login"


@pytest.mark.parametrize(
    "nik",
    ["123", "0808115705900001", "18081157059000011", "18081157059000a1", "1808 115705900001"],
    ids=["short", "leading-zero", "seventeen-digits", "letter", "space"],
)
def test_malformed_nik_is_refused_naming_the_nik(cast, village_a_client, nik):
    response = _login_resident(village_a_client, nik, RESIDENT_PIN)

    assert response.status_code == 400
    error = _only_error(response)
    assert (error["field"], error["code"]) == ("nik", "invalid_nik")
    assert error["message"].startswith("NIK harus 16 angka")
    assert error["message_en"].startswith("NIK must be 16 digits")
    assert _account_of(cast).failed_attempts == 0


def test_resident_login_needs_a_village_host(cast, public_client):
    response = _login_resident(public_client, cast.resident_a_nik, RESIDENT_PIN)

    assert response.status_code == 404


# --- staff -------------------------------------------------------------------------------


def test_staff_logs_in_on_her_village_and_gets_a_token(cast, village_a_client):
    response = village_a_client.post(
        STAFF_LOGIN, {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "kepala_desa"
    assert body["token"] == Token.objects.get(user=cast.alice).key
    with_token = Client(
        HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Token {body['token']}"
    )
    assert with_token.get(WHOAMI).json() == {
        "kind": "staff",
        "username": "alice",
        "role": "kepala_desa",
    }


@pytest.mark.parametrize("username", ["bob", "carol", "erin", "pat"])
def test_people_who_are_not_staff_of_the_village_are_refused(cast, village_a_client, username):
    response = village_a_client.post(
        STAFF_LOGIN, {"username": username, "password": PASSWORD}, content_type="application/json"
    )

    assert response.status_code == 403
    error = _only_error(response)
    assert (error["field"], error["code"]) == ("username", "not_village_staff")
    assert error["message"] != error["message_en"]
    assert not Token.objects.filter(user__username=username).exists()


def test_staff_token_from_village_a_is_not_staff_on_village_b(cast, village_a_client):
    token = village_a_client.post(
        STAFF_LOGIN, {"username": "alice", "password": PASSWORD}, content_type="application/json"
    ).json()["token"]

    on_b = Client(HTTP_HOST=host_of(cast.village_b), HTTP_AUTHORIZATION=f"Token {token}")

    assert on_b.get(WHOAMI).status_code == 403
    assert on_b.get("/api/village/residents/").status_code == 403


def test_wrong_staff_password_is_refused_naming_the_password(cast, village_a_client):
    response = village_a_client.post(
        STAFF_LOGIN,
        {"username": "alice", "password": "salah-sekali"},
        content_type="application/json",
    )

    assert response.status_code == 400
    error = _only_error(response)
    assert (error["field"], error["code"]) == ("password", "invalid_login")
    assert (error["message"], error["message_en"]) == (
        "Nama pengguna atau kata sandi salah.",
        "Wrong username or password.",
    )


def test_an_inactive_staff_member_cannot_log_in(cast, village_a_client):
    cast.alice.is_active = False
    cast.alice.save(update_fields=["is_active"])

    response = village_a_client.post(
        STAFF_LOGIN, {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )

    assert response.status_code == 400


# --- selectors ---------------------------------------------------------------------------


def _regions(queryset) -> set[str]:
    return set(queryset.values_list("region_id", flat=True))


def test_kecamatan_supervisor_reads_only_the_villages_of_her_kecamatan(cast):
    assert _regions(villages_supervised(user=cast.carol)) == {"18.08.11.2001", "18.08.11.2002"}


def test_kabupaten_supervisor_reads_every_village_of_the_kabupaten(cast):
    assert _regions(villages_supervised(user=cast.erin)) == {
        "18.08.11.2001",
        "18.08.11.2002",
        "18.08.01.2006",
    }


def test_supervisor_of_another_kecamatan_reads_only_that_kecamatan(cast):
    assert _regions(villages_supervised(user=cast.dave)) == {"18.08.01.2006"}


@pytest.mark.parametrize("actor", ["alice", "bob", "pat"])
def test_people_without_a_scope_supervise_nothing(cast, actor):
    assert not villages_supervised(user=getattr(cast, actor)).exists()


def test_a_resident_supervises_nothing(cast):
    resident = ResidentPrincipal(
        schema_name=cast.village_a.schema_name, account_id=1, resident_id=cast.resident_a.pk
    )

    assert not villages_supervised(user=resident).exists()
    assert region_is_supervised(user=resident, region_code="18.08.11.2001") is False


@pytest.mark.parametrize(
    ("actor", "region_code", "supervised"),
    [
        ("carol", "18.08.11.2001", True),
        ("carol", "18.08.11", True),
        ("carol", "18.08.01.2006", False),
        ("carol", "18.08", False),  # a kecamatan supervisor does not read the kabupaten
        ("carol", "18.08.1", False),
        ("carol", "18.08.111", False),  # a prefix of the digits is not a region below
        ("dave", "18.08.01.2006", True),
        ("dave", "18.08.11.2001", False),
        ("erin", "18.08.11.2001", True),
        ("erin", "18.08.01", True),
        ("erin", "18.09.01.2001", False),
        ("erin", "18.080", False),
        ("alice", "18.08.11.2001", False),
    ],
)
def test_region_is_supervised(cast, actor, region_code, supervised):
    assert region_is_supervised(user=getattr(cast, actor), region_code=region_code) is supervised


def test_villages_staffed_lists_the_memberships(cast):
    assert _regions(villages_staffed(user=cast.alice)) == {"18.08.11.2001"}
    assert _regions(villages_staffed(user=cast.bob)) == {"18.08.11.2002"}
    assert not villages_staffed(user=UserFactory()).exists()


def test_a_resident_removed_from_the_register_is_logged_out_not_a_server_error(
    cast, village_a_client
):
    # given: a resident with a session and a token
    _login_resident(village_a_client, cast.resident_a_nik, RESIDENT_PIN)
    token = _login_resident(
        Client(HTTP_HOST=host_of(cast.village_a)), cast.resident_a_nik, RESIDENT_PIN, token=True
    ).json()["token"]

    # when: the village removes her from the register (moved away)
    with schema_context(cast.village_a.schema_name):
        cast.resident_a.delete()

    # then
    by_session = village_a_client.get("/api/village/residents/me/")
    by_token = Client(
        HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Resident {token}"
    ).get("/api/village/residents/me/")
    assert by_session.status_code in {401, 403}
    assert by_token.status_code == 401
    assert village_a_client.get(WHOAMI).status_code in {401, 403}
