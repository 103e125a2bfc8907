"""Letter pages: a resident's requests, the staff queue, detail and steps, the archive and
the template editor; and the two small service functions the pages added."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.principals import ResidentPrincipal
from balai.accounts.services import membership_grant
from balai.errors import BalaiError
from services.letters import services
from services.letters.models import Letter, LetterStatus, LetterType
from services.residents.services import resident_account_set_pin
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

OTHER_PIN = "975312"


def resident_client(cast, *, nik: str | None = None, pin: str = RESIDENT_PIN) -> Client:
    client = client_for(cast.village_a)
    response = client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": nik or cast.resident_a_nik, "resident-pin": pin},
    )
    assert response.status_code == 302
    return client


def staff_of(village, role: str):
    user = UserFactory(first_name="Petugas", last_name=role.title())
    membership_grant(user=user, village=village, role=role)
    return user


def letter_of(cast, *, status: str = LetterStatus.REQUESTED, resident=None) -> Letter:
    """A domisili letter of ``resident`` (Siti by default), moved on to ``status``."""
    resident = resident or cast.resident_a
    with schema_context(cast.village_a.schema_name):
        letter = services.letter_request(
            actor=ResidentPrincipal(
                schema_name=cast.village_a.schema_name, account_id=0, resident_id=resident.pk
            ),
            role=None,
            letter_type_code="domisili",
            field_values={"keperluan": "Melamar pekerjaan"},
        )
        if status in (LetterStatus.VERIFIED, LetterStatus.SIGNED):
            services.letter_transition(
                actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk, action="verify"
            )
        if status == LetterStatus.SIGNED:
            services.letter_sign(actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk)
        letter.refresh_from_db()
    return letter


def letters_count(cast) -> int:
    with schema_context(cast.village_a.schema_name):
        return Letter.objects.count()


def status_of(cast, letter: Letter) -> str:
    with schema_context(cast.village_a.schema_name):
        return Letter.objects.get(pk=letter.pk).status


# --- resident pages -------------------------------------------------------------------------


def test_the_request_form_is_built_from_the_letter_types_fields(cast):
    page = resident_client(cast).get("/warga/surat/baru/domisili/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="keperluan"' in html
    assert 'type="date"' in html and 'name="sejak"' in html
    assert "Fotokopi KTP" in html


def test_a_request_with_bad_input_names_the_field_and_writes_nothing(cast):
    # given
    client = resident_client(cast)
    before = letters_count(cast)
    # when: the required purpose is empty and the date is not a date
    response = client.post("/warga/surat/baru/domisili/", {"keperluan": " ", "sejak": "kemarin"})
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Keperluan wajib diisi." in errors["keperluan"]
    assert "tanggal tidak valid" in errors["sejak"][0]
    assert letters_count(cast) == before


def test_a_valid_request_is_saved_and_shown_with_its_status(cast):
    client = resident_client(cast)
    response = client.post(
        "/warga/surat/baru/domisili/", {"keperluan": "Daftar sekolah", "sejak": "2020-01-31"}
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        letter = Letter.objects.latest("id")
        assert letter.field_values == {"keperluan": "Daftar sekolah", "sejak": "2020-01-31"}
    assert response["Location"] == f"/warga/surat/{letter.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Daftar sekolah" in detail and "badge-requested" in detail
    assert "Surat Keterangan Domisili" in client.get("/warga/surat/").content.decode()


def test_a_resident_sees_and_downloads_only_their_own_letters(cast):
    # given: a signed letter of another resident of the same village
    with schema_context(cast.village_a.schema_name):
        other = ResidentFactory(full_name="Rahmat Hidayat")
        resident_account_set_pin(resident=other, pin=OTHER_PIN)
    theirs = letter_of(cast, status=LetterStatus.SIGNED, resident=other)
    siti = resident_client(cast)
    # when / then: Siti can neither open nor print it, nor see it in her list
    assert siti.get(f"/warga/surat/{theirs.pk}/").status_code == 404
    assert siti.get(f"/warga/surat/{theirs.pk}/pdf/").status_code == 404
    assert siti.post(f"/warga/surat/{theirs.pk}/batal/").status_code == 404
    assert "Rahmat" not in siti.get("/warga/surat/").content.decode()
    # while its owner downloads the PDF
    owner = resident_client(cast, nik=other.nik, pin=OTHER_PIN)
    pdf = owner.get(f"/warga/surat/{theirs.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_an_unsigned_letter_has_no_pdf_and_can_be_cancelled(cast):
    letter = letter_of(cast)
    client = resident_client(cast)
    response = client.get(f"/warga/surat/{letter.pk}/pdf/")
    assert response.status_code == 302  # back to the detail, with the service's message
    assert "/pdf/" not in client.get(f"/warga/surat/{letter.pk}/").content.decode()
    client.post(f"/warga/surat/{letter.pk}/batal/")
    assert status_of(cast, letter) == LetterStatus.CANCELLED


def test_a_returned_request_is_fixed_and_sent_again(cast):
    # given: staff returned Siti's request as incomplete
    letter = letter_of(cast)
    with schema_context(cast.village_a.schema_name):
        services.letter_transition(
            actor=cast.alice,
            role=StaffRole.KEPALA_DESA,
            letter_id=letter.pk,
            action="return",
            note="Keperluan kurang jelas",
        )
    client = resident_client(cast)
    page = client.get(f"/warga/surat/{letter.pk}/")
    assert "Keperluan kurang jelas" in page.content.decode()
    assert page.context["form"]["keperluan"].value() == "Melamar pekerjaan"
    # when: sent again with a bad date, then with good data
    url = f"/warga/surat/{letter.pk}/ajukan-ulang/"
    bad = client.post(url, {"keperluan": "Melamar kerja di Bank", "sejak": "31-01-2020"})
    assert bad.status_code == 400 and "sejak" in bad.context["form"].errors
    assert status_of(cast, letter) == LetterStatus.RETURNED
    good = client.post(url, {"keperluan": "Melamar kerja di Bank", "sejak": "2020-01-31"})
    # then
    assert good.status_code == 302
    with schema_context(cast.village_a.schema_name):
        letter.refresh_from_db()
    assert letter.status == LetterStatus.REQUESTED
    assert letter.field_values == {"keperluan": "Melamar kerja di Bank", "sejak": "2020-01-31"}


# --- staff pages ----------------------------------------------------------------------------


def test_the_queue_shows_signing_only_to_those_who_may_sign(cast):
    # given: one letter to verify, one to sign
    to_verify = letter_of(cast)
    to_sign = letter_of(cast, status=LetterStatus.VERIFIED)
    operator = staff_of(cast.village_a, StaffRole.OPERATOR)
    # when
    head = client_for(cast.village_a, user=cast.alice).get("/kantor/surat/")
    op = client_for(cast.village_a, user=operator).get("/kantor/surat/")
    # then
    assert [x.pk for x in head.context["to_sign"]] == [to_sign.pk]
    assert [x.pk for x in head.context["to_verify"]] == [to_verify.pk]
    assert op.context["to_sign"] is None
    assert [x.pk for x in op.context["to_verify"]] == [to_verify.pk]
    assert "Menunggu tanda tangan" not in op.content.decode()


def test_an_operator_verifies_but_may_not_sign(cast):
    operator = staff_of(cast.village_a, StaffRole.OPERATOR)
    client = client_for(cast.village_a, user=operator)
    letter = letter_of(cast)
    # verify: offered and done
    assert [a["name"] for a in client.get(f"/kantor/surat/{letter.pk}/").context["actions"]] == [
        "verify",
        "return",
        "reject",
        "cancel",
    ]
    response = client.post(f"/kantor/surat/{letter.pk}/langkah/verify/")
    assert response.status_code == 302
    assert status_of(cast, letter) == LetterStatus.VERIFIED
    # sign: not offered, and refused when posted anyway
    detail = client.get(f"/kantor/surat/{letter.pk}/")
    assert "sign" not in [a["name"] for a in detail.context["actions"]]
    response = client.post(f"/kantor/surat/{letter.pk}/langkah/sign/")
    assert response.status_code == 403
    assert status_of(cast, letter) == LetterStatus.VERIFIED


def test_the_kepala_desa_signs_and_the_pdf_is_downloadable(cast):
    letter = letter_of(cast, status=LetterStatus.VERIFIED)
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(f"/kantor/surat/{letter.pk}/langkah/sign/")
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        letter.refresh_from_db()
    assert letter.status == LetterStatus.SIGNED and letter.number
    assert letter.number in client.get(f"/kantor/surat/{letter.pk}/").content.decode()
    pdf = client.get(f"/kantor/surat/{letter.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(cast):
    letter = letter_of(cast)
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(f"/kantor/surat/{letter.pk}/langkah/reject/", {"note": "  "})
    assert response.status_code == 400
    assert "Alasan/catatan wajib diisi." in response.context["form"].errors["note"]
    assert status_of(cast, letter) == LetterStatus.REQUESTED
    # with a reason it is rejected, and the resident reads the reason
    client.post(f"/kantor/surat/{letter.pk}/langkah/reject/", {"note": "Bukan warga RT ini"})
    assert status_of(cast, letter) == LetterStatus.REJECTED
    page = resident_client(cast).get(f"/warga/surat/{letter.pk}/").content.decode()
    assert "Bukan warga RT ini" in page


def test_an_illegal_step_is_refused_with_the_services_message(cast):
    letter = letter_of(cast)  # requested: cannot be signed yet
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/surat/{letter.pk}/langkah/sign/"
    )
    assert response.status_code == 409
    assert status_of(cast, letter) == LetterStatus.REQUESTED


@pytest.mark.parametrize("who", ["anonymous", "bob", "resident_a"])
def test_staff_pages_of_a_letter_refuse_the_wrong_village_role_or_anonymous(cast, who):
    letter = letter_of(cast)
    if who == "resident_a":
        client = resident_client(cast)
    else:
        client = client_for(cast.village_a, user=cast.bob if who == "bob" else None)
    for response in (
        client.post(f"/kantor/surat/{letter.pk}/langkah/verify/"),
        client.get(f"/kantor/surat/{letter.pk}/"),
        client.get(f"/kantor/surat/{letter.pk}/pdf/"),
    ):
        if who == "anonymous":
            assert response["Location"].startswith("/masuk/?next=")
        else:
            assert response.status_code == 403
    assert status_of(cast, letter) == LetterStatus.REQUESTED


def test_a_letter_of_another_village_is_not_found(cast):
    letter = letter_of(cast)
    response = client_for(cast.village_b, user=cast.bob).get(f"/kantor/surat/{letter.pk}/")
    # Village B's schema has no letters: the id means nothing there.
    assert response.status_code == 404


def test_the_archive_searches_issued_letters_by_number_and_name(cast):
    # given: Siti's signed letter, Rahmat's signed letter, and an unsigned one
    with schema_context(cast.village_a.schema_name):
        other = ResidentFactory(full_name="Rahmat Hidayat")
    siti = letter_of(cast, status=LetterStatus.SIGNED)
    rahmat = letter_of(cast, status=LetterStatus.SIGNED, resident=other)
    letter_of(cast)
    client = client_for(cast.village_a, user=cast.alice)
    # when / then
    everything = client.get("/kantor/surat/arsip/")
    assert {x.pk for x in everything.context["page"].object_list} == {siti.pk, rahmat.pk}
    by_name = client.get("/kantor/surat/arsip/", {"q": "rahmat"})
    assert [x.pk for x in by_name.context["page"].object_list] == [rahmat.pk]
    by_number = client.get("/kantor/surat/arsip/", {"q": siti.number}, HTTP_HX_REQUEST="true")
    assert [x.pk for x in by_number.context["page"].object_list] == [siti.pk]
    assert "<html" not in by_number.content.decode()  # htmx gets the table only


def test_the_template_preview_renders_sample_data_as_html_and_pdf(cast):
    client = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    html = client.get("/kantor/surat/templat/domisili/pratinjau/")
    assert html.status_code == 200 and "NAMA WARGA" in html.content.decode()
    draft = client.post(
        "/kantor/surat/templat/domisili/pratinjau/",
        {"template": "Halo {{ nama }} dari {{ nama_desa }}"},
        HTTP_HX_REQUEST="true",
    )
    assert draft.content.decode().strip() == "<p>Halo NAMA WARGA dari Negara Batin</p>"
    bad = client.post("/kantor/surat/templat/domisili/pratinjau/", {"template": "{{ gaji }}"})
    assert bad.status_code == 400 and "Isian tidak dikenal" in bad.content.decode()
    pdf = client.get("/kantor/surat/templat/domisili/pratinjau/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_only_the_head_or_secretary_edits_templates_and_bad_ones_are_not_saved(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))
    form = {
        "title": "SURAT KETERANGAN DOMISILI",
        "template": "Menerangkan bahwa {{ nama }} tinggal di {{ nama_desa }}.",
        "requirements": "Fotokopi KTP\n\nSurat pengantar RT",
        "validity_days": "90",
        "online_allowed": "on",
        "is_active": "on",
    }
    assert operator.post("/kantor/surat/templat/domisili/", form).status_code == 403
    bad = secretary.post("/kantor/surat/templat/domisili/", {**form, "template": "{{ gaji }}"})
    assert bad.status_code == 400
    assert "Isian tidak dikenal: {{ gaji }}." in bad.context["form"].errors["template"]
    with schema_context(cast.village_a.schema_name):
        assert "gaji" not in LetterType.objects.get(code="domisili").template
    assert secretary.post("/kantor/surat/templat/domisili/", form).status_code == 302
    with schema_context(cast.village_a.schema_name):
        saved = LetterType.objects.get(code="domisili")
    assert saved.template == form["template"]
    assert saved.requirements == ["Fotokopi KTP", "Surat pengantar RT"]
    assert saved.validity_days == 90


# --- the service functions the pages added -------------------------------------------------


def test_actions_available_follow_the_roles_and_delegation(cast):
    with schema_context(cast.village_a.schema_name):
        letter = Letter(status=LetterStatus.VERIFIED)
        assert "sign" in services.letter_actions_available(
            role=StaffRole.KEPALA_DESA, letter=letter
        )
        assert "sign" not in services.letter_actions_available(
            role=StaffRole.SEKRETARIS, letter=letter
        )
        # when: the village delegates signing to the secretary
        services.letter_settings_update(
            actor=cast.alice, changes={"signer_roles": [StaffRole.SEKRETARIS]}
        )
        assert "sign" in services.letter_actions_available(role=StaffRole.SEKRETARIS, letter=letter)
        assert services.letter_actions_available(role=None, letter=letter) == []
        signed = Letter(status=LetterStatus.SIGNED)
        assert "revoke" not in services.letter_actions_available(
            role=StaffRole.OPERATOR, letter=signed
        )


def test_the_pdf_preview_draws_a_draft_with_sample_data(cast):
    with schema_context(cast.village_a.schema_name):
        letter_type = LetterType.objects.get(code="domisili")
        pdf = services.letter_preview_pdf(letter_type=letter_type, template="Halo {{ nama }}")
        assert pdf.startswith(b"%PDF")
        with pytest.raises(BalaiError, match="gaji"):
            services.letter_preview_pdf(letter_type=letter_type, template="{{ gaji }}")
