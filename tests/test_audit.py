"""The audit log: who viewed, created, changed, exported or printed which record."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.principals import ResidentPrincipal
from balai.accounts.services import membership_grant, user_get_or_create
from services.audit.models import AuditEntry
from services.audit.services import audit_record
from services.residents import services
from tests.conftest import PASSWORD, RESIDENT_PIN, client_for, host_of


@pytest.fixture
def in_village_a(cast):
    with schema_context(cast.village_a.schema_name):
        yield cast
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_an_entry_stores_the_actor_kind_and_id_never_a_name(in_village_a):
    cast = in_village_a
    staff = audit_record(
        actor=cast.alice, action="print", object_type="letter", object_id=7, fields=["nik", "nik"]
    )
    resident = audit_record(
        actor=ResidentPrincipal(schema_name="x", account_id=3, resident_id=11),
        action="view",
        object_type="resident",
        object_id=11,
    )
    system = audit_record(actor=None, action="export", object_type="resident")
    assert (staff.actor_kind, staff.actor_id, staff.object_id, staff.fields) == (
        "user",
        cast.alice.pk,
        "7",
        ["nik"],
    )
    assert (resident.actor_kind, resident.actor_id) == ("resident", 11)
    assert (system.actor_kind, system.actor_id, system.object_id) == ("system", None, "")


@pytest.mark.django_db
def test_an_update_records_the_changed_field_names_not_their_values(in_village_a):
    alice = in_village_a.alice
    resident = services.resident_create(
        actor=alice,
        data={"full_name": "Rahmat", "sex": "L", "birth_date": datetime.date(1980, 2, 2)},
    )
    services.resident_update(
        actor=alice,
        resident=resident,
        changes={"full_name": "Rahmat Hidayat", "phone": "0812345678"},
    )
    entry = AuditEntry.objects.get(action="update", object_id=str(resident.pk))
    assert entry.fields == ["full_name", "phone"]
    assert "Rahmat" not in str(entry.detail) and "0812345678" not in str(entry.detail)


@pytest.mark.django_db
def test_an_update_that_changes_nothing_records_nothing(in_village_a):
    alice = in_village_a.alice
    resident = services.resident_create(actor=alice, data={"full_name": "Rahmat", "sex": "L"})
    services.resident_update(actor=alice, resident=resident, changes={"full_name": "Rahmat"})
    assert not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.django_db
def test_viewing_a_record_and_listing_write_one_row_each(cast):
    client = client_for(cast.village_a, user=cast.alice)
    client.get(f"/api/village/residents/{cast.resident_a.pk}/")
    client.get("/api/village/residents/?name=siti")
    with schema_context(cast.village_a.schema_name):
        rows = list(AuditEntry.objects.order_by("id").values("action", "object_id", "actor_id"))
    assert rows == [
        {"action": "view", "object_id": str(cast.resident_a.pk), "actor_id": cast.alice.pk},
        {"action": "list", "object_id": "", "actor_id": cast.alice.pk},
    ]


@pytest.mark.django_db
def test_a_residents_look_at_their_own_record_is_logged_as_the_resident(cast):
    with schema_context(cast.village_a.schema_name):
        account = services.resident_authenticate(nik=cast.resident_a_nik, pin=RESIDENT_PIN)
        token = services.resident_token_create(account=account)
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=host_of(cast.village_a), HTTP_AUTHORIZATION=f"Resident {token}")
    assert client.get("/api/village/residents/me/").status_code == 200
    with schema_context(cast.village_a.schema_name):
        entry = AuditEntry.objects.get()
    assert (entry.actor_kind, entry.actor_id, entry.action) == (
        "resident",
        cast.resident_a.pk,
        "view",
    )


@pytest.mark.django_db
def test_the_audit_endpoint_filters_by_action_object_and_actor(cast):
    client = client_for(cast.village_a, user=cast.alice)
    client.get(f"/api/village/residents/{cast.resident_a.pk}/")
    client.get("/api/village/residents/")
    views = client.get("/api/village/audit/?action=view").json()["results"]
    assert [(r["action"], r["object_id"]) for r in views] == [("view", str(cast.resident_a.pk))]
    mine = client.get(f"/api/village/audit/?actor_kind=user&actor_id={cast.alice.pk}").json()
    assert mine["count"] == 2
    about = client.get(
        f"/api/village/audit/?object_type=resident&object_id={cast.resident_a.pk}"
    ).json()
    assert about["count"] == 1
    assert client.get("/api/village/audit/?from=2024-02-30").status_code == 400
    bad = client.get("/api/village/audit/?action=delete")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "action"


@pytest.mark.django_db
def test_the_audit_endpoint_refuses_operators_other_villages_residents_and_supervisors(cast):
    operator, _ = user_get_or_create(username="operator_a", password=PASSWORD)
    membership_grant(user=operator, village=cast.village_a, role=StaffRole.OPERATOR)
    for user in (operator, cast.bob, cast.carol, cast.pat, None):
        response = client_for(cast.village_a, user=user).get("/api/village/audit/")
        assert response.status_code in (401, 403), user


@pytest.mark.django_db
def test_each_village_has_its_own_log(cast):
    client_for(cast.village_a, user=cast.alice).get("/api/village/residents/")
    response = client_for(cast.village_b, user=cast.bob).get("/api/village/audit/")
    # bob is an operator: give B a kepala desa to read B's log
    assert response.status_code == 403
    kepala_b, _ = user_get_or_create(username="kepala_b", password=PASSWORD)
    membership_grant(user=kepala_b, village=cast.village_b, role=StaffRole.KEPALA_DESA)
    assert client_for(cast.village_b, user=kepala_b).get("/api/village/audit/").json()["count"] == 0


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Outside the test transaction, as a real read request runs; cleans up its entries."""
    from tenants.models import Village

    with django_db_blocker.unblock():
        village_a = Village.objects.get(region_id="18.08.11.2001")
        with schema_context(village_a.schema_name):
            last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        connection.set_schema_to_public()
        yield village_a
        with schema_context(village_a.schema_name):
            AuditEntry.objects.filter(id__gt=last).delete()
        connection.set_schema_to_public()


def test_a_read_outside_a_transaction_is_logged_in_one_statement_without_leaking_settings(
    committed,
):
    from django.test.utils import CaptureQueriesContext

    from balai.accounts.models import User

    alice = User.objects.get(username="alice")
    with schema_context(committed.schema_name):
        assert not connection.in_atomic_block
        with CaptureQueriesContext(connection) as queries:
            entry = audit_record(
                actor=alice,
                action="list",
                object_type="resident",
                detail={"returned": 3, "filters": {"searched_by": ["name"]}},
            )
        # one statement, besides django-tenants' SET search_path on the first cursor
        writes = [q for q in queries if not q["sql"].startswith("SET search_path")]
        assert len(writes) == 1
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert (stored.actor_kind, stored.actor_id, stored.action, stored.object_id) == (
            "user",
            alice.pk,
            "list",
            "",
        )
        assert stored.detail == {"returned": 3, "filters": {"searched_by": ["name"]}}
        assert stored.fields == []
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"  # the setting was local to that insert


def test_a_real_list_request_leaves_its_entry_committed(committed):
    from balai.accounts.models import User

    client = client_for(committed, user=User.objects.get(username="alice"))
    assert client.get("/api/village/residents/?status=hidup").status_code == 200
    with schema_context(committed.schema_name):
        entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "list" and entry.detail["filters"] == {"status": "hidup"}
