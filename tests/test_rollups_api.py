"""Supervisors' roll-up endpoints: their own region only, sorting, trends, the export."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from balai.rollups.models import VillageDailyIndicators
from balai.supervision.models import ComplaintVillageCounts

pytestmark = pytest.mark.django_db

BASE = "/api/supervisor/rollups"
DAY = datetime.date(2026, 3, 10)


def _rows(village, *, days: int, births: int, population: int, overdue: int = 0) -> None:
    for n in range(days):
        VillageDailyIndicators.objects.create(
            village=village,
            region_code=village.region_id,
            kecamatan_code=village.kecamatan_code,
            kabupaten_code=village.kabupaten_code,
            date=DAY - datetime.timedelta(days=days - 1 - n),
            population_total=population + n,
            families_total=10,
            families_with_account=4,
            births=births,
            letters_requested=4,
            letters_requested_online=1,
            complaints_overdue=overdue,
            letter_issue_median_hours=float(births),
            computed_at=timezone.now(),
        )


@pytest.fixture
def figures(cast):
    # A: 3 births a day, B: 1, C (another kecamatan): 5; three days each.
    _rows(cast.village_a, days=3, births=3, population=100, overdue=2)
    _rows(cast.village_b, days=3, births=1, population=50)
    _rows(cast.village_c, days=3, births=5, population=70, overdue=1)
    return cast


def _get(client, user, path, **params):
    client.force_login(user)
    return client.get(f"{BASE}/{path}", params)


PERIOD = {"from": (DAY - datetime.timedelta(days=2)).isoformat(), "to": DAY.isoformat()}


def test_kecamatan_supervisor_sees_the_totals_of_her_kecamatan_only(figures, public_client):
    body = _get(public_client, figures.carol, "totals/", **PERIOD).json()
    totals = body["totals"]
    assert totals["births"] == 3 * 3 + 1 * 3  # flows: summed over the three days
    assert totals["population_total"] == 102 + 52  # stocks: on the last day
    assert totals["villages_reporting"] == 2
    assert totals["families_with_account_share"] == 0.4
    assert totals["letters_online_share"] == 0.25


def test_kabupaten_supervisor_sees_every_kecamatan_and_can_narrow(figures, public_client):
    everything = _get(public_client, figures.erin, "totals/", **PERIOD).json()["totals"]
    assert everything["births"] == (3 + 1 + 5) * 3
    narrowed = _get(public_client, figures.erin, "totals/", region="18.08.01", **PERIOD).json()
    assert narrowed["totals"]["births"] == 15


@pytest.mark.parametrize(
    ("user", "region"),
    [("carol", "18.08.01"), ("carol", "18.08"), ("dave", "18.08.11"), ("dave", "18.08.11.2001")],
)
def test_a_region_outside_the_scope_is_not_found(figures, public_client, user, region):
    for path in ("totals/", "villages/", "trend/", "villages.xlsx", "overdue-complaints/"):
        response = _get(public_client, getattr(figures, user), path, region=region, **PERIOD)
        assert response.status_code == 404, path


def test_dave_does_not_see_carols_villages(figures, public_client):
    rows = _get(public_client, figures.dave, "villages/", **PERIOD).json()["results"]
    assert [row["region_code"] for row in rows] == ["18.08.01.2006"]


@pytest.mark.parametrize("user", ["alice", "pat"])
def test_village_staff_and_platform_admins_are_not_supervisors(figures, public_client, user):
    assert _get(public_client, getattr(figures, user), "totals/").status_code == 403


def test_the_village_table_sorts_by_any_indicator_with_the_trend(
    figures, public_client, django_assert_max_num_queries
):
    public_client.force_login(figures.erin)
    with django_assert_max_num_queries(8):
        response = public_client.get(
            f"{BASE}/villages/", {"sort": "-births", "trend": "population_total", **PERIOD}
        )
    rows = response.json()["results"]
    assert [row["region_code"] for row in rows] == [
        "18.08.01.2006",
        "18.08.11.2001",
        "18.08.11.2002",
    ]
    assert [row["births"] for row in rows] == [15, 9, 3]
    assert rows[0]["village_name"] == "Desa C"
    assert rows[1]["trend"] == [100, 101, 102]
    ascending = _get(public_client, figures.erin, "villages/", sort="births", **PERIOD).json()
    assert [row["births"] for row in ascending["results"]] == [3, 9, 15]
    by_name = _get(public_client, figures.erin, "villages/", sort="-village_name", **PERIOD).json()
    assert [row["village_name"] for row in by_name["results"]] == [
        "Purwa Agung",
        "Negara Batin",
        "Desa C",
    ]


def test_an_unknown_sort_or_a_bad_period_is_a_400_naming_the_field(figures, public_client):
    bad_sort = _get(public_client, figures.carol, "villages/", sort="password", **PERIOD)
    assert bad_sort.status_code == 400
    assert bad_sort.json()["errors"][0]["field"] == "sort"
    backwards = _get(
        public_client, figures.carol, "totals/", **{"from": "2026-03-10", "to": "2026-03-01"}
    )
    assert backwards.status_code == 400


def test_the_region_trend_is_a_daily_series(figures, public_client):
    days = _get(public_client, figures.carol, "trend/", **PERIOD).json()["days"]
    assert [day["date"] for day in days] == ["2026-03-08", "2026-03-09", "2026-03-10"]
    assert [day["births"] for day in days] == [4, 4, 4]


def test_the_export_opens_with_openpyxl_and_has_the_rows(figures, public_client):
    response = _get(public_client, figures.carol, "villages.xlsx", **PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("region_code", "village_name")
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"18.08.11.2001", "18.08.11.2002"}
    assert by_code["18.08.11.2001"]["births"] == 9
    assert by_code["18.08.11.2002"]["population_total"] == 52


def test_overdue_complaints_across_the_villages_of_the_region(figures, public_client):
    for village, overdue in (
        (figures.village_a, 4),
        (figures.village_b, 0),
        (figures.village_c, 7),
    ):
        ComplaintVillageCounts.objects.create(
            village=village,
            kecamatan_code=village.kecamatan_code,
            kabupaten_code=village.kabupaten_code,
            open_count=overdue + 1,
            overdue_count=overdue,
            refreshed_at=timezone.now(),
        )
    body = _get(public_client, figures.carol, "overdue-complaints/").json()
    assert body["totals"]["overdue"] == 4
    assert [v["region_code"] for v in body["villages"]] == ["18.08.11.2001"]
    everything = _get(public_client, figures.erin, "overdue-complaints/").json()
    assert [v["overdue"] for v in everything["villages"]] == [7, 4]
