"""The selectors the supervisor pages added: each village's latest roll-up row (stocks) with
the period's flows, and the duplicate-NIK groups narrowed to a region of the scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from balai.errors import BalaiError
from balai.rollups import selectors
from balai.rollups.models import VillageDailyIndicators
from balai.supervision.duplicates import duplicate_nik_groups
from balai.supervision.models import NikFingerprint

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def _row(village, day, **figures):
    VillageDailyIndicators.objects.create(
        village=village,
        region_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        date=day,
        computed_at=timezone.now(),
        **figures,
    )


@pytest.fixture
def rows(cast):
    # A reports on DAY, B's latest row is the day before, C is in another kecamatan.
    _row(cast.village_a, DAY - datetime.timedelta(days=1), population_total=90, births=1)
    _row(cast.village_a, DAY, population_total=100, births=2, families_total=10)
    _row(cast.village_b, DAY - datetime.timedelta(days=1), population_total=50, births=4)
    _row(cast.village_c, DAY, population_total=7000, births=70)
    return cast


def test_latest_date_is_the_last_day_with_a_row_in_the_scope(rows):
    scope = selectors.rows_in(["18.08.11"])
    assert selectors.latest_date(scope=scope, today=DAY) == DAY
    assert selectors.latest_date(scope=scope, today=DAY - datetime.timedelta(days=1)) == (
        DAY - datetime.timedelta(days=1)
    )
    assert selectors.latest_date(scope=selectors.rows_in(["18.08.01.2001"]), today=DAY) is None


def test_region_latest_totals_take_each_villages_latest_row(rows):
    totals = selectors.region_latest_totals(
        codes=["18.08.11"], start=DAY - datetime.timedelta(days=5), end=DAY
    )
    assert totals["population_total"] == 150  # A on DAY, B the day before
    assert totals["births"] == 7  # every day's flows
    assert totals["villages_reporting"] == 2
    # Flows of one day only, stocks still from each village's latest row of the week.
    one_day = selectors.region_latest_totals(
        codes=["18.08.11"],
        start=DAY,
        end=DAY,
        stocks_from=DAY - datetime.timedelta(days=6),
    )
    assert (one_day["population_total"], one_day["births"]) == (150, 2)


def test_villages_latest_rows_per_village(rows):
    by_village = selectors.villages_latest_rows(
        codes=["18.08.11"], start=DAY - datetime.timedelta(days=5), end=DAY
    )
    assert set(by_village) == {rows.village_a.pk, rows.village_b.pk}
    a = by_village[rows.village_a.pk]
    assert (a["population_total"], a["births"], a["families_with_account_share"]) == (100, 3, 0.0)
    assert by_village[rows.village_b.pk]["families_with_account_share"] is None


def test_only_the_flows_asked_for_are_summed(rows):
    totals = selectors.region_latest_totals(
        codes=["18.08"], start=DAY - datetime.timedelta(days=5), end=DAY, flows=("births",)
    )
    assert (totals["births"], totals["deaths"], totals["population_total"]) == (77, 0, 7150)


def test_region_daily_columns_sum_a_few_columns_per_day(rows):
    days = selectors.region_daily_columns(
        codes=["18.08.11"],
        start=DAY - datetime.timedelta(days=1),
        end=DAY,
        columns=("population_total", "births"),
    )
    assert days == [
        {
            "date": DAY - datetime.timedelta(days=1),
            "villages_reporting": 2,
            "population_total": 140,
            "births": 5,
        },
        {"date": DAY, "villages_reporting": 1, "population_total": 100, "births": 2},
    ]
    with pytest.raises(BalaiError):
        selectors.region_daily_columns(codes=["18.08.11"], start=DAY, end=DAY, columns=("nik",))


def test_region_dashboard_sums_the_months_flows_from_its_daily_series(cast):
    # given: A reports every day from the 25th of the previous month to DAY (the 10th)
    first = DAY.replace(day=1) - datetime.timedelta(days=6)
    for n in range((DAY - first).days + 1):
        _row(cast.village_a, first + datetime.timedelta(days=n), population_total=10 + n, births=1)
    # when
    totals, days = selectors.region_dashboard(
        codes=["18.08.11"], as_of=DAY, days=3, stocks_days=7, columns=("population_total", "births")
    )
    # then: births since the 1st (10 days), stocks of the last day, a series of 3 days
    assert (totals["births"], totals["population_total"]) == (10, 10 + (DAY - first).days)
    assert [day["date"] for day in days] == [DAY - datetime.timedelta(days=n) for n in (2, 1, 0)]


def _fingerprint(village, nik_hash):
    NikFingerprint.objects.create(
        nik_hash=nik_hash,
        masked_nik="1808**********00",
        village_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
    )


def test_duplicate_nik_groups_narrow_to_a_region_of_the_scope(cast):
    _fingerprint(cast.village_a, "same-ab")
    _fingerprint(cast.village_b, "same-ab")
    _fingerprint(cast.village_a, "same-ac")
    _fingerprint(cast.village_c, "same-ac")
    assert {g["nik_hash"] for g in duplicate_nik_groups(user=cast.erin)} == {"same-ab", "same-ac"}
    narrowed = duplicate_nik_groups(user=cast.erin, region_code="18.08.11")
    assert [g["nik_hash"] for g in narrowed] == ["same-ab"]
    with pytest.raises(BalaiError):
        duplicate_nik_groups(user=cast.carol, region_code="18.08.01")
