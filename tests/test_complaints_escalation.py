"""Complaints unresolved past their target plus the village's grace days are escalated to
the kecamatan: a public-schema row per complaint, read by that kecamatan's supervisor."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.celery_app import SCHEMA_HEADER, app
from tests.complaints_support import complaint_make, fresh_media_and_limits
from tests.conftest import client_for

URL = "/api/supervisor/complaints/escalated/"


@pytest.fixture(autouse=True)
def complaints_env(settings, tmp_path):
    yield from fresh_media_and_limits(settings, tmp_path)


def _age(village, complaint, *, days_past_target: float):
    """Move a complaint's target into the past (filing in the past is not possible)."""
    from services.complaints.models import Complaint

    with schema_context(village.schema_name):
        Complaint.objects.filter(pk=complaint.pk).update(
            target_at=timezone.now() - timedelta(days=days_past_target)
        )


def _escalate(village):
    from services.complaints.tasks import escalate_village

    result = escalate_village.apply(
        kwargs={"as_of": timezone.now().isoformat()}, headers={SCHEMA_HEADER: village.schema_name}
    )
    return result.get()


@pytest.mark.django_db
def test_a_complaint_past_target_and_grace_days_is_escalated_once(cast):
    from balai.supervision.models import ComplaintEscalation
    from services.events.models import DomainEvent

    # given: one 4 days past target (escalated), one 2 days past (grace of 3 days not over)
    late = complaint_make(cast.village_a)
    recent = complaint_make(cast.village_a)
    _age(cast.village_a, late, days_past_target=4)
    _age(cast.village_a, recent, days_past_target=2)
    # when, twice (a redelivered message)
    assert _escalate(cast.village_a) == {"escalated": 1}
    assert _escalate(cast.village_a) == {"escalated": 0}
    # then
    row = ComplaintEscalation.objects.get()
    assert (row.region_code, row.kecamatan_code, row.complaint_id) == (
        "18.08.11.2001",
        "18.08.11",
        late.pk,
    )
    assert row.tracking_code == late.tracking_code and row.category_code == "air-bersih"
    with schema_context(cast.village_a.schema_name):
        events = list(DomainEvent.objects.filter(name="complaint.escalated"))
    assert [e.payload for e in events] == [
        {"complaint_id": late.pk, "village_code": "18.08.11.2001"}
    ]


@pytest.mark.django_db
def test_the_grace_period_is_a_village_setting(cast):
    from balai.supervision.models import ComplaintEscalation
    from services.complaints.services import complaint_settings_update

    complaint = complaint_make(cast.village_a)
    _age(cast.village_a, complaint, days_past_target=2)
    with schema_context(cast.village_a.schema_name):
        complaint_settings_update(escalate_after_days=1)
    _escalate(cast.village_a)
    assert ComplaintEscalation.objects.filter(complaint_id=complaint.pk).exists()


@pytest.mark.django_db
def test_closed_complaints_are_not_escalated(cast):
    from balai.supervision.models import ComplaintEscalation
    from services.complaints.services import complaint_status_change

    complaint = complaint_make(cast.village_a)
    _age(cast.village_a, complaint, days_past_target=10)
    with schema_context(cast.village_a.schema_name):
        complaint_status_change(complaint=complaint, actor=cast.alice, to_status="resolved")
    _escalate(cast.village_a)
    assert not ComplaintEscalation.objects.exists()


@pytest.mark.django_db
def test_the_escalation_row_holds_no_personal_data(cast):
    from balai.supervision.models import ComplaintEscalation

    complaint = complaint_make(cast.village_a, description="Rumah Bu Siti bocor", name="Siti")
    _age(cast.village_a, complaint, days_past_target=5)
    _escalate(cast.village_a)
    values = " ".join(str(v) for v in ComplaintEscalation.objects.values().get().values())
    assert "Siti" not in values and "6281234567890" not in values and "bocor" not in values


@pytest.mark.django_db
def test_the_task_refuses_to_run_without_its_village(cast):
    from balai.celery_app import VillageContextMissingError
    from services.complaints.tasks import escalate_village

    with pytest.raises(VillageContextMissingError):
        escalate_village.apply(kwargs={"as_of": timezone.now().isoformat()})


@pytest.mark.django_db
def test_the_sweep_queues_one_message_per_village_in_batches(cast, monkeypatch):
    from balai.supervision.models import ComplaintEscalation
    from services.complaints import tasks

    late_a = complaint_make(cast.village_a)
    late_b = complaint_make(cast.village_b)
    _age(cast.village_a, late_a, days_past_target=5)
    _age(cast.village_b, late_b, days_past_target=5)
    # Batches of one village: the sweep re-queues itself after each.
    monkeypatch.setattr(tasks, "SWEEP_BATCH", 1)
    app.conf.task_always_eager = True
    try:
        first = tasks.escalation_sweep.apply().get()
    finally:
        app.conf.task_always_eager = False
    assert first == {"queued": 1}
    rows = set(ComplaintEscalation.objects.values_list("region_code", "complaint_id"))
    assert rows == {("18.08.11.2001", late_a.pk), ("18.08.11.2002", late_b.pk)}


# -- supervisors on the public host ---------------------------------------------------------


@pytest.fixture
def escalated(cast):
    a = complaint_make(cast.village_a)
    c = complaint_make(cast.village_c)
    _age(cast.village_a, a, days_past_target=5)
    _age(cast.village_c, c, days_past_target=5)
    _escalate(cast.village_a)
    _escalate(cast.village_c)
    return {"a": a, "c": c}


