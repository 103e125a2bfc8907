"""Staff handle their village's complaints: status with notes, replies, assignment,
merging duplicates, hiding abuse. Each change keeps who and when, and records an event."""

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tests.complaints_support import (
    complaint_make,
    fresh_media_and_limits,
    resident_client,
    upload,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/complaints/"


@pytest.fixture(autouse=True)
def complaints_env(settings, tmp_path):
    yield from fresh_media_and_limits(settings, tmp_path)


def _events(village, name):
    from services.events.models import DomainEvent

    with schema_context(village.schema_name):
        return list(DomainEvent.objects.filter(name=name).values_list("payload", flat=True))


def test_staff_move_a_complaint_with_a_public_and_an_internal_note(cast):
    # given
    complaint = complaint_make(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)
    code = complaint.tracking_code
    # when
    first = staff.post(
        f"{URL}{code}/status/", {"status": "in_progress", "note": "Petugas meluncur."}
    )
    second = staff.post(
        f"{URL}{code}/status/",
        {"status": "resolved", "note": "Pipa bocor di rumah Pak X.", "is_public": False},
    )
    # then
    assert first.status_code == 200 and second.status_code == 200, second.content
    updates = second.json()["updates"]
    assert [(u["kind"], u["to_status"], u["is_public"]) for u in updates] == [
        ("filed", "new", True),
        ("status", "in_progress", True),
        ("status", "resolved", False),
    ]
    assert updates[1]["actor_user_id"] == cast.alice.pk
    tracked = client_for(cast.village_a).get(f"{URL}track/{code}/").json()
    assert tracked["status"] == "resolved"
    notes = [h["note"] for h in tracked["history"]]
    assert "Petugas meluncur." in notes and "Pipa bocor di rumah Pak X." not in notes
    assert _events(cast.village_a, "complaint.status_changed") == [
        {
            "complaint_id": complaint.pk,
            "from": "new",
            "to": "in_progress",
            "actor_user_id": cast.alice.pk,
        },
        {
            "complaint_id": complaint.pk,
            "from": "in_progress",
            "to": "resolved",
            "actor_user_id": cast.alice.pk,
        },
    ]


def test_rejecting_needs_a_reason(cast):
    complaint = complaint_make(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)
    response = staff.post(f"{URL}{complaint.tracking_code}/status/", {"status": "rejected"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    response = staff.post(
        f"{URL}{complaint.tracking_code}/status/",
        {"status": "rejected", "reason": "Bukan kewenangan desa."},
    )
    assert response.json()["rejection_reason"] == "Bukan kewenangan desa."
    assert response.json()["closed_at"]


def test_staff_reply_publicly(cast):
    complaint = complaint_make(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)
    response = staff.post(f"{URL}{complaint.tracking_code}/reply/", {"note": "Terima kasih."})
    assert response.status_code == 200
    tracked = client_for(cast.village_a).get(f"{URL}track/{complaint.tracking_code}/").json()
    assert tracked["history"][-1]["note"] == "Terima kasih."
    assert len(_events(cast.village_a, "complaint.replied")) == 1


def test_assigning_to_staff_of_the_village_works_and_to_others_is_refused(cast):
    complaint = complaint_make(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)
    ok = staff.post(f"{URL}{complaint.tracking_code}/assign/", {"assignee_user_id": cast.alice.pk})
    assert ok.status_code == 200
    assert ok.json()["assigned_user_id"] == cast.alice.pk
    for outsider in (cast.bob, cast.carol):
        refused = staff.post(
            f"{URL}{complaint.tracking_code}/assign/", {"assignee_user_id": outsider.pk}
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "assignee"
    assert _events(cast.village_a, "complaint.assigned") == [
        {
            "complaint_id": complaint.pk,
            "assignee_user_id": cast.alice.pk,
            "actor_user_id": cast.alice.pk,
        }
    ]


def test_a_duplicate_points_to_the_original_and_closes(cast):
    original = complaint_make(cast.village_a)
    duplicate = complaint_make(cast.village_a)
    third = complaint_make(cast.village_a)
    staff = client_for(cast.village_a, user=cast.alice)
    response = staff.post(
        f"{URL}{duplicate.tracking_code}/merge/", {"original": original.tracking_code.lower()}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["duplicate_of"] == original.tracking_code
    assert body["status"] == "rejected"
    # Merging into a duplicate lands on the root.
    chained = staff.post(
        f"{URL}{third.tracking_code}/merge/", {"original": duplicate.tracking_code}
    )
    assert chained.json()["duplicate_of"] == original.tracking_code
    itself = staff.post(
        f"{URL}{original.tracking_code}/merge/", {"original": original.tracking_code}
    )
    assert itself.status_code == 400
    assert itself.json()["errors"][0]["field"] == "original"
    assert len(_events(cast.village_a, "complaint.merged")) == 2


def test_a_complaint_of_another_village_cannot_be_the_original(cast):
    other = complaint_make(cast.village_b)
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"{URL}{complaint.tracking_code}/merge/", {"original": other.tracking_code}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_found"


def test_hidden_content_disappears_from_public_view_but_not_from_staff(cast):
    complaint = complaint_make(
        cast.village_a, description="Kata-kata kasar di sini.", photos=[upload()]
    )
    staff = client_for(cast.village_a, user=cast.alice)
    response = staff.post(
        f"{URL}{complaint.tracking_code}/visibility/", {"hidden": True, "reason": "Kasar"}
    )
    assert response.status_code == 200
    public_list = client_for(cast.village_a).get(URL).json()["results"]
    assert complaint.tracking_code not in {c["tracking_code"] for c in public_list}
    tracked = client_for(cast.village_a).get(f"{URL}track/{complaint.tracking_code}/").json()
    assert "kasar" not in tracked["description"].lower()
    assert tracked["photos"] == []
    staff_view = staff.get(f"{URL}{complaint.tracking_code}/").json()
    assert staff_view["description"] == "Kata-kata kasar di sini."
    assert staff_view["hidden_reason"] == "Kasar"
    # The photo itself is no longer served to the public.
    (url,) = staff_view["photos"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert client_for(cast.village_a).get(path).status_code == 404
    assert len(_events(cast.village_a, "complaint.hidden")) == 1


def test_overdue_complaints_are_flagged_and_filterable(cast):
    from django.utils import timezone

    from services.complaints.models import Complaint

    late = complaint_make(cast.village_a)
    complaint_make(cast.village_a)
    with schema_context(cast.village_a.schema_name):
        Complaint.objects.filter(pk=late.pk).update(
            target_at=timezone.now() - timezone.timedelta(hours=1)
        )
    staff = client_for(cast.village_a, user=cast.alice)
    rows = staff.get(URL, {"overdue": "true"}).json()["results"]
    assert [r["tracking_code"] for r in rows] == [late.tracking_code]
    assert rows[0]["overdue"] is True
    assert len(staff.get(URL, {"overdue": "false"}).json()["results"]) == 1


def test_the_list_costs_the_same_queries_for_many_complaints(cast, settings):
    from django.db import connection

    settings.BALAI_COMPLAINT_ANON_LIMIT = 100
    staff = client_for(cast.village_a, user=cast.alice)
    complaint_make(cast.village_a, photos=[upload()])
    staff.get(URL)  # warm the host routing cache, as a running server has it
    with CaptureQueriesContext(connection) as few:
        staff.get(URL)
    for _ in range(6):
        complaint_make(cast.village_a, photos=[upload()])
    with CaptureQueriesContext(connection) as many:
        response = staff.get(URL)
    assert len(response.json()["results"]) == 7

    def statements(context) -> list[str]:
        # SET search_path is issued only when the connection changed schema in between.
        return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET ")]

    assert len(statements(many)) == len(statements(few))
    assert len(statements(many)) <= 7


# -- who may do what ------------------------------------------------------------------------

STAFF_ACTIONS = [
    ("status/", {"status": "in_progress"}),
    ("reply/", {"note": "Halo"}),
    ("merge/", {"original": "ZZZZZZZZZZ"}),
    ("visibility/", {"hidden": True, "reason": "x"}),
]


@pytest.mark.parametrize(("action", "data"), STAFF_ACTIONS)
def test_staff_actions_are_refused_to_everyone_but_the_villages_staff(cast, action, data):
    complaint = complaint_make(cast.village_a)
    url = f"{URL}{complaint.tracking_code}/{action}"
    # wrong village (bob is operator of B), supervisor, anonymous, resident
    assert client_for(cast.village_a, user=cast.bob).post(url, data).status_code == 403
    assert client_for(cast.village_a, user=cast.carol).post(url, data).status_code == 403
    assert client_for(cast.village_a).post(url, data).status_code in (401, 403)
    resident = resident_client(cast.village_a, cast.resident_a)
    assert resident.post(url, data).status_code == 403
    # bob on his own host does not find A's complaint
    assert client_for(cast.village_b, user=cast.bob).post(url, data).status_code == 404


def test_staff_list_shows_reporter_data_only_to_staff(cast):
    complaint_make(cast.village_a)
    staff_rows = client_for(cast.village_a, user=cast.alice).get(URL).json()["results"]
    assert staff_rows[0]["reporter_phone"] == "+6281234567890"
    for client in (
        client_for(cast.village_a),
        client_for(cast.village_a, user=cast.bob),
        resident_client(cast.village_a, cast.resident_a),
    ):
        rows = client.get(URL).json()["results"]
        assert rows and "reporter_phone" not in rows[0]


def test_wrong_village_staff_do_not_see_private_complaints(cast):
    complaint_make(cast.village_a, is_public=False)
    assert client_for(cast.village_a, user=cast.bob).get(URL).json()["results"] == []
    assert client_for(cast.village_b, user=cast.bob).get(URL).json()["results"] == []
    assert len(client_for(cast.village_a, user=cast.alice).get(URL).json()["results"]) == 1


def test_a_resident_sees_their_own_private_complaint_and_not_others(cast):
    resident = resident_client(cast.village_a, cast.resident_a)
    mine = resident.post(URL, {"category": "sampah", "description": "x", "is_public": "false"})
    theirs = complaint_make(cast.village_a, is_public=False)
    assert resident.get(f"{URL}{mine.json()['tracking_code']}/").status_code == 200
    assert resident.get(f"{URL}{theirs.tracking_code}/").status_code == 404
    codes = {r["tracking_code"] for r in resident.get(URL).json()["results"]}
    assert mine.json()["tracking_code"] in codes and theirs.tracking_code not in codes


def test_the_detail_endpoint_asks_anonymous_people_to_log_in(cast):
    complaint = complaint_make(cast.village_a)
    assert client_for(cast.village_a).get(f"{URL}{complaint.tracking_code}/").status_code == 401
    other = client_for(cast.village_a, user=cast.bob).get(f"{URL}{complaint.tracking_code}/")
    assert other.status_code == 403


def test_settings_are_read_by_staff_and_changed_by_the_kepala_desa(cast):
    from balai.accounts.models import StaffRole, VillageMembership

    alice = client_for(cast.village_a, user=cast.alice)
    assert alice.get(f"{URL}settings/").json() == {"escalate_after_days": 3}
    response = alice.patch(
        f"{URL}settings/", {"escalate_after_days": 5}, content_type="application/json"
    )
    assert response.json() == {"escalate_after_days": 5}
    bob = client_for(cast.village_b, user=cast.bob)
    assert bob.get(f"{URL}settings/").status_code == 200
    assert VillageMembership.objects.get(user=cast.bob).role == StaffRole.OPERATOR
    refused = bob.patch(
        f"{URL}settings/", {"escalate_after_days": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert client_for(cast.village_a, user=cast.bob).get(f"{URL}settings/").status_code == 403
    assert client_for(cast.village_a).get(f"{URL}settings/").status_code in (401, 403)


def test_the_complaints_api_is_in_the_village_openapi_schema(cast):
    response = client_for(cast.village_a).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/complaints/" in paths
    assert "/api/complaints/{code}/status/" in paths


def test_supervisors_on_a_village_host_are_not_staff_there(cast):
    complaint = complaint_make(cast.village_a, is_public=False)
    carol = client_for(cast.village_a, user=cast.carol)
    assert carol.get(f"{URL}{complaint.tracking_code}/").status_code == 403
    assert carol.get(URL).json()["results"] == []


def test_extra_answers_read_with_their_question_and_choice_names(cast):
    from services.complaints.models import ComplaintCategory
    from services.complaints.selectors import complaint_attribute_answers

    with schema_context(cast.village_a.schema_name):
        # given: a category with two questions, asked in their own order
        category = ComplaintCategory.objects.create(
            code="uji-isian",
            name="Uji isian",
            attributes=[
                {"code": "jenis", "datatype": "multivaluelist", "order": 2,
                 "description": "Jenis masalah",
                 "values": [{"key": "bocor", "name": "Pipa bocor"},
                            {"key": "keruh", "name": "Air keruh"}]},
                {"code": "sejak", "datatype": "string", "order": 1, "description": "Sejak kapan"},
            ],
        )  # fmt: skip
        complaint = complaint_make(
            cast.village_a,
            category_code=category.code,
            attributes={"jenis": ["keruh", "bocor"], "sejak": "Senin"},
        )
        # and an answer to a question the category no longer asks
        complaint.attributes["lama"] = "x"
        # when / then
        assert complaint_attribute_answers(complaint) == [
            ("Sejak kapan", "Senin"),
            ("Jenis masalah", "Air keruh, Pipa bocor"),
            ("lama", "x"),
        ]


def test_the_settings_read_gives_the_defaults_without_writing(cast):
    from services.complaints.models import ComplaintSettings
    from services.complaints.selectors import complaint_settings_current

    with schema_context(cast.village_a.schema_name):
        ComplaintSettings.objects.all().delete()
        assert complaint_settings_current().escalate_after_days == 3
        assert not ComplaintSettings.objects.exists()
