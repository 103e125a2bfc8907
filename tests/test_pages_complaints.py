"""The complaint pages: filing (anonymous or as a resident) with field errors and nothing
written on bad input, tracking by code without the filer's data, the resident's own list,
and the staff queue and actions with their role rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from services.audit.models import AuditEntry
from services.complaints.models import Complaint, ComplaintStatus, ComplaintUpdate
from services.complaints.services import complaint_reply
from tests.complaints_support import (
    GOOD_PHONE,
    complaint_make,
    fresh_media_and_limits,
    image_bytes,
    upload,
)
from tests.conftest import client_for
from tests.pages_support import resident_a_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def complaints_env(settings, tmp_path):
    yield from fresh_media_and_limits(settings, tmp_path)


def _count(village) -> int:
    with schema_context(village.schema_name):
        return Complaint.objects.count()


def _stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


GOOD_FILING = {
    "category": "air-bersih",
    "description": "Air bersih tidak mengalir sejak Senin di Dusun I.",
    "phone": GOOD_PHONE,
    "name": "Pak Darto",
    "is_public": "on",
}


# -- filing ---------------------------------------------------------------------------------


def test_an_anonymous_person_files_and_sees_the_tracking_code(cast):
    # given
    client = client_for(cast.village_a)
    # when
    response = client.post("/pengaduan/", {**GOOD_FILING, "photos": upload()})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/pengaduan/terkirim/"
    with schema_context(cast.village_a.schema_name):
        complaint = Complaint.objects.get()
        assert complaint.filed_via == "web"
        assert complaint.reporter_phone == "+6281234567890"
        assert complaint.resident_id is None
        assert complaint.photos.count() == 1
    confirmation = client.get("/pengaduan/terkirim/")
    assert confirmation.status_code == 200
    assert complaint.tracking_code in confirmation.content.decode()


def test_the_confirmation_page_without_a_filing_sends_back_to_the_form(cast):
    response = client_for(cast.village_a).get("/pengaduan/terkirim/")
    assert response.status_code == 302
    assert response["Location"] == "/pengaduan/"


def test_anonymous_filing_with_bad_input_names_each_field_and_writes_nothing(cast, settings):
    # given
    client = client_for(cast.village_a)
    # when: no category, an empty description, a landline and a photo that is not one
    response = client.post(
        "/pengaduan/",
        {
            "category": "",
            "description": "  ",
            "phone": "021-555",
            "email": "bukan-email",
            "photos": upload("x.jpg", b"not an image", "image/jpeg"),
        },
    )
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"category", "description", "phone", "email", "photos"}
    assert "Nomor HP tidak valid" in errors["phone"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert _count(cast.village_a) == 0
    assert _stored_files(settings.MEDIA_ROOT) == []


def test_anonymous_filing_needs_a_phone_number(cast):
    response = client_for(cast.village_a).post("/pengaduan/", {**GOOD_FILING, "phone": ""})
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert _count(cast.village_a) == 0


def test_errors_are_in_english_for_an_english_visitor(cast):
    client = client_for(cast.village_a)
    client.cookies["django_language"] = "en"
    response = client.post("/pengaduan/", {**GOOD_FILING, "phone": "021-555"})
    assert response.status_code == 400
    assert "Not a valid Indonesian mobile number" in response.content.decode()


def test_a_category_with_a_required_question_asks_it(cast):
    # given: roads ask how bad the damage is
    client = client_for(cast.village_a)
    # when
    response = client.post("/pengaduan/", {**GOOD_FILING, "category": "jalan"})
    # then: the question is shown with its error, and nothing is filed
    assert response.status_code == 400
    assert "attr_tingkat_kerusakan" in response.context["form"].errors
    assert "Tingkat kerusakan" in response.content.decode()
    assert _count(cast.village_a) == 0
    answered = client.post(
        "/pengaduan/", {**GOOD_FILING, "category": "jalan", "attr_tingkat_kerusakan": "berat"}
    )
    assert answered.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Complaint.objects.get().attributes == {"tingkat_kerusakan": "berat"}


def test_choosing_a_category_swaps_in_its_questions_with_htmx(cast):
    response = client_for(cast.village_a).get(
        "/pengaduan/?category=jalan",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="category-attributes",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<fieldset")
    assert 'name="attr_tingkat_kerusakan"' in body


def test_a_signed_in_resident_files_without_a_phone(cast):
    # given
    client = resident_a_signed_in(cast)
    form = client.get("/pengaduan/")
    assert 'name="phone"' not in form.content.decode()
    # when
    response = client.post("/pengaduan/", {**GOOD_FILING, "phone": ""})
    # then
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        complaint = Complaint.objects.get()
    assert complaint.resident_id == cast.resident_a.pk
    assert complaint.reporter_phone == ""


def test_anonymous_filing_over_the_limit_is_refused_with_429(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 1
    client = client_for(cast.village_a)
    assert client.post("/pengaduan/", GOOD_FILING).status_code == 302
    response = client.post("/pengaduan/", GOOD_FILING)
    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert _count(cast.village_a) == 1


# -- tracking -------------------------------------------------------------------------------


def test_tracking_shows_status_and_public_replies_but_no_personal_data(cast):
    # given: a complaint with a public reply and an internal note
    complaint = complaint_make(
        cast.village_a, name="Pak Darto", email="darto@example.org", description="Pipa bocor."
    )
    with schema_context(cast.village_a.schema_name):
        complaint_reply(complaint=complaint, actor=cast.alice, note="Petugas menuju lokasi.")
        complaint_reply(
            complaint=complaint,
            actor=cast.alice,
            note="Rahasia: pelapor kerabat kadus.",
            is_public=False,
        )
    # when: anyone looks it up by its code (lower case, with spaces, as people type it)
    response = client_for(cast.village_a).get(
        "/pengaduan/lacak/", {"kode": f" {complaint.tracking_code.lower()} "}
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pipa bocor." in body
    assert "Petugas menuju lokasi." in body
    assert "Rahasia" not in body
    for personal in ("Pak Darto", "darto@example.org", "81234567890", "0812-3456"):
        assert personal not in body


def test_tracking_an_unknown_code_says_so_on_the_field(cast):
    response = client_for(cast.village_a).get("/pengaduan/lacak/", {"kode": "ZZZZZZZZZZ"})
    assert response.status_code == 404
    assert "Pengaduan tidak ditemukan." in response.context["form"].errors["kode"]


def test_a_code_of_another_village_finds_nothing(cast):
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_b).get(
        "/pengaduan/lacak/", {"kode": complaint.tracking_code}
    )
    assert response.status_code == 404


# -- the resident's own complaints ----------------------------------------------------------


def test_a_resident_sees_only_their_own_complaints(cast):
    # given: one complaint of theirs and one public complaint of someone else
    mine = complaint_make(
        cast.village_a, resident_id=cast.resident_a.pk, phone="", description="Lampu mati."
    )
    other = complaint_make(cast.village_a, description="Sampah menumpuk.")
    # when
    response = resident_a_signed_in(cast).get("/warga/pengaduan/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.tracking_code in body
    assert other.tracking_code not in body


# -- staff ----------------------------------------------------------------------------------


def test_the_queue_filters_and_highlights_overdue_complaints(cast):
    # given
    late = complaint_make(cast.village_a, description="Jalan rusak lama.")
    fresh = complaint_make(cast.village_a, category_code="sampah")
    with schema_context(cast.village_a.schema_name):
        Complaint.objects.filter(pk=late.pk).update(target_at=timezone.now() - timedelta(days=2))
    client = client_for(cast.village_a, user=cast.alice)
    # when
    everything = client.get("/kantor/pengaduan/")
    overdue_only = client.get("/kantor/pengaduan/", {"overdue": "1"})
    waste_only = client.get("/kantor/pengaduan/", {"category": "sampah"})
    # then
    assert everything.status_code == 200
    body = everything.content.decode()
    assert late.tracking_code in body and fresh.tracking_code in body
    assert 'class="overdue"' in body
    assert late.tracking_code in overdue_only.content.decode()
    assert fresh.tracking_code not in overdue_only.content.decode()
    assert fresh.tracking_code in waste_only.content.decode()
    assert late.tracking_code not in waste_only.content.decode()


def test_the_queue_filter_answers_htmx_with_the_table_alone(cast):
    complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).get(
        "/kantor/pengaduan/?status=new", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="complaint-results"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_queue_is_paginated(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 100
    for _ in range(26):
        complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).get("/kantor/pengaduan/")
    assert len(response.context["page"].object_list) == 25
    assert "page=2" in response.content.decode()


def test_staff_detail_shows_the_filer_and_audits_the_read(cast):
    complaint = complaint_make(cast.village_a, name="Pak Darto")
    response = client_for(cast.village_a, user=cast.alice).get(
        f"/kantor/pengaduan/{complaint.tracking_code}/"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pak Darto" in body and "+6281234567890" in body
    with schema_context(cast.village_a.schema_name):
        entry = AuditEntry.objects.get(object_type="complaint", object_id=str(complaint.pk))
    assert entry.actor_id == cast.alice.pk
    assert "reporter_phone" in entry.fields


def test_staff_reply_appears_on_the_tracking_page(cast):
    # given
    complaint = complaint_make(cast.village_a)
    client = client_for(cast.village_a, user=cast.alice)
    # when
    response = client.post(
        f"/kantor/pengaduan/{complaint.tracking_code}/tanggapi/",
        {"note": "Pipa sudah diganti.", "is_public": "on"},
    )
    # then
    assert response.status_code == 302
    tracked = client_for(cast.village_a).get("/pengaduan/lacak/", {"kode": complaint.tracking_code})
    assert "Pipa sudah diganti." in tracked.content.decode()


def test_an_empty_reply_is_refused_on_its_field(cast):
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pengaduan/{complaint.tracking_code}/tanggapi/", {"note": " "}
    )
    assert response.status_code == 400
    assert "Catatan wajib diisi." in response.context["reply_form"].errors["note"]
    with schema_context(cast.village_a.schema_name):
        assert not ComplaintUpdate.objects.filter(complaint=complaint, kind="note").exists()


def test_staff_resolve_a_complaint(cast):
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pengaduan/{complaint.tracking_code}/status/",
        {"status": "resolved", "note": "Selesai diperbaiki.", "is_public": "on"},
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.closed_at is not None


def test_a_status_change_by_htmx_answers_with_the_detail_fragment(cast):
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pengaduan/{complaint.tracking_code}/status/",
        {"status": "in_progress"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="complaint-detail">')
    assert "Diproses" in body


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(cast):
    complaint = complaint_make(cast.village_a)
    client = client_for(cast.village_a, user=cast.alice)
    refused = client.post(f"/kantor/pengaduan/{complaint.tracking_code}/tolak/", {"reason": ""})
    assert refused.status_code == 400
    assert "Alasan penolakan wajib diisi." in refused.context["reject_form"].errors["reason"]
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.NEW
    rejected = client.post(
        f"/kantor/pengaduan/{complaint.tracking_code}/tolak/",
        {"reason": "Bukan kewenangan desa."},
    )
    assert rejected.status_code == 302
    tracked = client_for(cast.village_a).get("/pengaduan/lacak/", {"kode": complaint.tracking_code})
    assert "Bukan kewenangan desa." in tracked.content.decode()


def test_staff_assign_only_to_staff_of_the_village(cast):
    complaint = complaint_make(cast.village_a)
    client = client_for(cast.village_a, user=cast.alice)
    # bob is staff of village B: not a choice here
    refused = client.post(
        f"/kantor/pengaduan/{complaint.tracking_code}/tugaskan/", {"assignee": cast.bob.pk}
    )
    assert refused.status_code == 400
    assert "assignee" in refused.context["assign_form"].errors
    assigned = client.post(
        f"/kantor/pengaduan/{complaint.tracking_code}/tugaskan/", {"assignee": cast.alice.pk}
    )
    assert assigned.status_code == 302
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.assigned_user_id == cast.alice.pk


ACTIONS = [
    ("tanggapi", {"note": "Coba"}),
    ("status", {"status": "resolved"}),
    ("tolak", {"reason": "Coba"}),
    ("gabungkan", {"original": "ZZZZZZZZZZ"}),
    ("visibilitas", {"hidden": "1", "reason": "Coba"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("resident", 403), ("bob", 403), ("carol", 403)],
)
def test_staff_actions_refuse_everyone_but_the_village_staff(cast, action, data, who, expected):
    # given
    complaint = complaint_make(cast.village_a)
    if who == "resident":
        client = resident_a_signed_in(cast)
    elif who == "anonymous":
        client = client_for(cast.village_a)
    else:
        client = client_for(cast.village_a, user=getattr(cast, who))
    # when
    response = client.post(f"/kantor/pengaduan/{complaint.tracking_code}/{action}/", data)
    # then
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/masuk/?next=")
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
        assert complaint.status == ComplaintStatus.NEW
        assert complaint.is_hidden is False
        assert ComplaintUpdate.objects.filter(complaint=complaint).count() == 1


def test_staff_of_another_village_cannot_reach_a_complaint_by_its_code(cast):
    complaint = complaint_make(cast.village_a)
    client = client_for(cast.village_b, user=cast.bob)
    assert client.get(f"/kantor/pengaduan/{complaint.tracking_code}/").status_code == 404
    response = client.post(
        f"/kantor/pengaduan/{complaint.tracking_code}/status/", {"status": "resolved"}
    )
    assert response.status_code == 404
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.NEW


def test_staff_detail_refuses_residents_and_other_roles(cast):
    complaint = complaint_make(cast.village_a)
    path = f"/kantor/pengaduan/{complaint.tracking_code}/"
    assert resident_a_signed_in(cast).get(path).status_code == 403
    assert client_for(cast.village_a, user=cast.carol).get(path).status_code == 403
    assert client_for(cast.village_a).get(path).status_code == 302


def test_photo_bytes_are_reencoded_on_the_web_too(cast, settings):
    client = client_for(cast.village_a)
    response = client.post(
        "/pengaduan/", {**GOOD_FILING, "photos": upload("p.png", image_bytes("PNG"), "image/png")}
    )
    assert response.status_code == 302
    files = _stored_files(settings.MEDIA_ROOT)
    assert len(files) == 1 and files[0].suffix == ".jpg"


@pytest.mark.parametrize("path", ["/pengaduan/", "/pengaduan/lacak/"])
@pytest.mark.parametrize("who", ["anonymous", "alice", "resident"])
def test_filing_and_tracking_are_open_to_everyone(cast, path, who):
    if who == "resident":
        client = resident_a_signed_in(cast)
    else:
        client = client_for(cast.village_a, user=cast.alice if who == "alice" else None)
    assert client.get(path).status_code == 200


# -- several photos -------------------------------------------------------------------------


def test_a_filing_carries_up_to_three_photos(cast, settings):
    response = client_for(cast.village_a).post(
        "/pengaduan/",
        {**GOOD_FILING, "photos": [upload("a.jpg"), upload("b.jpg"), upload("c.jpg")]},
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Complaint.objects.get().photos.count() == 3
    assert len(_stored_files(settings.MEDIA_ROOT)) == 3


def test_the_form_offers_a_multiple_photo_input(cast):
    body = client_for(cast.village_a).get("/pengaduan/").content.decode()
    assert 'name="photos"' in body and "multiple" in body
    assert "Paling banyak 3 foto" in body


def test_more_photos_than_the_limit_are_refused_on_the_field_and_nothing_is_stored(cast, settings):
    photos = [upload(f"{n}.jpg") for n in range(4)]
    response = client_for(cast.village_a).post("/pengaduan/", {**GOOD_FILING, "photos": photos})
    assert response.status_code == 400
    assert response.context["form"].errors["photos"] == ["Paling banyak 3 foto."]
    assert _count(cast.village_a) == 0
    assert _stored_files(settings.MEDIA_ROOT) == []


def test_a_bad_photo_among_good_ones_is_named_and_nothing_is_stored(cast, settings):
    response = client_for(cast.village_a).post(
        "/pengaduan/",
        {**GOOD_FILING, "photos": [upload("a.jpg"), upload("b.jpg", b"bukan gambar")]},
    )
    assert response.status_code == 400
    [message] = response.context["form"].errors["photos"]
    assert message.startswith("Foto 2: ")
    assert _count(cast.village_a) == 0
    assert _stored_files(settings.MEDIA_ROOT) == []


# -- extra answers with their question -------------------------------------------------------


def test_staff_detail_shows_extra_answers_with_their_question_and_choice_names(cast):
    complaint = complaint_make(
        cast.village_a, category_code="jalan", attributes={"tingkat_kerusakan": "berat"}
    )
    response = client_for(cast.village_a, user=cast.alice).get(
        f"/kantor/pengaduan/{complaint.tracking_code}/"
    )
    body = response.content.decode()
    assert "<dt>Tingkat kerusakan</dt><dd>Berat (tidak bisa dilalui)</dd>" in body
    assert "tingkat_kerusakan" not in body


# -- merging duplicates, hiding --------------------------------------------------------------


def test_staff_merge_a_duplicate_into_the_original(cast):
    # given
    original = complaint_make(cast.village_a, description="Pipa induk bocor.")
    duplicate = complaint_make(cast.village_a, description="Pipa bocor lagi.")
    client = client_for(cast.village_a, user=cast.alice)
    # when: the code is typed as people type it
    response = client.post(
        f"/kantor/pengaduan/{duplicate.tracking_code}/gabungkan/",
        {"original": f" {original.tracking_code.lower()} ", "note": "Sama dengan laporan Senin."},
    )
    # then
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == original.pk
    assert duplicate.status == ComplaintStatus.REJECTED
    detail = client.get(f"/kantor/pengaduan/{duplicate.tracking_code}/").content.decode()
    assert "Duplikat dari" in detail
    assert f"/kantor/pengaduan/{original.tracking_code}/" in detail
    assert "Gabungkan sebagai duplikat" not in detail  # closed: nothing more to merge


@pytest.mark.parametrize(
    ("original", "message"),
    [("ZZZZZZZZZZ", "Pengaduan asal tidak ditemukan."), ("self", "dengan dirinya sendiri")],
)
def test_a_bad_merge_is_refused_on_its_field_and_changes_nothing(cast, original, message):
    complaint = complaint_make(cast.village_a)
    code = complaint.tracking_code
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/pengaduan/{code}/gabungkan/",
        {"original": code if original == "self" else original},
    )
    assert response.status_code == 400
    assert message in response.context["merge_form"].errors["original"][0]
    assert 'id="merge_original"' in response.content.decode()
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.NEW and complaint.duplicate_of_id is None


def test_staff_hide_a_complaint_with_a_reason_and_show_it_again(cast):
    complaint = complaint_make(cast.village_a, description="Isi kasar.")
    code = complaint.tracking_code
    client = client_for(cast.village_a, user=cast.alice)
    public_list = "/api/complaints/"
    assert code in client_for(cast.village_a).get(public_list).content.decode()
    # a reason is required to hide
    refused = client.post(f"/kantor/pengaduan/{code}/visibilitas/", {"hidden": "1"})
    assert refused.status_code == 400
    assert "Alasan wajib diisi." in refused.context["visibility_form"].errors["reason"]
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.is_hidden is False
    # hidden with one: gone from the public list, staff still see it with the reason
    hidden = client.post(
        f"/kantor/pengaduan/{code}/visibilitas/", {"hidden": "1", "reason": "Kata-kata kasar."}
    )
    assert hidden.status_code == 302
    assert code not in client_for(cast.village_a).get(public_list).content.decode()
    detail = client.get(f"/kantor/pengaduan/{code}/").content.decode()
    assert "Kata-kata kasar." in detail and "Tampilkan lagi" in detail
    # shown again
    shown = client.post(
        f"/kantor/pengaduan/{code}/visibilitas/", {"hidden": "0"}, HTTP_HX_REQUEST="true"
    )
    assert shown.status_code == 200
    assert shown.content.decode().lstrip().startswith('<div id="complaint-detail">')
    with schema_context(cast.village_a.schema_name):
        complaint.refresh_from_db()
    assert complaint.is_hidden is False and complaint.hidden_reason == ""


# -- escalation settings ---------------------------------------------------------------------


def _grace(village) -> int:
    from services.complaints.selectors import complaint_settings_current

    with schema_context(village.schema_name):
        return complaint_settings_current().escalate_after_days


def test_the_kepala_desa_changes_the_escalation_grace_period(cast):
    client = client_for(cast.village_a, user=cast.alice)
    page = client.get("/kantor/pengaduan/pengaturan/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="escalate_after_days"' in body
    assert "Jalan dan jembatan" in body  # the per-category targets, read only
    response = client.post("/kantor/pengaduan/pengaturan/simpan/", {"escalate_after_days": "7"})
    assert response.status_code == 302
    assert response["Location"] == "/kantor/pengaduan/pengaturan/"
    assert _grace(cast.village_a) == 7


@pytest.mark.parametrize("value", ["91", "-1", "tiga", ""])
def test_a_bad_grace_period_is_refused_on_its_field(cast, value):
    before = _grace(cast.village_a)
    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/pengaduan/pengaturan/simpan/", {"escalate_after_days": value}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["escalate_after_days"]
    assert _grace(cast.village_a) == before


def test_an_operator_reads_the_settings_but_cannot_change_them(cast):
    client = client_for(cast.village_b, user=cast.bob)
    before = _grace(cast.village_b)
    page = client.get("/kantor/pengaduan/pengaturan/")
    assert page.status_code == 200
    assert 'name="escalate_after_days"' not in page.content.decode()
    refused = client.post("/kantor/pengaduan/pengaturan/simpan/", {"escalate_after_days": "9"})
    assert refused.status_code == 403
    assert _grace(cast.village_b) == before
