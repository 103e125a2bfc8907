"""APBDes: lines entered or imported by staff, checked, and summed for everyone to read."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from services.village.home_cache import home_cache_key
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/village/budget/"
YEAR = 2026
LINES = f"{BASE}{YEAR}/lines/"
IMPORT = f"{BASE}{YEAR}/import/"
HEADER = ["Jenis", "Kode", "Uraian", "Anggaran", "Realisasi"]


@pytest.fixture(autouse=True)
def _fresh_cache(cast):
    keys = [home_cache_key(v.schema_name) for v in (cast.village_a, cast.village_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def resident_client(cast):
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    return client


def xlsx(rows, *, title_rows=()) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "APBDes"
    for row in title_rows:
        sheet.append(row)
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("apbdes.xlsx", out.getvalue())


def add_line(client, **data):
    data.setdefault("kind", "belanja")
    data.setdefault("sector", "pembangunan")
    data.setdefault("description", "Rabat beton jalan dusun")
    data.setdefault("budget", "100000000.00")
    data.setdefault("realised", "0")
    return client.post(LINES, data, content_type="application/json")


def errors_of(response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


VALID_ROWS = [
    ["pendapatan", "dana_desa", "Dana Desa", 1_000_000_000, 750_000_000],
    ["pendapatan", "Alokasi Dana Desa", "ADD", "400.000.000", "300.000.000,50"],
    ["pendapatan", "pendapatan_asli_desa", "Sewa tanah kas desa", 10_000_000, 12_500_000],
    ["belanja", "1", "Siltap kepala desa", 300_000_000, 225_000_000],
    ["belanja", "pembangunan", "Jalan usaha tani", 900_000_000, 600_000_000.25],
    ["belanja", "bencana_darurat_mendesak", "BLT Dana Desa", 200_000_000, 150_000_000],
    ["total", "pendapatan", "Jumlah pendapatan", 1_410_000_000, "1.062.500.000,50"],
    ["total", "belanja", "Jumlah belanja", 1_400_000_000, 975_000_000.25],
]


# -- the summary ----------------------------------------------------------------------------


def test_an_import_gives_the_public_summary_per_source_and_bidang(cast):
    # given
    alice = client_for(cast.village_a, user=cast.alice)
    # when
    response = alice.post(IMPORT, {"file": xlsx(VALID_ROWS, title_rows=[["APBDes 2026"]])})
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {"year": YEAR, "lines": 6}
    summary = client_for(cast.village_a).get(f"{BASE}{YEAR}/").json()
    assert summary["income"]["budget"] == "1410000000.00"
    assert summary["income"]["realised"] == "1062500000.50"
    assert summary["spending"]["budget"] == "1400000000.00"
    assert summary["spending"]["realised"] == "975000000.25"
    assert summary["surplus"] == {"budget": "10000000.00", "realised": "87500000.25"}
    bidang = {row["code"]: row for row in summary["spending"]["rows"]}
    assert len(bidang) == 5
    assert bidang["pembangunan"]["percent_realised"] == "66.67"
    assert bidang["pemberdayaan"] == {
        "code": "pemberdayaan",
        "label": "Pemberdayaan Masyarakat Desa",
        "label_en": "Community empowerment",
        "budget": "0.00",
        "realised": "0.00",
        "percent_realised": None,
    }
    sources = {row["code"]: row for row in summary["income"]["rows"]}
    assert sources["alokasi_dana_desa"]["realised"] == "300000000.50"
    assert sources["pendapatan_asli_desa"]["percent_realised"] == "125.00"


def test_a_year_without_lines_has_no_summary(cast):
    assert client_for(cast.village_a).get(f"{BASE}1999/").status_code == 404


def test_a_new_import_replaces_the_year(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    alice.post(IMPORT, {"file": xlsx(VALID_ROWS)})
    alice.post(IMPORT, {"file": xlsx([["belanja", "2", "Sumur bor", 50_000_000, 0]])})
    lines = client_for(cast.village_a).get(LINES).json()
    assert [(line["description"], line["budget"]) for line in lines] == [
        ("Sumur bor", "50000000.00")
    ]
    assert client_for(cast.village_a).get(BASE).json() == {"years": [YEAR]}


# -- import errors: named row and field, nothing written ------------------------------------


def _import_refused(cast, rows) -> list[tuple[str, str]]:
    alice = client_for(cast.village_a, user=cast.alice)
    alice.post(IMPORT, {"file": xlsx([["belanja", "2", "Sudah ada", 10, 5]])})
    response = alice.post(IMPORT, {"file": xlsx(rows)})
    assert response.status_code == 400, response.content
    # nothing of the refused file was written: the previous lines are still there
    assert [line["description"] for line in alice.get(LINES).json()] == ["Sudah ada"]
    return errors_of(response)


def test_a_realisation_above_its_budget_line_is_an_error_naming_row_and_field(cast):
    rows = [
        ["belanja", "pembangunan", "Jalan", 100, 50],
        ["belanja", "pembangunan", "Jembatan", 100, 150],
    ]
    assert _import_refused(cast, rows) == [("rows[3].realised", "exceeds_budget")]


def test_transfers_may_not_be_realised_above_budget_but_own_income_may(cast):
    rows = [
        ["pendapatan", "dana_desa", "Dana Desa", 100, 101],
        ["pendapatan", "pendapatan_asli_desa", "Pasar desa", 100, 130],
    ]
    assert _import_refused(cast, rows) == [("rows[2].realised", "exceeds_budget")]


def test_a_negative_amount_is_an_error(cast):
    rows = [["belanja", "3", "Karang taruna", -5_000_000, 0]]
    assert _import_refused(cast, rows) == [("rows[2].budget", "negative")]


def test_a_stated_total_that_is_not_the_sum_of_its_lines_is_an_error(cast):
    rows = [
        ["belanja", "1", "Siltap", 300, 200],
        ["belanja", "2", "Jalan", 700, 100],
        ["total", "belanja", "Jumlah", 1000, 400],
    ]
    errors = _import_refused(cast, rows)
    assert errors == [("rows[4].realised", "total_mismatch")]


def test_every_bad_row_of_a_file_is_reported_at_once(cast):
    rows = [
        ["belanja", "9", "Bidang tak dikenal", 10, 0],
        ["hibah", "x", "Jenis salah", 10, 0],
        ["belanja", "2", "", 10, 0],
        ["belanja", "2", "Rupiah pecahan", "10,555", 0],
        ["belanja", "2", "Bukan angka", "sepuluh juta", 0],
    ]
    assert _import_refused(cast, rows) == [
        ("rows[2].sector", "invalid_choice"),
        ("rows[3].kind", "invalid_choice"),
        ("rows[4].description", "required"),
        ("rows[5].budget", "too_many_decimals"),
        ("rows[6].budget", "invalid"),
    ]


def test_import_errors_say_the_row_in_both_languages(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    response = alice.post(IMPORT, {"file": xlsx([["belanja", "2", "Jalan", 10, 20]])})
    error = response.json()["errors"][0]
    assert error["message"].startswith("Baris 2, Realisasi")
    assert error["message_en"].startswith("Row 2, Realisation")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Jenis,Kode,Uraian\nbelanja,1,x\n", "invalid_file"),
        (b"PK\x03\x04 broken zip", "invalid_file"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(cast, content, code):
    alice = client_for(cast.village_a, user=cast.alice)
    response = alice.post(IMPORT, {"file": SimpleUploadedFile("apbdes.xlsx", content)})
    assert errors_of(response) == [("file", code)]


def test_a_sheet_without_the_header_row_is_refused(cast):
    book = Workbook()
    book.active.append(["belanja", "1", "Tanpa judul", 10, 0])
    out = io.BytesIO()
    book.save(out)
    response = client_for(cast.village_a, user=cast.alice).post(
        IMPORT, {"file": SimpleUploadedFile("a.xlsx", out.getvalue())}
    )
    assert errors_of(response) == [("file", "header_missing")]


def test_the_downloadable_template_imports_as_is(cast):
    # given the example anyone can download
    template = client_for(cast.village_a).get(f"{BASE}template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["APBDes", "Kode"]
    # when staff import it unchanged
    response = client_for(cast.village_a, user=cast.alice).post(
        IMPORT, {"file": SimpleUploadedFile("t.xlsx", template.content)}
    )
    # then its totals check out
    assert response.status_code == 201, response.content
    assert response.json()["lines"] == 9


# -- single lines ---------------------------------------------------------------------------


def test_staff_enter_and_correct_a_line(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    created = add_line(alice, budget="2500000.50", realised=1000000)
    assert created.status_code == 201, created.content
    assert created.json()["budget"] == "2500000.50"
    line_url = f"{LINES}{created.json()['id']}/"
    updated = alice.patch(line_url, {"realised": "2500000.50"}, content_type="application/json")
    assert updated.json()["realised"] == "2500000.50"
    assert alice.delete(line_url).status_code == 204
    assert alice.get(LINES).json() == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"budget": "-1"}, ("budget", "negative")),
        ({"budget": "10", "realised": "11"}, ("realised", "exceeds_budget")),
        ({"budget": "10.005"}, ("budget", "too_many_decimals")),
        ({"budget": None}, ("budget", "required")),
        ({"sector": "dana_desa"}, ("sector", "invalid_choice")),
        ({"kind": "utang"}, ("kind", "invalid_choice")),
    ],
)
def test_a_bad_line_is_refused_with_the_field(cast, data, error):
    alice = client_for(cast.village_a, user=cast.alice)
    response = add_line(alice, **data)
    assert response.status_code == 400
    assert errors_of(response) == [error]
    assert alice.get(LINES).json() == []


def test_a_correction_that_would_exceed_the_budget_is_refused_and_nothing_changes(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    line = add_line(alice, budget="100", realised="40").json()
    response = alice.patch(
        f"{LINES}{line['id']}/", {"realised": "100.01"}, content_type="application/json"
    )
    assert errors_of(response) == [("realised", "exceeds_budget")]
    assert alice.get(LINES).json()[0]["realised"] == "40.00"


def test_a_year_out_of_range_is_refused(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    response = alice.post(
        f"{BASE}1850/lines/",
        {"kind": "belanja", "sector": "pembangunan", "description": "x", "budget": "1"},
        content_type="application/json",
    )
    assert errors_of(response) == [("year", "out_of_range")]


# -- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [StaffRole.SEKRETARIS, StaffRole.OPERATOR])
def test_other_staff_roles_of_the_village_may_enter_lines(cast, role):
    user = UserFactory(username=f"{role}_budget_a")
    membership_grant(user=user, village=cast.village_a, role=role)
    assert add_line(client_for(cast.village_a, user=user)).status_code == 201


def test_outsiders_cannot_write_but_everyone_reads(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    line = add_line(alice).json()
    outsiders = [
        client_for(cast.village_a, user=cast.bob),
        client_for(cast.village_a, user=cast.carol),
        resident_client(cast),
        client_for(cast.village_a),
    ]
    for client in outsiders:
        assert add_line(client).status_code in (401, 403)
        assert client.delete(f"{LINES}{line['id']}/").status_code in (401, 403)
        assert client.post(IMPORT, {"file": xlsx(VALID_ROWS)}).status_code in (401, 403)
        assert client.get(f"{BASE}{YEAR}/").status_code == 200
    assert len(alice.get(LINES).json()) == 1


def test_a_line_of_village_a_is_not_reachable_from_village_b(cast):
    line = add_line(client_for(cast.village_a, user=cast.alice)).json()
    bob = client_for(cast.village_b, user=cast.bob)
    response = bob.patch(f"{LINES}{line['id']}/", {"budget": "1"}, "application/json")
    assert response.status_code == 404
    assert bob.get(LINES).json() == []
    assert client_for(cast.village_b).get(f"{BASE}{YEAR}/").status_code == 404
