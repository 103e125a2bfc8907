"""Letters from request to signed, verifiable PDF, through the API of a village host."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from services.audit.models import AuditEntry
from services.events.models import DomainEvent
from services.letters.models import Letter, LetterSettings, LetterStatus, LetterType
from services.letters.seed import LETTER_TYPES
from services.residents.models import ResidentAccount
from services.residents.services import resident_account_set_pin, resident_token_create
from tests.conftest import client_for, host_of
from tests.factories import ResidentFactory, UserFactory

LETTERS = "/api/village/letters/"
MINE = "/api/village/letters/mine/"
DEFAULT_NUMBER = re.compile(r"^470/\d{3}/2001/(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)/\d{4}$")


def resident_client(village, resident) -> Client:
    """A client logged in as ``resident`` with a resident API token of ``village``."""
    with schema_context(village.schema_name):
        account = ResidentAccount.objects.filter(resident=resident).first()
        if account is None:
            account = resident_account_set_pin(resident=resident, pin="135790")
        token = resident_token_create(account=account)
    return Client(HTTP_HOST=host_of(village), HTTP_AUTHORIZATION=f"Resident {token}")


def staff_of(village, role: str):
    user = UserFactory(first_name="Petugas", last_name=role.title())
    membership_grant(user=user, village=village, role=role)
    return user


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def request_domisili(cast, **fields) -> dict:
    response = post(
        resident_client(cast.village_a, cast.resident_a),
        MINE,
        {"letter_type": "domisili", "fields": {"keperluan": "Melamar pekerjaan", **fields}},
    )
    assert response.status_code == 201, response.json()
    return response.json()


def signed_letter(cast) -> dict:
    letter = request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)
    assert post(alice, f"{LETTERS}{letter['id']}/verify/").status_code == 200
    response = post(alice, f"{LETTERS}{letter['id']}/sign/")
    assert response.status_code == 200, response.json()
    return response.json()


def error_of(response) -> dict:
    return response.json()["errors"][0]


def test_every_new_village_starts_with_the_letter_catalog(cast):
    with schema_context(cast.village_b.schema_name):
        codes = set(LetterType.objects.values_list("code", flat=True))
        settings_row = LetterSettings.objects.get(id=1)

    assert codes == {entry["code"] for entry in LETTER_TYPES}
    assert {
        "domisili",
        "usaha",
        "sktm",
        "pengantar-skck",
        "pengantar",
        "kelahiran",
        "kematian",
        "pindah",
        "belum-menikah",
        "penghasilan",
    } <= codes
    assert settings_row.signer_roles == [StaffRole.KEPALA_DESA]


def test_a_letter_goes_from_online_request_to_picked_up(cast):
    # given: a resident asks online for a domicile letter
    letter = request_domisili(cast)
    assert letter["status"] == LetterStatus.REQUESTED
    assert letter["channel"] == "online"
    alice = client_for(cast.village_a, user=cast.alice)
    url = f"{LETTERS}{letter['id']}/"

    # when: the office verifies, the kepala desa signs, it is marked ready and picked up
    statuses = []
    for action in ("verify", "sign", "ready", "pick_up"):
        response = post(alice, f"{url}{action}/", {"note": f"langkah {action}"})
        assert response.status_code == 200, response.json()
        statuses.append(response.json()["status"])

    # then: every step is recorded with who and when, and announced as an event
    assert statuses == ["verified", "signed", "ready", "picked_up"]
    detail = alice.get(url).json()
    assert DEFAULT_NUMBER.match(detail["number"]), detail["number"]
    assert [(s["from_status"], s["to_status"]) for s in detail["steps"]] == [
        ("", "requested"),
        ("requested", "verified"),
        ("verified", "signed"),
        ("signed", "ready"),
        ("ready", "picked_up"),
    ]
    assert detail["steps"][0]["actor_kind"] == "resident"
    assert detail["steps"][0]["actor_id"] == cast.resident_a.pk
    assert {s["actor_id"] for s in detail["steps"][1:]} == {cast.alice.pk}
    assert all(s["at"] for s in detail["steps"])
    with schema_context(cast.village_a.schema_name):
        events = list(
            DomainEvent.objects.filter(
                name="letter.status_changed", payload__letter_id=letter["id"]
            ).values_list("payload", flat=True)
        )
    assert [e["to"] for e in events] == ["requested", "verified", "signed", "ready", "picked_up"]
    assert set(events[0]) == {"letter_id", "resident_id", "letter_type", "from", "to", "step_id"}


def test_staff_enter_a_request_at_the_counter_for_a_resident(cast):
    with schema_context(cast.village_a.schema_name):
        resident = ResidentFactory(full_name="Ahmad Dahlan")
    alice = client_for(cast.village_a, user=cast.alice)

    response = post(
        alice,
        LETTERS,
        {
            "letter_type": "kematian",  # not requestable online: the counter may
            "resident_id": resident.pk,
            "fields": {
                "nama_almarhum": "Dahlan bin Umar",
                "tanggal_meninggal": "2026-11-01",
                "tempat_meninggal": "Rumah",
                "sebab_meninggal": "Sakit",
                "hubungan_pelapor": "Anak kandung",
            },
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "counter"
    assert response.json()["field_values"]["tanggal_meninggal"] == "2026-11-01"


def test_missing_required_field_is_a_400_naming_it(cast):
    response = post(
        resident_client(cast.village_a, cast.resident_a),
        MINE,
        {"letter_type": "usaha", "fields": {"nama_usaha": "Warung Kopi", "keperluan": "KUR"}},
    )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"fields.jenis_usaha", "fields.alamat_usaha"}
    assert all(e["message"] and e["message_en"] for e in response.json()["errors"])
    with schema_context(cast.village_a.schema_name):
        assert not Letter.objects.filter(letter_type__code="usaha").exists()


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"keperluan": "KUR", "sejak": "2026-02-30"}, "fields.sejak"),
        ({"keperluan": "KUR", "warna": "merah"}, "fields.warna"),
        ({"keperluan": "x" * 501}, "fields.keperluan"),
    ],
)
def test_malformed_extra_fields_are_400_naming_the_field(cast, fields, bad_field):
    response = post(
        resident_client(cast.village_a, cast.resident_a),
        MINE,
        {"letter_type": "domisili", "fields": fields},
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == bad_field


def test_unknown_letter_type_is_a_400(cast):
    response = post(
        resident_client(cast.village_a, cast.resident_a),
        MINE,
        {"letter_type": "surat-sakti", "fields": {}},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "unknown_letter_type"
    assert error_of(response)["field"] == "letter_type"


def test_residents_cannot_request_counter_only_types_online(cast):
    response = post(
        resident_client(cast.village_a, cast.resident_a),
        MINE,
        {"letter_type": "kematian", "fields": {}},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "not_online"


def test_illegal_transition_is_a_409_in_both_languages(cast):
    letter = request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)

    response = post(alice, f"{LETTERS}{letter['id']}/sign/")  # not verified yet

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert "Diajukan" in error["message"] and "ditandatangani" in error["message"]
    assert "requested" in error["message_en"] and "signed" in error["message_en"]
    assert post(alice, f"{LETTERS}{letter['id']}/pick_up/").status_code == 409


def test_returned_request_is_resubmitted_by_the_resident(cast):
    # given: the office sends a request back as incomplete
    letter = request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)
    assert post(alice, f"{LETTERS}{letter['id']}/return/").status_code == 400  # note required
    returned = post(alice, f"{LETTERS}{letter['id']}/return/", {"note": "Lampirkan KK"})
    assert returned.json()["status"] == "returned"
    warga = resident_client(cast.village_a, cast.resident_a)

    # when: the resident corrects the fields and resubmits
    response = post(
        warga,
        f"{MINE}{letter['id']}/resubmit/",
        {"fields": {"keperluan": "Melamar kerja di Bandar Lampung"}},
    )

    # then
    assert response.status_code == 200, response.json()
    detail = warga.get(f"{MINE}{letter['id']}/").json()
    assert detail["status"] == "requested"
    assert detail["field_values"] == {"keperluan": "Melamar kerja di Bandar Lampung"}
    assert [s["note"] for s in detail["steps"]][1] == "Lampirkan KK"


def test_rejection_needs_a_reason_and_ends_the_request(cast):
    letter = request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)

    response = post(alice, f"{LETTERS}{letter['id']}/reject/", {"note": "Bukan warga"})

    assert response.json()["status"] == "rejected"
    assert post(alice, f"{LETTERS}{letter['id']}/verify/").status_code == 409


def test_operator_cannot_sign_unless_the_village_delegates_it(cast):
    # given: an operator of village A and a verified letter
    operator = staff_of(cast.village_a, StaffRole.OPERATOR)
    letter = request_domisili(cast)
    client = client_for(cast.village_a, user=operator)
    assert post(client, f"{LETTERS}{letter['id']}/verify/").status_code == 200

    # when / then: not delegated
    refused = post(client, f"{LETTERS}{letter['id']}/sign/")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"

    # when: only the kepala desa may delegate, and does
    assert (
        client.patch(
            f"{LETTERS}settings/", {"signer_roles": ["operator"]}, content_type="application/json"
        ).status_code
        == 403
    )
    alice = client_for(cast.village_a, user=cast.alice)
    delegated = alice.patch(
        f"{LETTERS}settings/", {"signer_roles": ["operator"]}, content_type="application/json"
    )
    assert delegated.json()["signer_roles"] == ["kepala_desa", "operator"]

    # then: the operator signs, on behalf of the kepala kampung
    signed = post(client, f"{LETTERS}{letter['id']}/sign/")
    assert signed.status_code == 200, signed.json()
    signer = signed.json()["issued"]["signer"]
    assert signer["name"] == "Petugas Operator"
    assert signer["on_behalf"] == "a.n. Kepala Kampung Negara Batin"


def test_only_head_or_secretary_revokes_with_a_reason(cast):
    letter = signed_letter(cast)
    url = f"{LETTERS}{letter['id']}/revoke/"
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))
    secretary = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.SEKRETARIS))

    assert post(operator, url, {"note": "Data salah"}).status_code == 403
    assert post(secretary, url).status_code == 400
    response = post(secretary, url, {"note": "Data salah"})

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_reason"] == "Data salah"


def test_staff_of_another_village_cannot_see_or_act(cast):
    letter = request_domisili(cast)
    bob_on_a = client_for(cast.village_a, user=cast.bob)

    assert bob_on_a.get(LETTERS).status_code == 403
    assert bob_on_a.get(f"{LETTERS}{letter['id']}/").status_code == 403
    assert post(bob_on_a, f"{LETTERS}{letter['id']}/verify/").status_code == 403
    assert bob_on_a.get(f"{LETTERS}types/").status_code == 403
    # On his own host the id means a letter of village B's schema, which has none of A's.
    bob_on_b = client_for(cast.village_b, user=cast.bob)
    assert bob_on_b.get(f"{LETTERS}{letter['id']}/").status_code == 404
    assert bob_on_b.get(LETTERS).json()["count"] == 0


def test_supervisors_do_not_read_letters_on_a_village_host(cast):
    carol = client_for(cast.village_a, user=cast.carol)

    assert carol.get(LETTERS).status_code == 403
    assert carol.get(MINE).status_code == 403


def test_residents_see_only_their_own_letters(cast):
    # given: Siti's letter, and a neighbour with an account
    letter = request_domisili(cast)
    with schema_context(cast.village_a.schema_name):
        neighbour = ResidentFactory(full_name="Tetangga Sebelah")
    neighbour_client = resident_client(cast.village_a, neighbour)

    # then
    assert neighbour_client.get(MINE).json()["count"] == 0
    assert neighbour_client.get(f"{MINE}{letter['id']}/").status_code == 404
    assert neighbour_client.get(f"{MINE}{letter['id']}/pdf/").status_code == 404
    assert post(neighbour_client, f"{MINE}{letter['id']}/cancel/").status_code == 404
    assert neighbour_client.get(LETTERS).status_code == 403
    assert post(neighbour_client, f"{LETTERS}{letter['id']}/verify/").status_code == 403
    siti = resident_client(cast.village_a, cast.resident_a)
    assert [row["id"] for row in siti.get(MINE).json()["results"]] == [letter["id"]]


def test_resident_of_another_village_is_refused(cast):
    with schema_context(cast.village_b.schema_name):
        budi = ResidentFactory(full_name="Warga Purwa Agung")
    budi_client = resident_client(cast.village_b, budi)
    # The same token sent to village A's host: tokens live in their village's schema.
    on_a = Client(
        HTTP_HOST=host_of(cast.village_a),
        HTTP_AUTHORIZATION=budi_client.defaults["HTTP_AUTHORIZATION"],
    )

    assert on_a.get(MINE).status_code in (401, 403)
    assert post(on_a, MINE, {"letter_type": "domisili"}).status_code in (401, 403)


def test_anonymous_is_refused_everywhere_but_verification(cast):
    anonymous = Client(HTTP_HOST=host_of(cast.village_a))

    for url in (LETTERS, MINE, f"{LETTERS}types/", f"{LETTERS}settings/", f"{LETTERS}1/"):
        assert anonymous.get(url).status_code in (401, 403), url
    assert post(anonymous, MINE, {"letter_type": "domisili"}).status_code in (401, 403)


def test_template_with_unknown_placeholder_is_refused_naming_it(cast):
    alice = client_for(cast.village_a, user=cast.alice)

    response = alice.patch(
        f"{LETTERS}types/domisili/",
        {"template": "Nama {{ nama }}, gaji {{ gaji_pokok }}"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == "template"
    assert "gaji_pokok" in error_of(response)["message"]
    with schema_context(cast.village_a.schema_name):
        assert "gaji_pokok" not in LetterType.objects.get(code="domisili").template


def test_village_edits_a_template_and_adds_a_field_together(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    fields = [
        {"name": "keperluan", "label": "Keperluan", "type": "text", "required": True},
        {"name": "lama_tinggal", "label": "Lama tinggal (tahun)", "type": "number"},
    ]

    response = alice.patch(
        f"{LETTERS}types/domisili/",
        {"fields": fields, "template": "{{ nama }} tinggal {{ field.lama_tinggal }} tahun."},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    preview = post(
        alice,
        f"{LETTERS}types/domisili/preview/",
        {"fields": {"keperluan": "x", "lama_tinggal": 12000}},
    )
    assert preview.json()["html"] == "<p>NAMA WARGA tinggal 12.000 tahun.</p>"


def test_operator_cannot_edit_templates(cast):
    operator = client_for(cast.village_a, user=staff_of(cast.village_a, StaffRole.OPERATOR))

    response = operator.patch(
        f"{LETTERS}types/domisili/", {"template": "{{ nama }}"}, content_type="application/json"
    )

    assert response.status_code == 403


def test_preview_of_a_draft_renders_escaped_html(cast):
    alice = client_for(cast.village_a, user=cast.alice)

    response = post(
        alice,
        f"{LETTERS}types/usaha/preview/",
        {
            "template": "<i>{{ nama }}</i> {{ field.nama_usaha }}",
            "resident_id": cast.resident_a.pk,
            "fields": {
                "nama_usaha": "<script>x</script>",
                "jenis_usaha": "Kopi",
                "alamat_usaha": "Pasar",
                "keperluan": "KUR",
            },
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["html"] == (
        "<p>&lt;i&gt;Siti Aminah&lt;/i&gt; &lt;script&gt;x&lt;/script&gt;</p>"
    )
    bad = post(alice, f"{LETTERS}types/usaha/preview/", {"template": "{{ nik_ibu }}"})
    assert bad.status_code == 400 and "nik_ibu" in error_of(bad)["message"]


def test_letter_type_that_does_not_exist_is_a_404(cast):
    alice = client_for(cast.village_a, user=cast.alice)

    assert alice.get(f"{LETTERS}types/surat-sakti/").status_code == 404
    assert post(alice, f"{LETTERS}types/surat-sakti/preview/").status_code == 404


def test_number_format_with_code_in_it_is_refused(cast):
    alice = client_for(cast.village_a, user=cast.alice)

    response = alice.patch(
        f"{LETTERS}settings/",
        {"number_format": "{seq.__class__.__mro__}"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == "number_format"


def test_signed_letter_pdf_is_the_same_on_every_print(cast):
    # given: a signed letter
    letter = signed_letter(cast)
    alice = client_for(cast.village_a, user=cast.alice)
    url = f"{LETTERS}{letter['id']}/pdf/"

    # when: printed, then the template and the village name change, then printed again
    first = alice.get(url)
    alice.patch(
        f"{LETTERS}types/domisili/",
        {"template": "Diubah {{ nama }}"},
        content_type="application/json",
    )
    with schema_context(cast.village_a.schema_name):
        from services.village.models import VillageProfile

        VillageProfile.objects.filter(id=1).update(name="Nama Baru")
    second = alice.get(url)

    # then: the same letter, byte for byte; and both prints are in the audit log
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert first.content == second.content
    with schema_context(cast.village_a.schema_name):
        prints = AuditEntry.objects.filter(
            action="print", object_type="letter", object_id=str(letter["id"])
        )
        assert prints.count() == 2


def test_resident_downloads_own_signed_letter_but_not_before_signing(cast):
    siti = resident_client(cast.village_a, cast.resident_a)
    pending = request_domisili(cast)
    assert siti.get(f"{MINE}{pending['id']}/pdf/").status_code == 409

    letter = signed_letter(cast)
    response = siti.get(f"{MINE}{letter['id']}/pdf/")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_pdf_html_carries_letterhead_body_signature_and_qr(cast):
    from services.letters.pdf import letter_html

    letter = signed_letter(cast)
    with schema_context(cast.village_a.schema_name):
        html = letter_html(Letter.objects.get(pk=letter["id"]))

    assert "PEMERINTAH KABUPATEN WAY KANAN" in html
    assert "KECAMATAN NEGARA BATIN" in html
    assert "KAMPUNG NEGARA BATIN" in html
    assert "SURAT KETERANGAN DOMISILI" in html
    assert letter["number"] in html
    assert "Siti Aminah" in html and "Melamar pekerjaan" in html
    assert "Kepala Kampung Negara Batin" in html
    assert 'src="data:image/svg+xml' in html


def test_verification_page_confirms_a_letter_with_a_masked_name(cast):
    # given: a signed letter and the URL in its QR code
    letter = signed_letter(cast)
    verification_url = letter["issued"]["verification_url"]
    path = "/" + verification_url.split("/", 3)[3]
    assert verification_url.startswith(f"http://{host_of(cast.village_a)}/surat/verifikasi/")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert str(letter["id"]) != token and len(token) >= 32
    anonymous = Client(HTTP_HOST=host_of(cast.village_a))

    # when
    data = anonymous.get(path, {"format": "json"}).json()
    page = anonymous.get(path)

    # then
    assert data["status"] == "valid"
    assert data["number"] == letter["number"]
    assert data["letter_type"] == "Surat Keterangan Domisili"
    assert data["name"] == "S*** A*****"
    assert data["signer"] == (cast.alice.get_full_name() or cast.alice.username)
    assert "Siti" not in str(data) and cast.resident_a_nik not in str(data)
    assert page.status_code == 200
    assert "Surat ini asli" in page.content.decode()
    assert "Siti" not in page.content.decode()
    assert anonymous.get(f"{path}json/").json() == data


def test_verification_says_so_when_a_letter_is_revoked_or_unknown(cast):
    letter = signed_letter(cast)
    path = "/" + letter["issued"]["verification_url"].split("/", 3)[3]
    alice = client_for(cast.village_a, user=cast.alice)
    post(alice, f"{LETTERS}{letter['id']}/revoke/", {"note": "Diterbitkan keliru"})
    anonymous = Client(HTTP_HOST=host_of(cast.village_a))

    revoked = anonymous.get(path, {"format": "json"})
    unknown = anonymous.get("/surat/verifikasi/tidak-ada-surat-ini/", {"format": "json"})
    unknown_page = anonymous.get("/surat/verifikasi/tidak-ada-surat-ini/")

    assert revoked.json()["status"] == "revoked"
    assert "DICABUT" in anonymous.get(path).content.decode()
    assert "Diterbitkan keliru" not in anonymous.get(path).content.decode()
    assert unknown.status_code == 404 and unknown.json() == {"status": "unknown"}
    assert unknown_page.status_code == 404
    assert "Surat tidak dikenal" in unknown_page.content.decode()
    # Printing a revoked letter is refused: only its verification remains.
    assert alice.get(f"{LETTERS}{letter['id']}/pdf/").status_code == 409


def test_a_letter_of_village_a_is_unknown_on_village_b(cast):
    letter = signed_letter(cast)
    path = "/" + letter["issued"]["verification_url"].split("/", 3)[3]

    response = Client(HTTP_HOST=host_of(cast.village_b)).get(path, {"format": "json"})

    assert response.status_code == 404


def test_staff_list_filters_and_stays_within_a_few_statements(cast, django_assert_max_num_queries):
    # given: letters of several residents
    with schema_context(cast.village_a.schema_name):
        residents = [ResidentFactory(full_name=f"Pemohon {i}") for i in range(6)]
    alice = client_for(cast.village_a, user=cast.alice)
    for resident in residents:
        post(
            alice,
            LETTERS,
            {
                "letter_type": "pengantar-skck",
                "resident_id": resident.pk,
                "fields": {"keperluan": "Kerja"},
            },
        )
    alice.get(LETTERS)  # warm the routing cache and the session

    # when / then: the statement count does not grow with the number of rows (7: schema,
    # session, user, role, count, page, audit entry)
    with django_assert_max_num_queries(7):
        response = alice.get(LETTERS, {"status": "requested", "letter_type": "pengantar-skck"})
    assert response.json()["count"] == 6
    assert {row["resident"]["full_name"] for row in response.json()["results"]} == {
        r.full_name for r in residents
    }
    assert alice.get(LETTERS, {"q": "Pemohon 3"}).json()["count"] == 1


def test_viewing_and_listing_letters_is_audited(cast):
    letter = request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)

    alice.get(LETTERS)
    alice.get(f"{LETTERS}{letter['id']}/")

    with schema_context(cast.village_a.schema_name):
        actions = set(
            AuditEntry.objects.filter(object_type="letter", actor_id=cast.alice.pk).values_list(
                "action", flat=True
            )
        )
        created = AuditEntry.objects.get(
            object_type="letter", object_id=str(letter["id"]), action="create"
        )
    assert {"list", "view"} <= actions
    assert created.actor_kind == "resident"
    assert created.fields == ["keperluan"]


def test_seeding_again_restores_missing_types_and_keeps_edited_ones(cast):
    with schema_context(cast.village_a.schema_name):
        LetterType.objects.filter(code="penghasilan").delete()
        LetterType.objects.filter(code="domisili").update(template="Diubah {{ nama }}")

    call_command("seed_letter_types", village=cast.village_a.slug, stdout=io.StringIO())

    with schema_context(cast.village_a.schema_name):
        assert LetterType.objects.filter(code="penghasilan").exists()
        assert LetterType.objects.get(code="domisili").template == "Diubah {{ nama }}"


def test_openapi_schema_documents_the_letter_endpoints(cast):
    alice = client_for(cast.village_a, user=cast.alice)

    schema = alice.get("/api/schema/", {"format": "json"}).json()

    for path in (
        "/api/village/letters/",
        "/api/village/letters/mine/",
        "/api/village/letters/{letter_id}/{action}/",
        "/api/village/letters/types/{code}/preview/",
    ):
        assert path in schema["paths"], path


def test_stats_give_counts_and_durations_without_personal_data(cast):
    # given: one signed letter and one still requested
    signed_letter(cast)
    request_domisili(cast)
    alice = client_for(cast.village_a, user=cast.alice)

    # when
    stats = alice.get(f"{LETTERS}stats/").json()

    # then
    assert stats["by_status"] == {"signed": 1, "requested": 1}
    assert stats["by_type"] == {"domisili": 2}
    assert stats["signed"] == 1
    assert stats["hours_to_sign"]["median"] >= 0
    assert "Siti" not in str(stats)
    assert client_for(cast.village_a, user=cast.bob).get(f"{LETTERS}stats/").status_code == 403