def _codes(response):
    return {row["tracking_code"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_the_kecamatan_supervisor_sees_escalations_of_their_kecamatan_only(
    cast, public_client, escalated
):
    public_client.force_login(cast.carol)
    response = public_client.get(URL)
    assert response.status_code == 200
    assert _codes(response) == {escalated["a"].tracking_code}
    row = response.json()["results"][0]
    assert row["village_name"] == "Negara Batin" and row["category_code"] == "air-bersih"


@pytest.mark.django_db
def test_a_supervisor_of_another_kecamatan_does_not_see_them(cast, public_client, escalated):
    public_client.force_login(cast.dave)
    assert _codes(public_client.get(URL)) == {escalated["c"].tracking_code}
    assert public_client.get(URL, {"region": "18.08.11"}).status_code == 404


@pytest.mark.django_db
def test_the_kabupaten_supervisor_sees_both(cast, public_client, escalated):
    public_client.force_login(cast.erin)
    assert _codes(public_client.get(URL)) == {t.tracking_code for t in escalated.values()}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["alice", "pat", None])
def test_non_supervisors_are_refused(cast, public_client, escalated, username):
    if username:
        public_client.force_login(getattr(cast, username))
    assert public_client.get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_the_escalation_list_is_not_served_on_village_hosts(cast, escalated):
    assert client_for(cast.village_a, user=cast.carol).get(URL).status_code == 404


@pytest.mark.django_db
def test_resolving_an_escalated_complaint_closes_its_row(cast, public_client, escalated):
    from services.complaints.services import complaint_status_change

    with schema_context(cast.village_a.schema_name):
        complaint_status_change(
            complaint=escalated["a"], actor=cast.alice, to_status="resolved", note="Beres"
        )
    public_client.force_login(cast.carol)
    assert _codes(public_client.get(URL)) == set()
    assert _codes(public_client.get(URL, {"open": "false"})) == {escalated["a"].tracking_code}


@pytest.mark.django_db
def test_supervisors_read_open_and_overdue_counts_of_their_villages(cast, public_client, escalated):
    complaint_make(cast.village_a)  # open, not overdue
    _escalate(cast.village_a)  # refreshes the counts
    public_client.force_login(cast.carol)
    response = public_client.get("/api/supervisor/complaints/counts/")
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {"open": 2, "overdue": 1, "escalated_open": 1}
    assert [v["region_code"] for v in body["villages"]] == ["18.08.11.2001"]
    public_client.force_login(cast.dave)
    dave = public_client.get("/api/supervisor/complaints/counts/").json()
    assert [v["region_code"] for v in dave["villages"]] == ["18.08.01.2006"]


@pytest.mark.django_db
def test_the_supervisor_list_reads_only_the_public_schema(
    cast, public_client, escalated, django_assert_max_num_queries
):
    public_client.force_login(cast.carol)
    public_client.get(URL)
    with django_assert_max_num_queries(8) as captured:
        public_client.get(URL)
    assert not any("desa_" in q["sql"] for q in captured.captured_queries)


# -- a real worker --------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_escalates_through_the_sweep(django_db_blocker, django_db_setup):
    """Beat's sweep, queued to Redis, fans out to a real Celery worker per village."""
    from django.db import connection

    from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts
    from services.complaints.models import Complaint
    from services.complaints.tasks import escalation_sweep
    from services.events.models import DomainEvent
    from tenants.models import Village

    with django_db_blocker.unblock():
        village = Village.objects.get(region_id="18.08.11.2002")
        complaint = complaint_make(village, phone="081299990000", client_ip="")
        _age(village, complaint, days_past_target=6)
        connection.set_schema_to_public()
        env = {**os.environ, "BALAI_ENV": "test", "DATABASE_URL": _test_database_url()}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "balai.celery_app",
                "worker",
                "-Q",
                "default,platform",
                "--pool=solo",
                "--loglevel=WARNING",
            ],
            env=env,
            cwd=str(_repo_dir()),
            start_new_session=True,
        )
        try:
            escalation_sweep.apply_async()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if ComplaintEscalation.objects.filter(
                    village=village, complaint_id=complaint.pk
                ).exists():
                    break
                time.sleep(0.5)
            row = ComplaintEscalation.objects.get(village=village, complaint_id=complaint.pk)
            assert row.tracking_code == complaint.tracking_code
            with schema_context(village.schema_name):
                assert Complaint.objects.get(pk=complaint.pk).escalated_at is not None
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            ComplaintEscalation.objects.filter(village__isnull=False).delete()
            ComplaintVillageCounts.objects.all().delete()
            with schema_context(village.schema_name):
                Complaint.objects.all().delete()
                DomainEvent.objects.filter(name__startswith="complaint.").delete()
            connection.set_schema_to_public()


def _repo_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"


@pytest.mark.django_db
def test_a_grace_of_zero_days_escalates_as_soon_as_the_target_passes(cast):
    from balai.supervision.models import ComplaintEscalation
    from services.complaints.services import complaint_settings_update

    complaint = complaint_make(cast.village_a)
    _age(cast.village_a, complaint, days_past_target=0.1)
    with schema_context(cast.village_a.schema_name):
        complaint_settings_update(escalate_after_days=0)
    _escalate(cast.village_a)
    assert ComplaintEscalation.objects.filter(complaint_id=complaint.pk).exists()
