"""Tenant isolation: who reaches what on a village host, and on the public host.

The village comes from the host, never from the URL or the session. A login, a session
cookie or a token made on village A is worth nothing on village B, and resident id 1 of
A is never taken for resident id 1 of B.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from services.residents.models import Resident
from services.village.models import VillageProfile
from tests.conftest import RESIDENT_PIN, host_of
from tests.factories import UserFactory

PROFILE = "/api/village/profile/"
# The dusun/RW/RT tree is part of the public village profile (issue 4): readable by all.
AREAS = "/api/village/areas/"
RESIDENTS = "/api/village/residents/"
ME = "/api/village/residents/me/"
WHOAMI = "/api/auth/whoami/"

OK = {200}
DENIED = {401, 403}
FORBIDDEN = {403}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_throttle_between_tests():
    # Logins are throttled per IP (30/min) in the shared cache; every test client is
    # 127.0.0.1, so one test's logins must not count against the next test's.
    cache.delete("throttle_anon_127.0.0.1")


def resident_session_client(cast) -> Client:
    """A client that logged in as the resident of A on A's host, with a session cookie."""
    client = Client(HTTP_HOST=host_of(cast.village_a))
    response = client.post(
        "/api/auth/resident/login/",
        {"nik": cast.resident_a_nik, "pin": RESIDENT_PIN},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client


def resident_token(cast) -> str:
    response = Client(HTTP_HOST=host_of(cast.village_a)).post(
        "/api/auth/resident/login/",
        {"nik": cast.resident_a_nik, "pin": RESIDENT_PIN, "token": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def request_as(cast, actor: str, village: str, method: str, path: str):
    """Send one request to ``village``'s host (``a``/``b``) as ``actor``."""
    target = {"a": cast.village_a, "b": cast.village_b}[village]
    host = host_of(target)
    headers = {}
    if actor == "anonymous":
        client = Client()
    elif actor == "resident_a_session":
        # The cookie from A's login, replayed on whatever host is asked.
        client = resident_session_client(cast)
    elif actor == "resident_a_token":
        client = Client()
        headers["HTTP_AUTHORIZATION"] = f"Resident {resident_token(cast)}"
    else:
        client = Client()
        client.force_login(getattr(cast, actor))
    call = getattr(client, method)
    if method == "patch":
        return call(
            path,
            {"service_hours": "Senin-Sabtu 08.00-12.00"},
            content_type="application/json",
            HTTP_HOST=host,
            **headers,
        )
    return call(path, HTTP_HOST=host, **headers)


# actor, village host, method, path, allowed statuses
MATRIX = [
    # alice: kepala desa of A
    ("alice", "a", "get", PROFILE, OK),
    ("alice", "a", "patch", PROFILE, OK),
    ("alice", "a", "get", AREAS, OK),
    ("alice", "a", "get", RESIDENTS, OK),
    ("alice", "a", "get", ME, FORBIDDEN),
    ("alice", "a", "get", WHOAMI, OK),
    ("alice", "b", "patch", PROFILE, FORBIDDEN),
    ("alice", "b", "get", AREAS, OK),
    ("alice", "b", "get", RESIDENTS, FORBIDDEN),
    ("alice", "b", "get", WHOAMI, FORBIDDEN),
    # bob: operator of B, a stranger on A, the wrong role for B's profile
    ("bob", "a", "get", PROFILE, OK),
    ("bob", "a", "patch", PROFILE, FORBIDDEN),
    ("bob", "a", "get", AREAS, OK),
    ("bob", "a", "get", RESIDENTS, FORBIDDEN),
    ("bob", "a", "get", ME, FORBIDDEN),
    ("bob", "a", "get", WHOAMI, FORBIDDEN),
    ("bob", "b", "patch", PROFILE, FORBIDDEN),
    ("bob", "b", "get", AREAS, OK),
    ("bob", "b", "get", RESIDENTS, OK),
    ("bob", "b", "get", WHOAMI, OK),
    # supervisors read through the public host only, never a village host
    ("carol", "a", "get", PROFILE, OK),
    ("carol", "a", "patch", PROFILE, FORBIDDEN),
    ("carol", "a", "get", AREAS, OK),
    ("carol", "a", "get", RESIDENTS, FORBIDDEN),
    ("carol", "a", "get", ME, FORBIDDEN),
    ("carol", "a", "get", WHOAMI, FORBIDDEN),
    ("erin", "b", "patch", PROFILE, FORBIDDEN),
    ("erin", "b", "get", AREAS, OK),
    ("erin", "b", "get", RESIDENTS, FORBIDDEN),
    ("erin", "b", "get", ME, FORBIDDEN),
    ("erin", "b", "get", WHOAMI, FORBIDDEN),
    # the platform admin has no business inside a village
    ("pat", "a", "get", PROFILE, OK),
    ("pat", "a", "patch", PROFILE, FORBIDDEN),
    ("pat", "a", "get", AREAS, OK),
    ("pat", "a", "get", RESIDENTS, FORBIDDEN),
    ("pat", "a", "get", ME, FORBIDDEN),
    ("pat", "a", "get", WHOAMI, FORBIDDEN),
    # the resident of A, by session cookie: at home on A, a stranger on B
    ("resident_a_session", "a", "get", PROFILE, OK),
    ("resident_a_session", "a", "patch", PROFILE, FORBIDDEN),
    ("resident_a_session", "a", "get", AREAS, OK),
    ("resident_a_session", "a", "get", RESIDENTS, FORBIDDEN),
    ("resident_a_session", "a", "get", ME, OK),
    ("resident_a_session", "a", "get", WHOAMI, OK),
    ("resident_a_session", "b", "patch", PROFILE, DENIED),
    ("resident_a_session", "b", "get", AREAS, OK),
    ("resident_a_session", "b", "get", RESIDENTS, DENIED),
    ("resident_a_session", "b", "get", ME, DENIED),
    ("resident_a_session", "b", "get", WHOAMI, DENIED),
    # the resident of A, by API token: the token lives in A's schema only
    ("resident_a_token", "a", "get", ME, OK),
    ("resident_a_token", "a", "get", WHOAMI, OK),
    ("resident_a_token", "a", "get", RESIDENTS, FORBIDDEN),
    ("resident_a_token", "a", "patch", PROFILE, FORBIDDEN),
    ("resident_a_token", "b", "get", ME, DENIED),
    ("resident_a_token", "b", "get", WHOAMI, DENIED),
    ("resident_a_token", "b", "get", RESIDENTS, DENIED),
    ("resident_a_token", "b", "patch", PROFILE, DENIED),
    # anonymous
    ("anonymous", "a", "get", PROFILE, OK),
    ("anonymous", "a", "patch", PROFILE, DENIED),
    ("anonymous", "a", "get", AREAS, OK),
    ("anonymous", "a", "get", RESIDENTS, DENIED),
    ("anonymous", "a", "get", ME, DENIED),
    ("anonymous", "a", "get", WHOAMI, DENIED),
]


@pytest.mark.parametrize(
    ("actor", "village", "method", "path", "allowed"),
    MATRIX,
    ids=[f"{a}-on-{v}-{m}-{p.strip('/').replace('/', '.')}" for a, v, m, p, _ in MATRIX],
)
def test_village_host_access_matrix(cast, actor, village, method, path, allowed):
    response = request_as(cast, actor, village, method, path)

    assert response.status_code in allowed, response.content
    if response.status_code in DENIED:
        error = response.json()["errors"][0]
        assert error["message"] and error["message_en"]


def test_a_refused_profile_edit_changes_nothing(cast):
    request_as(cast, "bob", "b", "patch", PROFILE)
    request_as(cast, "resident_a_session", "a", "patch", PROFILE)

    for village in (cast.village_a, cast.village_b):
        with schema_context(village.schema_name):
            assert VillageProfile.objects.get().service_hours == "Senin-Jumat 08.00-15.00"


def test_kepala_desa_edits_only_her_own_villages_profile(cast):
    response = request_as(cast, "alice", "a", "patch", PROFILE)

    assert response.json()["service_hours"] == "Senin-Sabtu 08.00-12.00"
    with schema_context(cast.village_a.schema_name):
        assert VillageProfile.objects.get().service_hours == "Senin-Sabtu 08.00-12.00"
    with schema_context(cast.village_b.schema_name):
        assert VillageProfile.objects.get().service_hours == "Senin-Jumat 08.00-15.00"


def test_sekretaris_may_edit_the_profile_and_an_operator_may_not(cast):
    sekretaris = UserFactory(username="sekdes_a")
    membership_grant(user=sekretaris, village=cast.village_a, role=StaffRole.SEKRETARIS)
    operator = UserFactory(username="operator_a")
    membership_grant(user=operator, village=cast.village_a, role=StaffRole.OPERATOR)

    responses = {}
    for user in (sekretaris, operator):
        client = Client(HTTP_HOST=host_of(cast.village_a))
        client.force_login(user)
        responses[user.username] = client.patch(
            PROFILE, {"phone": "0812"}, content_type="application/json"
        ).status_code

    assert responses == {"sekdes_a": 200, "operator_a": 403}


def _resident_names(village) -> set[str]:
    with schema_context(village.schema_name):
        return set(Resident.objects.values_list("full_name", flat=True))


def test_resident_id_of_a_is_also_a_resident_id_in_b(cast):
    # The premise of the replay tests: the same id names a different person in B.
    with schema_context(cast.village_b.schema_name):
        assert Resident.objects.filter(pk=cast.resident_a.pk).exists()
        assert Resident.objects.get(pk=cast.resident_a.pk).full_name != "Siti Aminah"


def test_resident_of_a_sees_herself_and_never_bs_residents(cast):
    client = resident_session_client(cast)
    names_in_b = _resident_names(cast.village_b)

    own = client.get(ME)
    replayed_on_b = client.get(ME, HTTP_HOST=host_of(cast.village_b))
    listing_on_b = client.get(RESIDENTS, HTTP_HOST=host_of(cast.village_b))

    assert own.json()["full_name"] == "Siti Aminah"
    assert own.json()["nik"] == cast.resident_a_nik
    for response in (replayed_on_b, listing_on_b):
        assert response.status_code in DENIED
        assert not any(name in response.content.decode() for name in names_in_b)


def test_resident_token_of_a_is_unknown_on_b(cast):
    token = resident_token(cast)

    on_b = Client().get(
        ME, HTTP_HOST=host_of(cast.village_b), HTTP_AUTHORIZATION=f"Resident {token}"
    )
    on_a = Client().get(
        ME, HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Resident {token}"
    )

    assert on_b.status_code == 401
    assert "Budi" not in on_b.content.decode()
    assert on_a.json()["full_name"] == "Siti Aminah"


def test_staff_of_a_listing_residents_on_a_gets_only_as_rows(cast):
    client = Client(HTTP_HOST=host_of(cast.village_a))
    client.force_login(cast.alice)

    response = client.get(RESIDENTS)

    listed = {row["full_name"] for row in response.json()["results"]}
    assert listed == _resident_names(cast.village_a)
    assert "Siti Aminah" in listed
    assert not listed & _resident_names(cast.village_b)


def test_staff_of_both_villages_sees_only_the_hosts_village(cast):
    both = UserFactory(username="staf_ganda")
    membership_grant(user=both, village=cast.village_a, role=StaffRole.OPERATOR)
    membership_grant(user=both, village=cast.village_b, role=StaffRole.OPERATOR)
    client = Client()
    client.force_login(both)

    on_a = client.get(RESIDENTS, HTTP_HOST=host_of(cast.village_a)).json()["results"]
    on_b = client.get(RESIDENTS, HTTP_HOST=host_of(cast.village_b)).json()["results"]

    assert {r["full_name"] for r in on_a} == _resident_names(cast.village_a)
    assert {r["full_name"] for r in on_b} == _resident_names(cast.village_b)


def test_staff_session_from_a_replayed_on_b_is_not_staff_there(cast):
    client = Client(HTTP_HOST=host_of(cast.village_a))
    client.force_login(cast.alice)
    assert client.get(RESIDENTS).status_code == 200

    response = client.get(RESIDENTS, HTTP_HOST=host_of(cast.village_b))

    assert response.status_code == 403
    assert "Budi" not in response.content.decode()


# --- the public host ---------------------------------------------------------------------

PLATFORM_ENDPOINTS = [
    ("get", "/api/platform/villages/"),
    ("post", "/api/platform/villages/"),
    ("post", "/api/platform/villages/bulk/"),
    ("post", "/api/platform/villages/purwaagung/suspend/"),
    ("post", "/api/platform/villages/purwaagung/reactivate/"),
]


@pytest.mark.parametrize(("method", "path"), PLATFORM_ENDPOINTS)
@pytest.mark.parametrize("actor", ["anonymous", "alice", "bob", "carol", "dave", "erin"])
def test_platform_endpoints_refuse_everyone_but_platform_admins(
    cast, public_client, actor, method, path
):
    if actor != "anonymous":
        public_client.force_login(getattr(cast, actor))

    response = getattr(public_client, method)(path, {"reason": "uji"})

    assert response.status_code in DENIED
    cast.village_b.refresh_from_db()
    assert cast.village_b.status == "active"


def test_a_resident_session_is_nothing_on_the_public_host(cast, settings):
    client = resident_session_client(cast)

    response = client.get("/api/platform/villages/", HTTP_HOST=settings.BALAI_BASE_DOMAIN)

    assert response.status_code in DENIED


def test_platform_admin_lists_villages_on_the_public_host(cast, public_client):
    public_client.force_login(cast.pat)

    response = public_client.get("/api/platform/villages/")

    assert response.status_code == 200
    slugs = {row["slug"] for row in response.json()}
    assert {"negarabatin", "purwaagung", "desa-c"} <= slugs


def test_platform_admin_token_is_refused_on_a_village_host(cast):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=cast.pat)
    client = Client(HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(RESIDENTS).status_code == 403
    assert client.get(WHOAMI).status_code == 403


@pytest.mark.parametrize("path", [PROFILE, RESIDENTS, WHOAMI])
def test_village_endpoints_are_not_served_on_the_public_host(cast, public_client, path):
    public_client.force_login(cast.pat)

    assert public_client.get(path).status_code == 404
