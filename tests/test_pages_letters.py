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
from services.audit.models import AuditEntry
from services.letters import services
from services.letters.models import (
    Channel,
    Letter,
    LetterSettings,
    LetterStatus,
    LetterType,
    SequenceScope,
)
from services.programmes.tasks import adoption_figures
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


# --- requests entered at the counter ------------------------------------------------------


def test_staff_find_the_resident_at_the_counter_by_nik_or_name_as_they_type(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    # when: the first digits of Siti's NIK, asked by htmx
    by_nik = operator.get(
        "/kantor/surat/baru/", {"q": cast.resident_a_nik[:8]}, HTTP_HX_REQUEST="true"
    )
    # then: the rows alone, with a link to choose her
    html = by_nik.content.decode()
    assert "<html" not in html and "Siti Aminah" in html
    assert f"/kantor/surat/baru/{cast.resident_a.pk}/" in html
    by_name = operator.get("/kantor/surat/baru/", {"q": "aminah"})
    assert [r.pk for r in by_name.context["residents"]] == [cast.resident_a.pk]
    # too short a search lists nobody
    assert operator.get("/kantor/surat/baru/", {"q": "si"}).context["residents"] == []
    # each search is audited, naming what was searched by but not the NIK or name itself
    with schema_context(cast.village_a.schema_name):
        entries = list(
            AuditEntry.objects.filter(object_type="resident", action="list").order_by("id")
        )
    assert [e.detail["filters"] for e in entries] == [
        {"searched_by": ["nik"]},
        {"searched_by": ["name"]},
    ]
    assert cast.resident_a_nik[:8] not in str(entries[0].detail)


def test_a_counter_request_is_recorded_as_offline_for_the_adoption_figure(cast):
    # given: one online request by Siti
    letter_of(cast)
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    url = f"/kantor/surat/baru/{cast.resident_a.pk}/domisili/"
    page = operator.get(url)
    assert page.status_code == 200 and cast.resident_a_nik in page.content.decode()
    # when: an operator enters one for her at the counter
    response = operator.post(url, {"keperluan": "Daftar sekolah", "note": "Datang ke kantor"})
    # then
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        letter = Letter.objects.latest("id")
        assert response["Location"] == f"/kantor/surat/{letter.pk}/"
        assert letter.channel == Channel.COUNTER and letter.resident_id == cast.resident_a.pk
        assert letter.field_values == {"keperluan": "Daftar sekolah"}
        figures = adoption_figures()
    assert (figures.letters_total, figures.letters_online) == (2, 1)


def test_the_counter_offers_types_residents_may_not_request_online(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    choose = operator.get(f"/kantor/surat/baru/{cast.resident_a.pk}/")
    codes = [t.code for t in choose.context["types"]]
    assert "kematian" in codes and "domisili" in codes
    form = operator.get(f"/kantor/surat/baru/{cast.resident_a.pk}/kematian/")
    assert form.status_code == 200 and 'name="nama_almarhum"' in form.content.decode()


def test_a_counter_request_with_bad_input_names_the_field_and_writes_nothing(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    before = letters_count(cast)
    response = operator.post(
        f"/kantor/surat/baru/{cast.resident_a.pk}/domisili/",
        {"keperluan": "", "sejak": "kemarin"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Keperluan wajib diisi." in errors["keperluan"]
    assert "tanggal tidak valid" in errors["sejak"][0]
    assert letters_count(cast) == before


def test_a_counter_request_for_a_resident_who_moved_out_is_refused(cast):
    with schema_context(cast.village_a.schema_name):
        moved = ResidentFactory(full_name="Joko Pindah", status="pindah")
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    response = operator.post(f"/kantor/surat/baru/{moved.pk}/domisili/", {"keperluan": "Kerja"})
    assert response.status_code == 400
    assert "tidak lagi tercatat sebagai warga aktif" in str(response.context["form"].errors)
    assert letters_count(cast) == 0


def test_the_counter_of_another_village_never_reaches_this_villages_residents(cast):
    bob = client_for(cast.village_b, user=cast.bob)
    # Village B's register is its own schema: Siti's NIK finds nobody there, and her id
    # there is some other row (or none), never her.
    search = bob.get("/kantor/surat/baru/", {"q": cast.resident_a_nik})
    assert search.context["residents"] == []
    page = bob.get(f"/kantor/surat/baru/{cast.resident_a.pk}/domisili/")
    assert cast.resident_a_nik not in page.content.decode()


# --- letter settings ----------------------------------------------------------------------


def settings_row(cast) -> LetterSettings:
    with schema_context(cast.village_a.schema_name):
        return services.letter_settings_get()


def test_the_kepala_desa_changes_the_number_format_and_delegates_signing(cast):
    client = client_for(cast.village_a, user=cast.alice)
    page = client.get("/kantor/surat/pengaturan/")
    assert page.status_code == 200 and "470/012/2001/" in page.content.decode()
    response = client.post(
        "/kantor/surat/pengaturan/",
        {
            "number_format": "{classification}/{seq:04d}/{type_code}/{year}",
            "sequence_scope": SequenceScope.TYPE,
            "signer_roles": [StaffRole.SEKRETARIS],
        },
    )
    assert response.status_code == 302
    row = settings_row(cast)
    assert row.number_format == "{classification}/{seq:04d}/{type_code}/{year}"
    assert row.sequence_scope == SequenceScope.TYPE
    assert row.signer_roles == sorted([StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS])
    assert "470/0012/domisili/" in client.get("/kantor/surat/pengaturan/").content.decode()
    with schema_context(cast.village_a.schema_name):
        assert services.letter_role_may_sign(role=StaffRole.SEKRETARIS)


def test_a_bad_number_format_is_named_and_nothing_is_saved(cast):
    client = client_for(cast.village_a, user=cast.alice)
    before = settings_row(cast)
    response = client.post(
        "/kantor/surat/pengaturan/",
        {
            "number_format": "{classification}/{seq}/{gaji}",
            "sequence_scope": SequenceScope.TYPE,
            "signer_roles": [StaffRole.OPERATOR],
        },
    )
    assert response.status_code == 400
    assert (
        "Bagian nomor tidak dikenal: {gaji}" in response.context["form"].errors["number_format"][0]
    )
    after = settings_row(cast)
    assert (after.number_format, after.sequence_scope, after.signer_roles) == (
        before.number_format,
        before.sequence_scope,
        before.signer_roles,
    )


def test_the_sekretaris_reads_the_settings_but_may_not_change_them(cast):
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))
    page = secretary.get("/kantor/surat/pengaturan/")
    assert page.status_code == 200
    assert page.context["form"].fields["number_format"].disabled
    assert "Simpan" not in page.content.decode()
    response = secretary.post(
        "/kantor/surat/pengaturan/",
        {"number_format": "{seq}/{year}", "sequence_scope": SequenceScope.VILLAGE},
    )
    assert response.status_code == 403
    assert settings_row(cast).number_format != "{seq}/{year}"


# --- the extra fields of a letter type ----------------------------------------------------


def fields_form(rows: list[dict], *, initial: int) -> dict:
    """The editor's POST: ``rows`` in page order, the first ``initial`` ones existing."""
    data = {
        "isian-TOTAL_FORMS": str(len(rows)),
        "isian-INITIAL_FORMS": str(initial),
        "isian-MIN_NUM_FORMS": "0",
        "isian-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"isian-{index}-{key}"] = value
    return data


def domisili_fields(cast) -> list[dict]:
    with schema_context(cast.village_a.schema_name):
        return LetterType.objects.get(code="domisili").fields


KEPERLUAN = {"name": "keperluan", "label": "Keperluan", "type": "text", "required": True}
SEJAK = {"name": "sejak", "label": "Tinggal sejak", "type": "date", "required": False}


def test_the_editor_adds_removes_and_reorders_fields(cast):
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))
    page = secretary.get("/kantor/surat/templat/domisili/isian/")
    assert page.status_code == 200
    assert page.context["formset"].initial_form_count() == 2
    # when: "sejak" removed, a choice field added and put first
    rows = [
        {**KEPERLUAN, "ORDER": "2"},
        {**SEJAK, "ORDER": "3", "DELETE": True},
        {
            "name": "status_rumah",
            "label": "Status rumah",
            "type": "choice",
            "required": True,
            "choices": "Milik sendiri\r\nSewa\r\n",
            "ORDER": "1",
        },
        {"name": "", "label": "", "type": "text", "ORDER": ""},  # a blank new row: ignored
    ]
    response = secretary.post("/kantor/surat/templat/domisili/isian/", fields_form(rows, initial=2))
    # then
    assert response.status_code == 302
    assert domisili_fields(cast) == [
        {
            "name": "status_rumah",
            "label": "Status rumah",
            "type": "choice",
            "required": True,
            "choices": ["Milik sendiri", "Sewa"],
        },
        KEPERLUAN,
    ]
    # and residents are asked for it
    request_form = resident_client(cast).get("/warga/surat/baru/domisili/").content.decode()
    assert 'name="status_rumah"' in request_form and 'name="sejak"' not in request_form


def test_a_bad_field_definition_marks_each_wrong_row_and_saves_nothing(cast):
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))
    rows = [
        {**KEPERLUAN, "ORDER": "1"},
        {**SEJAK, "name": "Tinggal Sejak", "ORDER": "2"},
        {"name": "keperluan", "label": "Lagi", "type": "text", "ORDER": "3"},
        {"name": "jenis", "label": "Jenis", "type": "choice", "choices": "", "ORDER": "4"},
    ]
    response = secretary.post("/kantor/surat/templat/domisili/isian/", fields_form(rows, initial=2))
    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert "tidak valid" in forms[1].errors["name"][0]
    assert forms[2].errors["name"] == ["Nama isian keperluan ganda."]
    assert forms[3].errors["choices"] == ["Isian pilihan butuh daftar pilihan."]
    assert not forms[0].errors
    assert domisili_fields(cast) == [KEPERLUAN, SEJAK]


