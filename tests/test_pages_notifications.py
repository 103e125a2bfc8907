"""The notification pages: a resident's inbox (own items only, unread first, mark read),
their preferences, and the staff's delivery log with failures."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from services.notifications.models import InboxItem, Message, MessageStatus, Preference
from tests.conftest import client_for
from tests.pages_support import resident_a_signed_in

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def _message(*, recipient_id: str, channel="inapp", status=MessageStatus.DELIVERED, **fields):
    return Message.objects.create(
        recipient_kind=fields.pop("recipient_kind", "resident"),
        recipient_id=recipient_id,
        channel=channel,
        template_key=fields.pop("template_key", "complaint.replied"),
        body=fields.pop("body", "Pengaduan Anda ditanggapi."),
        idempotency_key=f"test:{next(_serial)}",
        status=status,
        next_attempt_at=timezone.now(),
        **fields,
    )


def _inbox_item(*, recipient_id: str, subject: str, read: bool = False) -> InboxItem:
    message = _message(recipient_id=recipient_id, subject=subject)
    return InboxItem.objects.create(
        recipient_kind="resident",
        recipient_id=recipient_id,
        message=message,
        subject=subject,
        body=f"Isi {subject}",
        read_at=timezone.now() if read else None,
    )


def test_the_inbox_lists_own_items_unread_first(cast):
    # given
    me = str(cast.resident_a.pk)
    with schema_context(cast.village_a.schema_name):
        _inbox_item(recipient_id=me, subject="Lama belum dibaca")
        _inbox_item(recipient_id=me, subject="Sudah dibaca", read=True)
        _inbox_item(recipient_id=me, subject="Baru belum dibaca")
        _inbox_item(recipient_id=str(cast.resident_a.pk + 1), subject="Milik orang lain")
    # when
    response = resident_a_signed_in(cast).get("/warga/notifikasi/")
    # then
    assert response.status_code == 200
    subjects = [item.subject for item in response.context["page"].object_list]
    assert subjects == ["Baru belum dibaca", "Lama belum dibaca", "Sudah dibaca"]
    assert "Milik orang lain" not in response.content.decode()
    assert response.context["unread"] == 2


def test_marking_an_item_read_with_htmx_answers_with_the_list(cast):
    with schema_context(cast.village_a.schema_name):
        item = _inbox_item(recipient_id=str(cast.resident_a.pk), subject="Surat siap")
    response = resident_a_signed_in(cast).post(
        f"/warga/notifikasi/{item.pk}/dibaca/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="inbox"')
    with schema_context(cast.village_a.schema_name):
        item.refresh_from_db()
    assert item.read_at is not None


def test_another_persons_item_cannot_be_marked_read(cast):
    with schema_context(cast.village_a.schema_name):
        item = _inbox_item(recipient_id=str(cast.resident_a.pk + 1), subject="Bukan milik saya")
    response = resident_a_signed_in(cast).post(f"/warga/notifikasi/{item.pk}/dibaca/")
    assert response.status_code == 404
    with schema_context(cast.village_a.schema_name):
        item.refresh_from_db()
    assert item.read_at is None


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_marking_read_refuses_non_residents(cast, who):
    with schema_context(cast.village_a.schema_name):
        item = _inbox_item(recipient_id=str(cast.resident_a.pk), subject="Punya warga")
    client = client_for(cast.village_a, user=cast.alice if who == "alice" else None)
    response = client.post(f"/warga/notifikasi/{item.pk}/dibaca/")
    assert response.status_code == (302 if who == "anonymous" else 403)
    with schema_context(cast.village_a.schema_name):
        item.refresh_from_db()
    assert item.read_at is None


def test_a_resident_sets_their_preferences(cast):
    # given
    client = resident_a_signed_in(cast)
    assert client.get("/warga/notifikasi/pengaturan/").status_code == 200
    # when
    response = client.post(
        "/warga/notifikasi/pengaturan/",
        {"channels": ["sms", "inapp"], "language": "en"},
    )
    # then
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        preference = Preference.objects.get(recipient_id=str(cast.resident_a.pk))
    assert preference.channels == ["sms", "inapp"]
    assert preference.announcements is False
    assert preference.language == "en"
    shown = client.get("/warga/notifikasi/pengaturan/").content.decode()
    assert 'value="sms" id="id_channels_1" checked' in shown


def test_unknown_preference_values_are_refused_on_the_field_and_nothing_is_saved(cast):
    response = resident_a_signed_in(cast).post(
        "/warga/notifikasi/pengaturan/", {"channels": ["merpati"], "language": "jv"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"channels", "language"}
    with schema_context(cast.village_a.schema_name):
        assert not Preference.objects.exists()


def test_the_delivery_log_shows_failures_with_their_reason(cast):
    # given
    with schema_context(cast.village_a.schema_name):
        _message(recipient_id="7", channel="sms", status=MessageStatus.FAILED,
                 last_error="gateway: nomor tidak aktif", attempts=5)  # fmt: skip
        _message(recipient_id="8", channel="whatsapp", status=MessageStatus.DELIVERED,
                 provider="wa-utama")  # fmt: skip
    client = client_for(cast.village_a, user=cast.alice)
    # when
    everything = client.get("/kantor/notifikasi/")
    failed = client.get("/kantor/notifikasi/", {"status": "failed"})
    # then
    assert everything.status_code == 200
    assert "gateway: nomor tidak aktif" in everything.content.decode()
    assert "wa-utama" in everything.content.decode()
    assert [m.status for m in failed.context["page"].object_list] == ["failed"]
    counts = {value: n for value, _label, n in everything.context["counts"]}
    assert counts["failed"] == 1 and counts["delivered"] == 1


def test_the_delivery_log_filter_answers_htmx_with_the_table(cast):
    response = client_for(cast.village_a, user=cast.alice).get(
        "/kantor/notifikasi/?channel=sms",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="message-results",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_delivery_log_shows_no_address(cast):
    with schema_context(cast.village_a.schema_name):
        _message(recipient_id="7", channel="sms", address="+6281299998888")
    response = client_for(cast.village_a, user=cast.alice).get("/kantor/notifikasi/")
    assert "+6281299998888" not in response.content.decode()


# -- sending a failed message again ------------------------------------------------------------


def test_the_log_offers_to_send_again_only_failed_messages(cast):
    with schema_context(cast.village_a.schema_name):
        failed = _message(recipient_id="7", channel="sms", status=MessageStatus.FAILED)
        sent = _message(recipient_id="8", channel="sms", status=MessageStatus.SENT)
    body = client_for(cast.village_a, user=cast.alice).get("/kantor/notifikasi/").content.decode()
    assert f"/kantor/notifikasi/{failed.pk}/kirim-ulang/" in body
    assert f"/kantor/notifikasi/{sent.pk}/kirim-ulang/" not in body


def test_staff_send_a_failed_message_again_and_come_back_to_their_filter(cast):
    # given
    with schema_context(cast.village_a.schema_name):
        failed = _message(recipient_id="7", channel="sms", status=MessageStatus.FAILED,
                          attempts=5, last_error="gateway: 500")  # fmt: skip
    client = client_for(cast.village_a, user=cast.alice)
    # when
    response = client.post(
        f"/kantor/notifikasi/{failed.pk}/kirim-ulang/", {"query": "status=failed&channel=sms"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/kantor/notifikasi/?status=failed&channel=sms"
    with schema_context(cast.village_a.schema_name):
        failed.refresh_from_db()
    assert failed.status == MessageStatus.CREATED and failed.attempts == 0
    assert (
        "Pesan diantrekan untuk dikirim ulang." in client.get(response["Location"]).content.decode()
    )


def test_sending_again_by_htmx_answers_with_the_table_and_its_message(cast):
    with schema_context(cast.village_a.schema_name):
        failed = _message(recipient_id="7", status=MessageStatus.FAILED)
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/notifikasi/{failed.pk}/kirim-ulang/", {"query": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Pesan diantrekan untuk dikirim ulang." in body


def test_a_message_not_failed_is_refused_with_the_reason_and_left_alone(cast):
    with schema_context(cast.village_a.schema_name):
        delivered = _message(recipient_id="7", status=MessageStatus.DELIVERED)
    client = client_for(cast.village_a, user=cast.alice)
    client.cookies["django_language"] = "en"
    response = client.post(f"/kantor/notifikasi/{delivered.pk}/kirim-ulang/")
    assert response.status_code == 409
    assert "Only a failed message can be sent again." in response.content.decode()
    with schema_context(cast.village_a.schema_name):
        delivered.refresh_from_db()
    assert delivered.status == MessageStatus.DELIVERED


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("resident", 403), ("carol", 403)]
)
def test_sending_again_refuses_everyone_but_the_village_staff(cast, who, expected):
    with schema_context(cast.village_a.schema_name):
        failed = _message(recipient_id="7", status=MessageStatus.FAILED)
    if who == "resident":
        client = resident_a_signed_in(cast)
    else:
        client = client_for(cast.village_a, user=cast.carol if who == "carol" else None)
    response = client.post(f"/kantor/notifikasi/{failed.pk}/kirim-ulang/")
    assert response.status_code == expected
    with schema_context(cast.village_a.schema_name):
        failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED


def test_staff_of_another_village_cannot_send_a_message_again(cast):
    with schema_context(cast.village_a.schema_name):
        failed = _message(recipient_id="7", status=MessageStatus.FAILED)
    # bob is staff of B: on A's host refused, on B's host the id is not B's message
    assert (
        client_for(cast.village_a, user=cast.bob)
        .post(f"/kantor/notifikasi/{failed.pk}/kirim-ulang/")
        .status_code
        == 403
    )
    on_b = client_for(cast.village_b, user=cast.bob).post(
        f"/kantor/notifikasi/{failed.pk}/kirim-ulang/"
    )
    assert on_b.status_code == 404
    with schema_context(cast.village_a.schema_name):
        failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
