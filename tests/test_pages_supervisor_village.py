"""The supervisor's page of one village (its indicators over time, latest figures, economy
and programme attendance) and the kecamatan level of the comparison, both read from the
public roll-up tables only and bounded by the supervisor's region."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from balai.learning.models import VillageDigitalAdoption
from balai.rollups import selectors as rollups
from tests import test_pages_supervisor
from tests.test_pages_supervisor import TODAY, _as, _indicators, _more_villages, _statements

pytestmark = pytest.mark.django_db

# The comparison's seeded figures (A, B, C with roll-ups, economy, complaints, NIKs).
figures = test_pages_supervisor.figures

A, B, C = "18.08.11.2001", "18.08.11.2002", "18.08.01.2006"


def _village(client, code: str, **params):
    return client.get(f"/pengawas/desa/{code}/", params)


@pytest.fixture
def village_figures(figures):
    """``figures`` plus a row of A 60 days ago and A's programme attendance."""
    _indicators(
        figures.village_a,
        TODAY - datetime.timedelta(days=60),
        population_total=77,
        families_total=9,
    )
    VillageDigitalAdoption.objects.create(
        village_code=A,
        kecamatan_code="18.08.11",
        kabupaten_code="18.08",
        village_name=figures.village_a.name,
        programmes_held=4,
        village_attendances=31,
        kecamatan_attendances=12,
        refreshed_at=timezone.now(),
    )
    return figures


def test_the_village_page_shows_latest_figures_charts_economy_and_attendance(
    village_figures, public_client
):
    response = _village(_as(public_client, village_figures.carol), A)
    assert response.status_code == 200
    context = response.context
    assert context["village"] == village_figures.village_a
    assert context["latest"]["population_total"] == 120
    assert context["adoption_percent"] == 30  # 9 of 30 families
    assert context["flows"]["letters_requested"] == 5  # yesterday's 2 and today's 3
    assert context["complaints"].overdue_count == 2
    assert context["economy"].businesses_total == 7
    assert context["adoption"].village_attendances == 31
    assert len(context["charts"]) == 5
    body = response.content.decode()
    assert body.count('<svg class="chart"') == 5
    assert "<title>Penduduk</title>" in body
    assert f"//{village_figures.village_a.slug}." in body  # the public village home
    assert "Rp5.000.000" in body and "31" in body


def test_the_period_chooses_how_far_back_the_series_goes(village_figures, public_client):
    client = _as(public_client, village_figures.carol)
    month = _village(client, A).context["days"]
    quarter = _village(client, A, hari=90).context["days"]
    assert [day["population_total"] for day in month] == [120, 118]
    assert [day["population_total"] for day in quarter] == [120, 118, 77]


def test_an_unknown_period_is_a_400_naming_the_field(village_figures, public_client):
    response = _village(_as(public_client, village_figures.carol), A, hari=7)
    assert response.status_code == 400
    assert response.context["form"].errors["hari"]
    assert "Negara Batin" not in response.content.decode()


def test_a_village_without_roll_ups_says_so(cast, public_client):
    response = _village(_as(public_client, cast.carol), B)
    assert response.status_code == 200
    assert response.context["charts"] == []
    assert "Belum ada rekap harian" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("carol", A, 200),
        ("carol", C, 404),  # another kecamatan
        ("dave", A, 404),
        ("dave", C, 200),
        ("erin", A, 200),
        ("erin", C, 200),
        ("carol", "18.08.11.2099", 404),  # in the kecamatan but not on Balai
        ("carol", "18.08.11", 404),  # a kecamatan is not a village
    ],
)
def test_a_village_outside_the_scope_is_not_found(figures, public_client, who, code, status):
    response = _village(_as(public_client, getattr(figures, who)), code)
    assert response.status_code == status
    if status == 404:
        assert "999" not in response.content.decode()


def test_every_village_name_links_to_its_page(figures, public_client):
    client = _as(public_client, figures.carol)
    link = f'href="/pengawas/desa/{A}/"'
    for path in (
        "/pengawas/perbandingan/",
        "/pengawas/pengaduan-terlambat/",
        "/pengawas/nik-ganda/",
    ):
        assert link in client.get(path).content.decode(), path
    # A duplicate NIK's village outside the scope is named by code, not linked.
    assert f'href="/pengawas/desa/{C}/"' not in client.get("/pengawas/nik-ganda/").content.decode()


