"""The village office pages: today's work on the dashboard, the resident's hub, staff and
roles, the audit log and the population statistics."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User, VillageMembership
from balai.accounts.services import (
    membership_grant,
    staff_member_add,
    staff_member_remove,
    staff_member_role_change,
)
from balai.errors import BalaiError
from services.audit.models import AuditAction, AuditEntry
from services.audit.services import audit_record
from services.complaints.models import Complaint
from services.imports.models import ImportJob, JobKind, JobStatus
from services.letters.models import LetterSettings
from services.letters.services import letter_request, letter_transition
from services.notifications.models import InboxItem, Message
from services.residents.models import PopulationEvent, Resident
from services.residents.reference import EventKind
from services.residents.services import resident_create
from services.residents.statistics import statistics_cache_forget
from tests.complaints_support import complaint_make, rate_limits_clear
from tests.conftest import client_for
from tests.factories import ResidentFactory, UserFactory
from tests.pages_support import resident_a_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_statistics(cast):
    # The statistics are cached per village and day in Redis, which outlives each test's
    # transaction: start every test from the database.
    for village in (cast.village_a, cast.village_b):
        with schema_context(village.schema_name):
            statistics_cache_forget(today=timezone.localdate())
    rate_limits_clear()
    yield
    for village in (cast.village_a, cast.village_b):
        with schema_context(village.schema_name):
            statistics_cache_forget(today=timezone.localdate())


def staff_of(village, role: str, **fields):
    user = UserFactory(**fields)
    membership_grant(user=user, village=village, role=role)
    return user


def audit_rows(village, **filters) -> list[AuditEntry]:
    with schema_context(village.schema_name):
        return list(AuditEntry.objects.filter(**filters))


def membership_of(village, user) -> VillageMembership:
    return VillageMembership.objects.get(village=village, user=user)


# --- The staff dashboard ------------------------------------------------------------------


@pytest.fixture
def work_waiting(cast):
    """Village A: two letters to verify, one to sign, a new and an overdue complaint, a
    birth this month and one last year."""
    today = timezone.localdate()
    with schema_context(cast.village_a.schema_name):
        ids = [
            letter_request(
                actor=cast.alice,
                role=StaffRole.KEPALA_DESA,
                letter_type_code="domisili",
                field_values={"keperluan": "Melamar pekerjaan"},
                resident_id=cast.resident_a.pk,
            ).pk
            for _ in range(3)
        ]
        letter_transition(
            actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=ids[0], action="verify"
        )
        baby = ResidentFactory(full_name="Bayi Uji", birth_date=today)
        PopulationEvent.objects.create(resident=baby, kind=EventKind.BIRTH, event_date=today)
        PopulationEvent.objects.create(
            resident=baby, kind=EventKind.BIRTH, event_date=today - datetime.timedelta(days=400)
        )
    complaint_make(cast.village_a)
    late = complaint_make(cast.village_a, description="Jalan berlubang di depan balai desa.")
    with schema_context(cast.village_a.schema_name):
        Complaint.objects.filter(pk=late.pk).update(
            status="in_progress", target_at=timezone.now() - datetime.timedelta(days=1)
        )
    return ids


def test_the_dashboard_counts_the_work_waiting_for_the_kepala_desa(cast, work_waiting):
    # when
    response = client_for(cast.village_a, user=cast.alice).get("/kantor/")
    # then
    assert response.status_code == 200
    context = response.context
    assert context["letters"] == {"to_verify": 2, "may_sign": True, "to_sign": 1}
    assert context["complaints"] == {"new": 1, "overdue": 1}
    assert context["figures"]["births"] == 1
    assert context["figures"]["residents"] == 2  # Siti of the cast and the baby
    page = response.content.decode()
    assert 'id="letters-to-sign">1<' in page
    assert "menunggu tanda tangan Anda" in page


def test_an_operator_sees_letters_to_verify_but_none_to_sign(cast, work_waiting):
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    response = client_for(cast.village_a, user=operator).get("/kantor/")
    assert response.context["letters"] == {"to_verify": 2, "may_sign": False, "to_sign": 0}
    assert "menunggu tanda tangan Anda" not in response.content.decode()
    # The staff and audit pages are the kepala desa's: not in an operator's section menu.
    assert "/kantor/staf/" not in response.content.decode()
    assert "/kantor/statistik/" in response.content.decode()


def test_a_sekretaris_the_village_lets_sign_sees_the_letters_to_sign(cast, work_waiting):
    sekretaris = staff_of(cast.village_a, StaffRole.SEKRETARIS, username="sekdes")
    client = client_for(cast.village_a, user=sekretaris)
    assert client.get("/kantor/").context["letters"]["to_sign"] == 0
    with schema_context(cast.village_a.schema_name):
        LetterSettings.objects.filter(id=1).update(
            signer_roles=[StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS]
        )
    assert client.get("/kantor/").context["letters"]["to_sign"] == 1


def test_another_village_sees_none_of_this_work(cast, work_waiting):
    response = client_for(cast.village_b, user=cast.bob).get("/kantor/")
    assert response.context["letters"]["to_verify"] == 0
    assert response.context["complaints"] == {"new": 0, "overdue": 0}


def test_a_running_import_shows_its_progress_and_polls_for_more(cast):
    with schema_context(cast.village_a.schema_name):
        ImportJob.objects.create(
            kind=JobKind.RESIDENT_IMPORT,
            status=JobStatus.RUNNING,
            file_name="penduduk-2026.xlsx",
            total=200,
            done=80,
            sha256="a" * 64,
        )
        ImportJob.objects.create(
            kind=JobKind.RESIDENT_IMPORT, status=JobStatus.FINISHED, sha256="b" * 64
        )
    page = client_for(cast.village_a, user=cast.alice).get("/kantor/").content.decode()
    assert "penduduk-2026.xlsx" in page
    assert '<progress value="80" max="200">' in page
    assert 'hx-trigger="every 3s"' in page


def test_the_dashboard_polls_nothing_when_no_import_runs(cast):
    page = client_for(cast.village_a, user=cast.alice).get("/kantor/").content.decode()
    assert "hx-trigger" not in page


# --- The resident's hub -------------------------------------------------------------------


def test_the_resident_hub_counts_only_their_unread_notifications(cast):
    with schema_context(cast.village_a.schema_name):
        for index, (recipient, read_at) in enumerate(
            [
                (str(cast.resident_a.pk), None),
                (str(cast.resident_a.pk), None),
                (str(cast.resident_a.pk), timezone.now()),
                (str(cast.resident_a.pk + 1), None),
            ]
        ):
            message = Message.objects.create(
                recipient_kind="resident",
                recipient_id=recipient,
                channel="inapp",
                template_key="uji",
                body="Surat Anda siap.",
                idempotency_key=f"uji-{index}",
                next_attempt_at=timezone.now(),
            )
            InboxItem.objects.create(
                recipient_kind="resident",
                recipient_id=recipient,
                message=message,
                body=message.body,
                read_at=read_at,
            )
    response = resident_a_signed_in(cast).get("/warga/")
    assert response.context["unread"] == 2
    assert "2 pemberitahuan belum dibaca" in response.content.decode()


# --- Staff and roles ----------------------------------------------------------------------


def test_the_kepala_desa_adds_a_new_operator_and_it_is_audited(cast):
    client = client_for(cast.village_a, user=cast.alice)
    # when
    response = client.post(
        "/kantor/staf/",
        {"new-username": "operator-baru", "new-first_name": "Opi", "new-role": "operator"},
        follow=True,
    )
    # then
    assert response.status_code == 200
    user = User.objects.get(username="operator-baru")
    assert membership_of(cast.village_a, user).role == StaffRole.OPERATOR
    page = response.content.decode()
    assert "Kata sandi awal operator-baru" in page  # the generated password, shown once
    [entry] = audit_rows(cast.village_a, object_type="staff_membership")
    assert (entry.actor_id, entry.action, entry.object_id) == (
        cast.alice.pk,
        "create",
        str(user.pk),
    )
    assert entry.detail == {"role": "operator", "new_account": True}
    assert audit_rows(cast.village_b, object_type="staff_membership") == []


def test_an_existing_account_joins_with_its_own_password(cast):
    user = UserFactory(username="pindahan")
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        "/kantor/staf/", {"new-username": "pindahan", "new-role": "sekretaris"}, follow=True
    )
    assert membership_of(cast.village_a, user).role == StaffRole.SEKRETARIS
    assert "Kata sandi awal pindahan" not in response.content.decode()
    assert user.check_password("kata-sandi-uji-123")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"new-username": "orang-baru", "new-role": "bupati"}, "role", "pilihan yang valid"),
        ({"new-username": "", "new-role": "operator"}, "username", "harus diisi"),
        ({"new-username": "alice", "new-role": "operator"}, "username", "sudah menjadi staf"),
        ({"new-username": "pat", "new-role": "operator"}, "username", "admin platform"),
        (
            {"new-username": "orang-baru", "new-role": "operator", "new-password": "123"},
            "password",
            "terlalu pendek",
        ),
    ],
)
def test_adding_staff_with_bad_input_names_the_field_and_writes_nothing(cast, data, field, message):
    users_before = User.objects.count()
    memberships_before = VillageMembership.objects.count()
    response = client_for(cast.village_a, user=cast.alice).post("/kantor/staf/", data)
    assert response.status_code == 400
    form = response.context["add_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert User.objects.count() == users_before
    assert VillageMembership.objects.count() == memberships_before
    assert audit_rows(cast.village_a, object_type="staff_membership") == []


def test_a_role_change_is_saved_and_audited(cast):
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    membership = membership_of(cast.village_a, operator)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/staf/{membership.pk}/peran/", {f"m{membership.pk}-role": "sekretaris"}
    )
    assert response.status_code == 302
    assert membership_of(cast.village_a, operator).role == StaffRole.SEKRETARIS
    [entry] = audit_rows(cast.village_a, object_type="staff_membership", action="update")
    assert entry.detail == {"role": "sekretaris", "previous_role": "operator"}


def test_a_role_change_to_an_unknown_role_is_a_field_error_and_changes_nothing(cast):
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    membership = membership_of(cast.village_a, operator)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/staf/{membership.pk}/peran/", {f"m{membership.pk}-role": "camat"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert membership_of(cast.village_a, operator).role == StaffRole.OPERATOR
    assert audit_rows(cast.village_a, object_type="staff_membership") == []


def test_the_last_kepala_desa_can_neither_step_down_nor_leave(cast):
    client = client_for(cast.village_a, user=cast.alice)
    membership = membership_of(cast.village_a, cast.alice)
    # when: she demotes herself
    response = client.post(
        f"/kantor/staf/{membership.pk}/peran/", {f"m{membership.pk}-role": "operator"}
    )
    # then
    assert response.status_code == 400
    assert "tetap punya satu kepala desa" in response.content.decode()
    # when: she removes herself
    response = client.post(f"/kantor/staf/{membership.pk}/keluarkan/")
    # then
    assert response.status_code == 400
    assert "tetap punya satu kepala desa" in response.content.decode()
    assert membership_of(cast.village_a, cast.alice).role == StaffRole.KEPALA_DESA
    assert audit_rows(cast.village_a, object_type="staff_membership") == []


def test_with_a_second_kepala_desa_the_first_may_step_down(cast):
    second = staff_of(cast.village_a, StaffRole.KEPALA_DESA, username="kakam2")
    membership = membership_of(cast.village_a, cast.alice)
    with schema_context(cast.village_a.schema_name):
        staff_member_role_change(
            actor=second, village=cast.village_a, membership_id=membership.pk, role="operator"
        )
    assert membership_of(cast.village_a, cast.alice).role == StaffRole.OPERATOR
    # and now the second one is the last
    with pytest.raises(BalaiError) as refused:
        staff_member_remove(
            actor=second,
            village=cast.village_a,
            membership_id=membership_of(cast.village_a, second).pk,
        )
    assert refused.value.errors[0].code == "last_head"


def test_removing_a_staff_member_keeps_their_account_and_is_audited(cast):
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    membership = membership_of(cast.village_a, operator)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/staf/{membership.pk}/keluarkan/"
    )
    assert response.status_code == 302
    assert not VillageMembership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=operator.pk).exists()
    [entry] = audit_rows(cast.village_a, object_type="staff_membership")
    assert entry.detail == {"role": None, "previous_role": "operator", "removed": True}
    # The removed operator is no longer let into the office.
    assert client_for(cast.village_a, user=operator).get("/kantor/").status_code == 403


def test_another_villages_membership_is_not_found_and_untouched(cast):
    bob_membership = membership_of(cast.village_b, cast.bob)
    client = client_for(cast.village_a, user=cast.alice)
    assert client.post(f"/kantor/staf/{bob_membership.pk}/keluarkan/").status_code == 404
    response = client.post(
        f"/kantor/staf/{bob_membership.pk}/peran/", {f"m{bob_membership.pk}-role": "sekretaris"}
    )
    assert response.status_code == 404
    assert membership_of(cast.village_b, cast.bob).role == StaffRole.OPERATOR


def test_the_service_refuses_a_second_membership_in_the_same_village(cast):
    with pytest.raises(BalaiError) as refused:
        staff_member_add(
            actor=cast.alice, village=cast.village_a, username="alice", role="operator"
        )
    assert refused.value.errors[0].field == "username"


# --- The audit log ------------------------------------------------------------------------


@pytest.fixture
def audit_log_of_a(cast):
    """Village A's log: alice viewing and listing, a resident viewing, a system import,
    one entry from last month."""
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    with schema_context(cast.village_a.schema_name):
        AuditEntry.objects.all().delete()
        audit_record(actor=cast.alice, action=AuditAction.VIEW, object_type="resident", object_id=1)
        audit_record(actor=cast.alice, action=AuditAction.LIST, object_type="resident")
        audit_record(actor=operator, action=AuditAction.UPDATE, object_type="family", object_id=3)
        audit_record(actor=None, action=AuditAction.IMPORT, object_type="import_job", object_id=9)
        old = audit_record(
            actor=operator, action=AuditAction.EXPORT, object_type="resident", object_id=2
        )
        AuditEntry.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=40)
        )
    return operator


def _audit(cast, query: str = ""):
    return client_for(cast.village_a, user=cast.alice).get(f"/kantor/audit/{query}")


def test_the_audit_log_lists_every_entry_newest_first_with_the_actor_named(cast, audit_log_of_a):
    response = _audit(cast)
    assert response.status_code == 200
    entries = [row["entry"] for row in response.context["entries"]]
    assert len(entries) == 5
    assert [e.action for e in entries[:2]] == ["import", "update"]
    page = response.content.decode()
    assert "alice" in page
    assert "Sistem" in page


@pytest.mark.parametrize(
    ("query", "expected_actions"),
    [
        ("?action=view", {"view"}),
        ("?object_type=family", {"update"}),
        ("?actor=system", {"import"}),
        ("?object_type=resident&action=", {"view", "list", "export"}),
    ],
)
def test_the_audit_log_filters(cast, audit_log_of_a, query, expected_actions):
    response = _audit(cast, query)
    assert {row["entry"].action for row in response.context["entries"]} == expected_actions


def test_the_audit_log_filters_by_staff_member_and_date(cast, audit_log_of_a):
    operator = audit_log_of_a
    response = _audit(cast, f"?actor=user:{operator.pk}")
    assert {row["entry"].action for row in response.context["entries"]} == {"update", "export"}
    recent = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    response = _audit(cast, f"?actor=user:{operator.pk}&date_from={recent}")
    assert {row["entry"].action for row in response.context["entries"]} == {"update"}


def test_the_audit_log_says_who_read_personal_data_in_the_last_30_days(cast, audit_log_of_a):
    readers = _audit(cast).context["readers"]
    # alice viewed and listed; the operator's export was 40 days ago; updates are not reads.
    assert [(r["actor_id"], r["reads"]) for r in readers] == [(cast.alice.pk, 2)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?date_from=kemarin", "date_from"),
        ("?date_from=2026-05-02&date_to=2026-05-01", "date_to"),
        ("?action=hapus", "action"),
        ("?actor=user:abc", "actor"),
    ],
)
def test_bad_audit_filters_name_the_field(cast, audit_log_of_a, query, field):
    response = _audit(cast, query)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_the_audit_log_pages_by_fifty(cast):
    with schema_context(cast.village_a.schema_name):
        AuditEntry.objects.all().delete()
        for index in range(55):
            audit_record(
                actor=cast.alice, action=AuditAction.VIEW, object_type="resident", object_id=index
            )
    assert len(_audit(cast).context["entries"]) == 50
    assert len(_audit(cast, "?page=2").context["entries"]) == 5
    assert "page=2" in _audit(cast).content.decode()


def test_the_audit_log_names_its_actors_in_one_query_whatever_their_number(cast):
    def queries_for_the_log() -> int:
        client = client_for(cast.village_a, user=cast.alice)
        client.get("/kantor/audit/")  # warm: the host's routing is cached after one request
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/kantor/audit/").status_code == 200
        return len(queries)

    with schema_context(cast.village_a.schema_name):
        AuditEntry.objects.all().delete()
        audit_record(actor=cast.alice, action=AuditAction.VIEW, object_type="resident")
    few = queries_for_the_log()
    readers = [staff_of(cast.village_a, StaffRole.OPERATOR) for _ in range(5)]
    with schema_context(cast.village_a.schema_name):
        for reader in readers:
            audit_record(actor=reader, action=AuditAction.VIEW, object_type="resident")
    assert queries_for_the_log() == few


def test_a_sekretaris_reads_the_audit_log_and_an_operator_may_not(cast):
    sekretaris = staff_of(cast.village_a, StaffRole.SEKRETARIS, username="sekdes")
    operator = staff_of(cast.village_a, StaffRole.OPERATOR, username="opi")
    assert client_for(cast.village_a, user=sekretaris).get("/kantor/audit/").status_code == 200
    assert client_for(cast.village_a, user=operator).get("/kantor/audit/").status_code == 403
    assert client_for(cast.village_a, user=sekretaris).get("/kantor/staf/").status_code == 403


# --- Population statistics ----------------------------------------------------------------


def test_the_statistics_page_shows_the_figures_of_the_seeded_residents(cast):
    with schema_context(cast.village_b.schema_name):
        Resident.objects.all().delete()
        today = timezone.localdate()
        ResidentFactory(
            sex="L", birth_date=today - datetime.timedelta(days=365 * 30), religion="islam"
        )
        ResidentFactory(
            sex="P", birth_date=today - datetime.timedelta(days=365 * 30), religion="islam"
        )
        ResidentFactory(
            sex="P", birth_date=today - datetime.timedelta(days=365 * 2), religion="kristen"
        )
        ResidentFactory(sex="L", status="mati", religion="islam")  # not counted
    response = client_for(cast.village_b, user=cast.bob).get("/kantor/statistik/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["total"] == 3
    assert (response.context["male"], response.context["female"]) == (1, 2)
    religion = {row["code"]: row["count"] for row in figures["by_religion"]}
    assert (religion["islam"], religion["kristen"]) == (2, 1)
    page = response.content.decode()
    assert 'id="stat-total">3<' in page
    assert "<svg" in page and "Piramida penduduk" in page


def test_the_statistics_follow_a_change_to_the_register(cast):
    client = client_for(cast.village_b, user=cast.bob)
    before = client.get("/kantor/statistik/").context["figures"]["total"]
    # when: a person is registered through the service (which records the change)
    with schema_context(cast.village_b.schema_name):
        resident_create(
            actor=cast.bob,
            data={
                "nik": "1808114507900001",
                "full_name": "Warga Baru",
                "sex": "P",
                "birth_date": datetime.date(1990, 7, 5),
            },
            acknowledge_warnings=True,
        )
    # then
    assert client.get("/kantor/statistik/").context["figures"]["total"] == before + 1