def test_a_field_the_template_still_uses_cannot_be_removed(cast):
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))
    rows = [{**KEPERLUAN, "ORDER": "1", "DELETE": True}, {**SEJAK, "ORDER": "2"}]
    response = secretary.post("/kantor/surat/templat/domisili/isian/", fields_form(rows, initial=2))
    assert response.status_code == 400
    assert any("field.keperluan" in message for message in response.context["errors"])
    assert domisili_fields(cast) == [KEPERLUAN, SEJAK]


def test_an_operator_may_not_edit_fields(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    rows = [{**KEPERLUAN, "ORDER": "1"}]
    response = operator.post("/kantor/surat/templat/domisili/isian/", fields_form(rows, initial=2))
    assert response.status_code == 403
    assert domisili_fields(cast) == [KEPERLUAN, SEJAK]


def test_placeholder_descriptions_follow_the_interface_language(cast):
    client = client_for(cast.village_a, user=cast.alice)
    indonesian = client.get("/kantor/surat/templat/domisili/").content.decode()
    assert "Nama lengkap" in indonesian and "Nomor surat" in indonesian
    client.cookies["django_language"] = "en"
    english = client.get("/kantor/surat/templat/domisili/").content.decode()
    assert "Full name" in english and "Letter number" in english
    assert "Nomor surat" not in english


def test_fields_check_reports_every_problem_at_once_and_normalises(cast):
    # given / when
    with pytest.raises(BalaiError) as raised:
        services.letter_type_fields_check(
            fields=[
                {"name": "a b", "type": "text"},
                {"name": "ok", "type": "money"},
                {"name": "pilih", "type": "choice", "choices": ["Ya", "Ya"]},
                "not an object",
            ]
        )
    # then
    assert [e.field for e in raised.value.errors] == [
        "fields[0].name",
        "fields[1].type",
        "fields[2].choices",
        "fields[3]",
    ]
    clean = services.letter_type_fields_check(
        fields=[{"name": "umur", "label": "  ", "type": "number", "required": 1, "choices": ["x"]}]
    )
    assert clean == [{"name": "umur", "label": "umur", "type": "number", "required": True}]
    with pytest.raises(BalaiError, match="At most 30"):
        services.letter_type_fields_check(
            fields=[{"name": f"f{i}", "type": "text"} for i in range(31)]
        )