def test_the_village_page_runs_the_same_statements_for_more_villages(
    village_figures, public_client
):
    client = _as(public_client, village_figures.carol)
    path = f"/pengawas/desa/{A}/?hari=365"
    client.get(path)
    few = _statements(client, path)
    _more_villages(6)
    assert _statements(client, path) == few


def test_village_series_reads_one_village_oldest_first_with_its_share(figures):
    rows = rollups.village_series(
        village_id=figures.village_a.pk,
        start=TODAY - datetime.timedelta(days=1),
        end=TODAY,
        columns=("population_total", "families_total", "families_with_account"),
    )
    assert [(row["population_total"], row["families_with_account_share"]) for row in rows] == [
        (118, 0.2),
        (120, 0.3),
    ]


# --- the comparison one level up --------------------------------------------------------


def _kecamatan(client, **params):
    return client.get("/pengawas/perbandingan/", {"tingkat": "kecamatan", **params})


def test_a_kabupaten_supervisor_compares_kecamatan_with_summed_figures(figures, public_client):
    response = _kecamatan(_as(public_client, figures.erin))
    assert response.status_code == 200
    rows = {row["region_code"]: row for row in response.context["rows"]}
    assert set(rows) == {"18.08.11", "18.08.01"}
    negara_batin = rows["18.08.11"]
    assert negara_batin["villages"] == 2
    assert negara_batin["population_total"] == 200
    assert negara_batin["families_total"] == 50
    # Weighted: (9 + 1) families with an account of 50, not the mean of 30% and 5%.
    assert negara_batin["adoption_percent"] == 20
    assert negara_batin["businesses_total"] == 10
    assert negara_batin["products_listed"] == 52
    assert negara_batin["complaints_overdue"] == 2
    assert rows["18.08.01"]["population_total"] == 999
    body = response.content.decode()
    assert 'href="?region=18.08.11"' in body
    assert "2 kecamatan" in body


def test_the_kecamatan_level_sorts_by_any_column(figures, public_client):
    client = _as(public_client, figures.erin)
    largest = _kecamatan(client, sort="-population_total").context["rows"]
    assert [row["region_code"] for row in largest] == ["18.08.01", "18.08.11"]
    most_adopted = _kecamatan(client, sort="-adoption_share").context["rows"]
    assert [row["region_code"] for row in most_adopted] == ["18.08.11", "18.08.01"]
    by_name = _kecamatan(client, sort="village_name").context
    assert by_name["headings"][0]["label"] == "Kecamatan"
    assert "tingkat=kecamatan" in by_name["query"]


def test_the_kecamatan_level_exports_csv(figures, public_client):
    response = _as(public_client, figures.erin).get(
        "/pengawas/perbandingan.csv", {"tingkat": "kecamatan"}
    )
    assert response.status_code == 200
    assert "perbandingan-kecamatan-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_code = {row["region_code"]: row for row in rows}
    assert set(by_code) == {"18.08.11", "18.08.01"}
    assert by_code["18.08.11"]["population_total"] == "200"
    assert by_code["18.08.11"]["adoption_share"] == "0.2"
    assert by_code["18.08.11"]["villages"] == "2"


def test_a_kecamatan_supervisor_at_kecamatan_level_sees_only_their_own(figures, public_client):
    response = _kecamatan(_as(public_client, figures.carol))
    assert [row["region_code"] for row in response.context["rows"]] == ["18.08.11"]
    assert "999" not in response.content.decode()


def test_an_unknown_level_is_a_400_naming_the_field(figures, public_client):
    response = _as(public_client, figures.erin).get("/pengawas/perbandingan/", {"tingkat": "prov"})
    assert response.status_code == 400
    assert response.context["form"].errors["tingkat"]


def test_the_kecamatan_level_runs_the_same_statements_for_more_villages(figures, public_client):
    client = _as(public_client, figures.erin)
    path = "/pengawas/perbandingan/?tingkat=kecamatan&sort=-population_total"
    client.get(path)
    few = _statements(client, path)
    _more_villages(6)
    assert _statements(client, path) == few
