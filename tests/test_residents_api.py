"""The register API on village hosts: who may reach each endpoint, what it answers, and
how many SQL statements a list costs."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant, user_get_or_create
from services.audit.models import AuditEntry
from services.residents import services
from services.residents.models import Family, PopulationEvent, Resident
from services.village.models import Area, AreaLevel
from tests.conftest import PASSWORD, RESIDENT_PIN, client_for, host_of

pytestmark = pytest.mark.django_db


def person(**overrides) -> dict:
    data = {
        "nik": "1808111705900001",
        "full_name": "Ahmad Fauzi",
        "birth_date": "1990-05-17",
        "sex": "L",
        "religion": "islam",
    }
    data.update(overrides)
    return data


def resident_client(cast) -> Client:
    with schema_context(cast.village_a.schema_name):
        account = services.resident_authenticate(nik=cast.resident_a_nik, pin=RESIDENT_PIN)
        token = services.resident_token_create(account=account)
    connection.set_schema_to_public()
    return Client(HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Resident {token}")


def staff_of_a(cast, role: str):
    user, _ = user_get_or_create(username=f"{role}_a", password=PASSWORD)
    membership_grant(user=user, village=cast.village_a, role=role)
    return user


@pytest.fixture
def ahmad(cast):
    """A resident of A made through the service, with an RT and a family card."""
    with schema_context(cast.village_a.schema_name):
        dusun = Area.objects.create(level=AreaLevel.DUSUN, name="Dusun Satu")
        rw = Area.objects.create(level=AreaLevel.RW, name="001", parent=dusun)
        rt = Area.objects.create(level=AreaLevel.RT, name="002", parent=rw)
        resident = services.resident_create(
            actor=cast.alice,
            data={
                "nik": "1808111705900001",
                "full_name": "Ahmad Fauzi",
                "birth_date": datetime.date(1990, 5, 17),
                "sex": "L",
                "rt": rt,
            },
            arrival_date=datetime.date(2020, 1, 1),
        )
        family = services.family_create(
            actor=cast.alice, kk_number="1808110101200001", rt=rt, head=resident
        )
    connection.set_schema_to_public()
    return {"resident": resident, "family": family, "rt": rt, "dusun": dusun}


def endpoints(ahmad) -> list[tuple[str, str, dict | None]]:
    rid, fid = ahmad["resident"].pk, ahmad["family"].pk
    return [
        ("get", "/api/village/residents/", None),
        ("post", "/api/village/residents/", person(nik="1808111705900002")),
        ("get", f"/api/village/residents/{rid}/", None),
        ("patch", f"/api/village/residents/{rid}/", {"phone": "081234567890"}),
        ("post", f"/api/village/residents/{rid}/acknowledge-nik-warning/", {}),
        ("get", f"/api/village/residents/{rid}/events/", None),
        (
            "post",
            f"/api/village/residents/{rid}/events/",
            {"kind": "pindah_keluar", "event_date": "2024-01-01"},
        ),
        ("get", "/api/village/residents/as-of/?date=2024-01-01", None),
        ("get", "/api/village/residents/statistics/", None),
        ("get", "/api/village/families/", None),
        ("post", "/api/village/families/", {"kk_number": "1808110101200002"}),
        ("get", f"/api/village/families/{fid}/", None),
        (
            "post",
            f"/api/village/families/{fid}/members/",
            {"resident_id": rid, "family_relation": "anak"},
        ),
        ("post", f"/api/village/families/{fid}/head/", {"resident_id": rid}),
        ("get", "/api/village/events/", None),
        (
            "post",
            "/api/village/events/",
            {
                "kind": "lahir",
                "resident": {"full_name": "Bayi", "sex": "P", "birth_date": "2024-06-01"},
            },
        ),
        ("get", "/api/village/audit/", None),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("who", ["bob", "carol", "erin", "pat", "resident", "anonymous"])
def test_only_staff_of_this_village_reach_the_register(cast, ahmad, who):
    if who == "resident":
        client = resident_client(cast)
    elif who == "anonymous":
        client = client_for(cast.village_a)
    else:
        client = client_for(cast.village_a, user=getattr(cast, who))
    with schema_context(cast.village_a.schema_name):
        before = (
            Resident.objects.count(),
            Family.objects.count(),
            PopulationEvent.objects.count(),
            AuditEntry.objects.count(),
        )
    connection.set_schema_to_public()
    for method, url, body in endpoints(ahmad):
        response = call(client, method, url, body)
        assert response.status_code in (401, 403), (who, method, url, response.status_code)
    with schema_context(cast.village_a.schema_name):
        after = (
            Resident.objects.count(),
            Family.objects.count(),
            PopulationEvent.objects.count(),
            AuditEntry.objects.count(),  # refused requests record nothing, not even a view
        )
        assert after == before


def test_village_staff_reach_every_register_endpoint(cast, ahmad):
    client = client_for(cast.village_a, user=cast.alice)
    for method, url, body in endpoints(ahmad):
        response = call(client, method, url, body)
        if url.endswith("acknowledge-nik-warning/"):
            assert response.status_code == 400  # nothing to acknowledge: a matching NIK
            continue
        assert response.status_code in (200, 201), (method, url, response.json())


@pytest.mark.parametrize("role", [StaffRole.SEKRETARIS, StaffRole.OPERATOR])
def test_sekretaris_and_operator_keep_the_register(cast, ahmad, role):
    client = client_for(cast.village_a, user=staff_of_a(cast, role))
    assert client.get("/api/village/residents/").status_code == 200
    response = call(client, "post", "/api/village/residents/", person(nik="1808111705900002"))
    assert response.status_code == 201


def test_the_audit_log_is_for_kepala_desa_and_sekretaris_not_operators(cast, ahmad):
    operator = client_for(cast.village_a, user=staff_of_a(cast, StaffRole.OPERATOR))
    sekretaris = client_for(cast.village_a, user=staff_of_a(cast, StaffRole.SEKRETARIS))
    assert operator.get("/api/village/audit/").status_code == 403
    assert sekretaris.get("/api/village/audit/").status_code == 200


def test_a_resident_sees_only_themselves_and_their_family(cast):
    with schema_context(cast.village_a.schema_name):
        siti = Resident.objects.get(pk=cast.resident_a.pk)
        family = services.family_create(actor=None, kk_number="1808110101200009", head=siti)
        child = services.resident_create(
            actor=None,
            data={"full_name": "Anak Siti", "sex": "L", "birth_date": datetime.date(2015, 1, 1)},
        )
        services.family_add_member(actor=None, family=family, resident=child, relation="anak")
    connection.set_schema_to_public()
    client = resident_client(cast)
    me = client.get("/api/village/residents/me/")
    assert me.status_code == 200 and me.json()["id"] == cast.resident_a.pk
    family_view = client.get("/api/village/residents/me/family/").json()
    assert {m["full_name"] for m in family_view["members"]} == {"Siti Aminah", "Anak Siti"}
    assert client.get(f"/api/village/residents/{child.pk}/").status_code == 403


def test_staff_cannot_use_the_residents_own_endpoints(cast):
    client = client_for(cast.village_a, user=cast.alice)
    assert client.get("/api/village/residents/me/").status_code == 403


def test_a_resident_of_another_village_is_not_found_here(cast):
    with schema_context(cast.village_b.schema_name):
        budi = Resident.objects.get(full_name="Budi Santoso")
    connection.set_schema_to_public()
    client = client_for(cast.village_a, user=cast.alice)
    # Budi's id in B may or may not exist in A; what matters is A never shows Budi
    response = client.get(f"/api/village/residents/{budi.pk}/")
    assert "Budi Santoso" not in response.content.decode()
    names = {r["full_name"] for r in client.get("/api/village/residents/").json()["results"]}
    assert "Budi Santoso" not in names


def test_creating_through_the_api(cast):
    client = client_for(cast.village_a, user=cast.alice)
    response = call(client, "post", "/api/village/residents/", person())
    assert response.status_code == 201
    body = response.json()
    assert body["nik"] == "1808111705900001" and body["status"] == "hidup"
    detail = client.get(f"/api/village/residents/{body['id']}/")
    assert detail.json()["full_name"] == "Ahmad Fauzi"
    with schema_context(cast.village_a.schema_name):
        actions = list(
            AuditEntry.objects.filter(object_id=str(body["id"])).values_list("action", flat=True)
        )
    assert sorted(actions) == ["create", "view"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"nik": "180811170590001"}, "nik", "nik_length"),
        ({"nik": "18081117059000AB"}, "nik", "nik_not_digits"),
        ({"nik": "0808111705900001"}, "nik", "nik_zero_prefix"),
        ({"birth_date": "2024-02-30"}, "birth_date", "invalid_date"),
        ({"birth_date": "2999-01-01"}, "birth_date", "birth_date_future"),
        ({"religion": "jedi"}, "religion", "invalid_choice"),
        ({"rt_id": "abc"}, "rt_id", "invalid_id"),
        ({"status": "mati"}, "status", "status_read_only"),
        ({"favourite_colour": "blue"}, "favourite_colour", "unknown_field"),
    ],
)
def test_bad_input_answers_400_naming_the_field_in_both_languages(cast, overrides, field, code):
    client = client_for(cast.village_a, user=cast.alice)
    with schema_context(cast.village_a.schema_name):
        before = Resident.objects.count()
    connection.set_schema_to_public()
    response = call(client, "post", "/api/village/residents/", person(**overrides))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    with schema_context(cast.village_a.schema_name):
        assert Resident.objects.count() == before
        assert not AuditEntry.objects.filter(action="create").exists()


def test_a_nik_mismatch_needs_acknowledgement_through_the_api(cast):
    client = client_for(cast.village_a, user=cast.alice)
    body = person(birth_date="1991-05-17")
    refused = call(client, "post", "/api/village/residents/", body)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "nik_mismatch"
    accepted = call(
        client, "post", "/api/village/residents/", {**body, "acknowledge_warnings": True}
    )
    assert accepted.status_code == 201
    assert accepted.json()["nik_warning"]["code"] == "nik_mismatch"
    assert accepted.json()["nik_warning_acknowledged"] is True


def test_a_duplicate_nik_through_the_api_names_the_field(cast, ahmad):
    client = client_for(cast.village_a, user=cast.alice)
    response = call(client, "post", "/api/village/residents/", person())
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "nik"
    assert response.json()["errors"][0]["code"] == "nik_taken"


def test_updating_personal_fields_and_refusing_status(cast, ahmad):
    client = client_for(cast.village_a, user=cast.alice)
    url = f"/api/village/residents/{ahmad['resident'].pk}/"
    response = call(client, "patch", url, {"occupation": "guru"})
    assert response.status_code == 200 and response.json()["occupation"] == "guru"
    refused = call(client, "patch", url, {"status": "mati"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "status"


def test_recording_events_through_the_api(cast, ahmad):
    client = client_for(cast.village_a, user=cast.alice)
    url = f"/api/village/residents/{ahmad['resident'].pk}/events/"
    died = call(client, "post", url, {"kind": "mati", "event_date": "2024-03-01"})
    assert died.status_code == 201
    detail = client.get(f"/api/village/residents/{ahmad['resident'].pk}/").json()
    assert detail["status"] == "mati"
    again = call(client, "post", url, {"kind": "mati", "event_date": "2024-03-02"})
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "event_not_allowed"
    bad_date = call(client, "post", url, {"kind": "hilang", "event_date": "2024-02-30"})
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == "event_date"
    history = client.get(url).json()
    assert [e["kind"] for e in history] == ["pendataan", "mati"]


def test_a_birth_through_the_events_endpoint(cast):
    client = client_for(cast.village_a, user=cast.alice)
    response = call(
        client,
        "post",
        "/api/village/events/",
        {
            "kind": "lahir",
            "resident": {"full_name": "Bayi", "sex": "P", "birth_date": "2024-06-01"},
        },
    )
    assert response.status_code == 201
    assert response.json()["has_temporary_nik"] is True
    listed = client.get("/api/village/events/?kind=lahir").json()["results"]
    assert [e["event_date"] for e in listed] == ["2024-06-01"]


@pytest.fixture
def two_hundred(cast):
    """200 residents of A in 40 families across 2 dusun, made in bulk."""
    with schema_context(cast.village_a.schema_name):
        rts = []
        for d in range(2):
            dusun = Area.objects.create(level=AreaLevel.DUSUN, name=f"Dusun {d}")
            rw = Area.objects.create(level=AreaLevel.RW, name="001", parent=dusun)
            rts.append(Area.objects.create(level=AreaLevel.RT, name="001", parent=rw))
        families = Family.objects.bulk_create(
            Family(kk_number=f"18081101012{i:05d}", rt=rts[i % 2]) for i in range(40)
        )
        Resident.objects.bulk_create(
            Resident(
                nik=f"1808110101{90 + i % 10:02d}{i:04d}",
                full_name=("Sari " if i % 4 == 0 else "Joko ") + f"{i:03d}",
                birth_date=datetime.date(1990 + i % 10, 1, 1),
                sex="P" if i % 2 else "L",
                family=families[i // 5],
                rt=rts[i % 2],
            )
            for i in range(200)
        )
    connection.set_schema_to_public()
    return rts


@pytest.mark.parametrize(
    "query",
    [
        "page_size=50",
        "page_size=100",
        "page_size=50&name=sari",
        "page_size=50&nik=18081101",
        "page_size=50&kk=1808110101200001",
        "page_size=50&status=hidup&sex=P",
        "page=2&page_size=50",
    ],
)
def test_a_list_or_search_costs_at_most_10_statements_whatever_the_page_size(
    cast, two_hundred, query
):
    client = client_for(cast.village_a, user=cast.alice)
    client.get("/api/village/residents/")  # the village route is cached after the first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/village/residents/?{query}")
    assert response.status_code == 200
    assert len(response.json()["results"]) > 0
    # more than zero: the capture really saw the request's statements
    assert 0 < len(queries) <= 10, [q["sql"][:120] for q in queries]


def test_the_family_list_costs_at_most_10_statements(cast, two_hundred):
    client = client_for(cast.village_a, user=cast.alice)
    client.get("/api/village/families/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/village/families/?page_size=40")
    assert len(response.json()["results"]) == 40
    assert all(row["member_count"] == 5 for row in response.json()["results"])
    assert 0 < len(queries) <= 10


def test_search_by_name_nik_and_kk(cast, two_hundred):
    client = client_for(cast.village_a, user=cast.alice)

    def names(query):
        response = client.get(f"/api/village/residents/?page_size=100&{query}")
        assert response.status_code == 200
        return [r["full_name"] for r in response.json()["results"]]

    assert len(names("name=SARI")) == 50  # case-insensitive contains
    assert names("name=ari 004") == ["Sari 004"]
    assert names("nik=1808110101940004") == ["Sari 004"]  # exact
    assert len(names("nik=180811010190")) == 20  # prefix
    assert len(names("kk=1808110101200001")) == 5
    assert names("kk=18081101012") != []
    refused = client.get("/api/village/residents/?nik=18O8")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "nik"


def test_filters_by_status_sex_area_and_family(cast, two_hundred):
    client = client_for(cast.village_a, user=cast.alice)

    def count(query):
        return client.get(f"/api/village/residents/?{query}").json()["count"]

    assert count(f"dusun={two_hundred[0].parent.parent_id}&sex=L") == 100
    assert count(f"rt={two_hundred[1].pk}") == 100
    with schema_context(cast.village_a.schema_name):
        family_id = Family.objects.get(kk_number="1808110101200003").pk
    connection.set_schema_to_public()
    assert count(f"family={family_id}") == 5
    assert count("status=mati") == 0
    bad = client.get("/api/village/residents/?status=zombie")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_a_list_request_writes_one_audit_row_without_the_search_terms(cast, two_hundred):
    client = client_for(cast.village_a, user=cast.alice)
    client.get("/api/village/residents/?page_size=50&nik=180811010190&status=hidup")
    with schema_context(cast.village_a.schema_name):
        entries = list(AuditEntry.objects.filter(action="list"))
    assert len(entries) == 1
    detail = entries[0].detail
    assert detail["returned"] == 20 and detail["total"] == 20
    assert detail["filters"] == {"status": "hidup", "searched_by": ["nik"]}
    assert "180811010190" not in str(detail)


def test_the_openapi_schema_still_generates(cast):
    response = client_for(cast.village_a).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/village/residents/{id}/events/" in response.content


def test_pages_follow_the_name_order_without_gaps_or_repeats(cast, two_hundred):
    client = client_for(cast.village_a, user=cast.alice)
    seen = []
    for page in (1, 2, 3, 4, 5):
        response = client.get(f"/api/village/residents/?page_size=50&page={page}")
        if response.status_code == 404:
            break
        seen += [(r["full_name"], r["id"]) for r in response.json()["results"]]
    with schema_context(cast.village_a.schema_name):
        expected = list(Resident.objects.order_by("full_name", "id").values_list("full_name", "id"))
    connection.set_schema_to_public()
    assert seen == expected


def test_anonymous_users_and_staff_get_nothing_from_the_residents_own_endpoints(cast):
    for client in (client_for(cast.village_a), client_for(cast.village_a, user=cast.carol)):
        for url in ("/api/village/residents/me/", "/api/village/residents/me/family/"):
            assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"kk_number": "180811010120000"}, "kk_number", "kk_length"),
        ({"kk_number": "0808110101200001"}, "kk_number", "kk_zero_prefix"),
        ({"kk_number": "1808110101200001", "rt_id": "x"}, "rt_id", "invalid_id"),
        ({}, "kk_number", "required"),
    ],
)
def test_bad_family_input_is_a_400_naming_the_field(cast, body, field, code):
    client = client_for(cast.village_a, user=cast.alice)
    response = call(client, "post", "/api/village/families/", body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)
    with schema_context(cast.village_a.schema_name):
        assert not Family.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nik": "18081117059000"}, "nik"),
        ({"birth_date": "1990-13-01"}, "birth_date"),
        ({"religion": "unknown"}, "religion"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_a_bad_correction_is_refused_and_the_record_is_unchanged(cast, ahmad, body, field):
    client = client_for(cast.village_a, user=cast.alice)
    url = f"/api/village/residents/{ahmad['resident'].pk}/"
    response = call(client, "patch", url, {**body, "phone": "081234567890"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    with schema_context(cast.village_a.schema_name):
        resident = Resident.objects.get(pk=ahmad["resident"].pk)
        assert (resident.nik, resident.phone) == ("1808111705900001", "")


def test_a_birth_in_the_future_is_refused(cast):
    client = client_for(cast.village_a, user=cast.alice)
    response = call(
        client,
        "post",
        "/api/village/events/",
        {
            "kind": "lahir",
            "resident": {"full_name": "Bayi", "sex": "P", "birth_date": "2999-01-01"},
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "birth_date"
