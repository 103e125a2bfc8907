"""Supervisor pages: the region's dashboard, the per-village comparison and its CSV export,
overdue complaints and duplicate NIKs, each read from the public roll-up tables and bounded
by the supervisor's region; never another kecamatan's village, whatever the page."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balai.marketplace.models import VillageEconomySummary
from balai.regions.models import VILLAGE_LEVELS, Region
from balai.rollups.models import VillageDailyIndicators
from balai.supervision.models import ComplaintEscalation, ComplaintVillageCounts, NikFingerprint
from tenants.models import Village, VillageStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
# Every page and export of the area, for the scope checks.
PAGES = [
    "/pengawas/",
    "/pengawas/desa/",
    "/pengawas/perbandingan/",
    "/pengawas/perbandingan.csv",
    "/pengawas/perbandingan/?format=csv",
    "/pengawas/pengaduan-terlambat/",
    "/pengawas/nik-ganda/",
    "/pengawas/nik-ganda.csv",
]


def _as(public_client: Client, user) -> Client:
    public_client.force_login(user)
    return public_client


def _panel(response, template: str) -> dict:
    [panel] = [p for p in response.context["panels"] if p.template == template]
    return panel.context


def _indicators(village, day, **figures) -> VillageDailyIndicators:
    return VillageDailyIndicators.objects.create(
        village=village,
        region_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        date=day,
        computed_at=timezone.now(),
        **figures,
    )


def _economy(village, **figures) -> VillageEconomySummary:
    # A worker of an earlier test may have published this village's own summary already.
    VillageEconomySummary.objects.filter(village_code=village.region_id).delete()
    return VillageEconomySummary.objects.create(
        village_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        village_name=village.name,
        refreshed_at=timezone.now(),
        **figures,
    )


def _complaint_counts(village, *, open_count: int, overdue: int) -> None:
    ComplaintVillageCounts.objects.create(
        village=village,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        open_count=open_count,
        overdue_count=overdue,
        escalated_open_count=overdue,
        refreshed_at=timezone.now(),
    )


def _escalation(village, complaint_id: int, tracking: str, *, days_open: int, closed=False):
    now = timezone.now()
    return ComplaintEscalation.objects.create(
        village=village,
        region_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        complaint_id=complaint_id,
        tracking_code=tracking,
        category_code="jalan",
        category_name="Jalan rusak",
        opened_at=now - datetime.timedelta(days=days_open),
        target_at=now - datetime.timedelta(days=days_open - 5),
        escalated_at=now - datetime.timedelta(days=1),
        closed_at=now if closed else None,
    )


def _fingerprint(village, nik_hash: str, masked: str) -> None:
    NikFingerprint.objects.create(
        nik_hash=nik_hash,
        masked_nik=masked,
        village_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
    )


@pytest.fixture
def figures(cast):
    """A: 120 people, B: 80, C (another kecamatan): 999. B's latest row is yesterday's."""
    month_day = YESTERDAY.replace(day=1) if YESTERDAY.day > 1 else YESTERDAY
    _indicators(
        cast.village_a,
        YESTERDAY,
        population_total=118,
        families_total=30,
        families_with_account=6,
        letters_requested=2,
    )
    _indicators(
        cast.village_a,
        TODAY,
        population_total=120,
        population_male=60,
        population_female=60,
        pop_15_64_male=40,
        pop_15_64_female=45,
        pop_0_4_male=5,
        families_total=30,
        families_with_account=9,
        letters_requested=3,
        letters_issued=1,
    )
    _indicators(
        cast.village_b,
        YESTERDAY,
        population_total=80,
        families_total=20,
        families_with_account=1,
        letters_requested=5,
    )
    if month_day != YESTERDAY:
        _indicators(cast.village_b, month_day, population_total=70, letters_requested=4)
    _indicators(
        cast.village_c, TODAY, population_total=999, families_total=300, letters_requested=77
    )
    _complaint_counts(cast.village_a, open_count=4, overdue=2)
    _complaint_counts(cast.village_c, open_count=9, overdue=9)
    _economy(cast.village_a, businesses_total=7, products_listed=12, bumdes_revenue=Decimal("5e6"))
    _economy(cast.village_b, businesses_total=3, products_listed=40, bumdes_revenue=Decimal("1e6"))
    _economy(cast.village_c, businesses_total=99, products_listed=99, bumdes_revenue=Decimal(9))
    _escalation(cast.village_a, 1, "ADU-AAA1", days_open=12)
    _escalation(cast.village_a, 2, "ADU-AAA2", days_open=30, closed=True)
    _escalation(cast.village_c, 3, "ADU-CCC3", days_open=20)
    _fingerprint(cast.village_a, "h-ab", "1808**********11")
    _fingerprint(cast.village_b, "h-ab", "1808**********11")
    _fingerprint(cast.village_a, "h-ac", "1808**********22")
    _fingerprint(cast.village_c, "h-ac", "1808**********22")
    _fingerprint(cast.village_a, "h-a", "1808**********33")
    return cast


def _letters_this_month() -> int:
    """Letters of A and B since the first of the month of the latest roll-up (today)."""
    month_day = YESTERDAY.replace(day=1) if YESTERDAY.day > 1 else YESTERDAY
    rows = [(YESTERDAY, 2), (TODAY, 3), (YESTERDAY, 5)]
    if month_day != YESTERDAY:
        rows.append((month_day, 4))
    return sum(letters for day, letters in rows if day >= TODAY.replace(day=1))


# --- the villages and the per-kecamatan panel (issue 1) ---------------------------------


def test_a_kecamatan_supervisor_sees_the_villages_of_their_kecamatan_only(cast, public_client):
    page = _as(public_client, cast.carol).get("/pengawas/desa/").content.decode()
    assert "Negara Batin" in page and "Purwa Agung" in page
    assert "Desa C" not in page


def test_the_dashboard_counts_villages_per_kecamatan_by_status(cast, public_client):
    # given
    Village.objects.filter(pk=cast.village_b.pk).update(status=VillageStatus.SUSPENDED)
    # when
    response = _as(public_client, cast.carol).get("/pengawas/")
    # then
    panel = _panel(response, "supervisor/_panel_villages_by_kecamatan.html")
    assert panel["rows"] == [
        {
            "kecamatan_code": "18.08.11",
            "name": "Negara Batin",
            "total": 2,
            "active": 1,
            "suspended": 1,
        }
    ]
    assert "Desa per kecamatan" in response.content.decode()


def test_a_kabupaten_supervisor_sees_every_kecamatan_and_can_narrow_to_one(cast, public_client):
    client = _as(public_client, cast.erin)
    panel = _panel(client.get("/pengawas/"), "supervisor/_panel_villages_by_kecamatan.html")
    assert [row["kecamatan_code"] for row in panel["rows"]] == ["18.08.01", "18.08.11"]

    narrowed = client.get("/pengawas/desa/", {"region": "18.08.01"}).content.decode()
    assert "Desa C" in narrowed and "Purwa Agung" not in narrowed


@pytest.mark.parametrize("path", PAGES)
def test_a_region_outside_the_scope_is_not_found(figures, public_client, path):
    response = _as(public_client, figures.carol).get(path, {"region": "18.08.01"})
    assert response.status_code == 404
    assert "Desa C" not in response.content.decode()


def test_an_empty_region_shows_an_empty_state_not_an_empty_table(cast, public_client):
    response = _as(public_client, cast.dave).get("/pengawas/desa/", {"region": "18.08.01.2001"})
    assert response.status_code == 200
    assert "Belum ada desa di wilayah ini" in response.content.decode()


# --- scope: every page and export -------------------------------------------------------


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_a_kecamatan_supervisor_never_sees_another_kecamatans_village(figures, public_client, path):
    response = _as(public_client, figures.carol).get(path)
    body = _body(response)
    assert response.status_code == 200
    for trace in ("Desa C", "18.08.01.2006", "ADU-CCC3", "1808**********22", "999"):
        assert trace not in body


@pytest.mark.parametrize(
    ("path", "trace"),
    [
        ("/pengawas/perbandingan/", "Desa C"),
        ("/pengawas/perbandingan.csv", "Desa C"),
        ("/pengawas/pengaduan-terlambat/", "ADU-CCC3"),
        ("/pengawas/nik-ganda/", "1808**********22"),
        ("/pengawas/nik-ganda.csv", "1808**********22"),
    ],
)
def test_a_kabupaten_supervisor_sees_every_kecamatan(figures, public_client, path, trace):
    assert trace in _body(_as(public_client, figures.erin).get(path))


# --- the dashboard ----------------------------------------------------------------------


def test_the_dashboard_totals_the_latest_figures_of_each_village(figures, public_client):
    response = _as(public_client, figures.carol).get("/pengawas/")
    totals = _panel(response, "supervisor/_panel_totals.html")
    assert totals["as_of"] == TODAY
    # A's row of today and B's of yesterday (B had no change today), never C's.
    assert totals["totals"]["population_total"] == 200
    assert totals["totals"]["families_total"] == 50
    assert totals["totals"]["villages_reporting"] == 2
    assert totals["totals"]["letters_requested"] == _letters_this_month()
    assert totals["complaints"] == {"open": 4, "overdue": 2, "escalated_open": 2}
    assert totals["adoption_percent"] == 20  # (9 + 1) of 50 families
    assert "Ringkasan wilayah" in response.content.decode()


def test_the_dashboard_draws_the_population_pyramid_and_the_trend(figures, public_client):
    response = _as(public_client, figures.carol).get("/pengawas/")
    pyramid = _panel(response, "supervisor/_panel_population.html")
    working_age = next(row for row in pyramid["rows"] if row.label == "15–64")
    assert (working_age.male, working_age.female) == (40, 45)
    assert "<svg" in str(pyramid["chart"])
    trend = _panel(response, "supervisor/_panel_trend.html")
    assert [day["date"] for day in trend["days"]][:2] == [TODAY, YESTERDAY]
    assert trend["days"][0]["population_total"] == 120
    assert len(trend["charts"]) == 2


def test_the_dashboard_without_roll_ups_says_so(cast, public_client):
    response = _as(public_client, cast.carol).get("/pengawas/")
    assert response.status_code == 200
    assert "Belum ada rekap harian" in response.content.decode()
    assert _panel(response, "supervisor/_panel_population.html")["chart"] is None


# --- the comparison table and its export ------------------------------------------------


def _compare(client, **params):
    response = client.get("/pengawas/perbandingan/", params)
    assert response.status_code == 200
    return response


def test_the_comparison_has_one_row_per_village_with_every_figure(figures, public_client):
    response = _compare(_as(public_client, figures.carol))
    rows = {row["region_code"]: row for row in response.context["rows"]}
    assert set(rows) == {"18.08.11.2001", "18.08.11.2002"}
    a = rows["18.08.11.2001"]
    assert (a["population_total"], a["families_total"], a["complaints_overdue"]) == (120, 30, 2)
    assert (a["adoption_percent"], a["businesses_total"], a["products_listed"]) == (30, 7, 12)
    assert a["bumdes_revenue"] == Decimal("5000000")
    assert rows["18.08.11.2002"]["complaints_overdue"] is None  # no sweep yet: unknown, not 0


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("-population_total", ["Negara Batin", "Purwa Agung"]),
        ("population_total", ["Purwa Agung", "Negara Batin"]),
        ("-products_listed", ["Purwa Agung", "Negara Batin"]),
        ("-bumdes_revenue", ["Negara Batin", "Purwa Agung"]),
        ("-village_name", ["Purwa Agung", "Negara Batin"]),
        # B has no overdue count: it goes last whichever way.
        ("complaints_overdue", ["Negara Batin", "Purwa Agung"]),
    ],
)
def test_the_comparison_sorts_by_any_column(figures, public_client, sort, order):
    response = _compare(_as(public_client, figures.carol), sort=sort)
    assert [row["village_name"] for row in response.context["rows"]] == order


def test_the_column_heading_flips_the_sort_and_says_which_way(figures, public_client):
    body = _compare(_as(public_client, figures.carol), sort="-population_total").content.decode()
    assert 'aria-sort="descending"><a href="?sort=population_total">' in body


def test_an_unknown_sort_is_a_400_with_the_fields_error(figures, public_client):
    response = _as(public_client, figures.carol).get("/pengawas/perbandingan/", {"sort": "nik"})
    assert response.status_code == 400
    assert response.context["form"].errors["sort"]
    assert "Negara Batin" not in response.content.decode()


def test_the_csv_export_holds_every_village_of_the_region(figures, public_client):
    response = _as(public_client, figures.erin).get(
        "/pengawas/perbandingan.csv", {"sort": "-population_total"}
    )
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert [row["village_name"] for row in rows] == ["Desa C", "Negara Batin", "Purwa Agung"]
    a = rows[1]
    assert (a["region_code"], a["population_total"], a["families_total"]) == (
        "18.08.11.2001",
        "120",
        "30",
    )
    assert (a["adoption_share"], a["bumdes_revenue"], a["complaints_overdue"]) == (
        "0.3",
        "5000000.00",
        "2",
    )
    # The same rows by ?format=csv, narrowed to one kecamatan.
    narrowed = _as(public_client, figures.erin).get(
        "/pengawas/perbandingan/", {"format": "csv", "region": "18.08.01"}
    )
    assert [row["village_name"] for row in csv.DictReader(io.StringIO(_body(narrowed)))] == [
        "Desa C"
    ]


def test_the_csv_never_starts_a_cell_with_a_formula(figures, public_client):
    Village.objects.filter(pk=figures.village_b.pk).update(name="=HYPERLINK(1)")
    body = _body(_as(public_client, figures.carol).get("/pengawas/perbandingan.csv"))
    assert "'=HYPERLINK(1)" in body


# --- overdue complaints -----------------------------------------------------------------


def test_overdue_complaints_show_age_and_village_and_no_closed_ones(figures, public_client):
    response = _as(public_client, figures.carol).get("/pengawas/pengaduan-terlambat/")
    body = response.content.decode()
    [row] = response.context["rows"]
    assert row["escalation"].tracking_code == "ADU-AAA1"
    assert (row["age_days"], row["overdue_days"]) in ((12, 7), (11, 6))
    assert "Negara Batin" in body and "ADU-AAA2" not in body
    assert response.context["totals"]["overdue"] == 2
    assert "/kantor/" not in body and "negarabatin." not in body  # no link into the village


def test_no_overdue_complaint_shows_the_empty_state(cast, public_client):
    body = _as(public_client, cast.carol).get("/pengawas/pengaduan-terlambat/").content.decode()
    assert "Tidak ada pengaduan terlambat" in body


# --- duplicate NIKs ---------------------------------------------------------------------


def test_duplicate_niks_list_the_villages_sharing_one_masked(figures, public_client):
    response = _as(public_client, figures.carol).get("/pengawas/nik-ganda/")
    body = response.content.decode()
    assert response.context["rows"] == [
        {
            "masked_nik": "1808**********11",
            "village_count": 2,
            "villages": [("18.08.11.2001", "Negara Batin"), ("18.08.11.2002", "Purwa Agung")],
        }
    ]
    assert "h-ab" not in body and "1808**********33" not in body


def test_a_kabupaten_supervisor_narrows_duplicates_to_one_kecamatan(figures, public_client):
    client = _as(public_client, figures.erin)
    everything = client.get("/pengawas/nik-ganda/").context["rows"]
    assert {row["masked_nik"] for row in everything} == {"1808**********11", "1808**********22"}
    narrowed = client.get("/pengawas/nik-ganda/", {"region": "18.08.11"}).context["rows"]
    assert [row["masked_nik"] for row in narrowed] == ["1808**********11"]


def test_the_duplicate_nik_csv(figures, public_client):
    response = _as(public_client, figures.erin).get("/pengawas/nik-ganda.csv")
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert rows == [
        {
            "masked_nik": "1808**********11",
            "village_count": "2",
            "village_codes": "18.08.11.2001 18.08.11.2002",
            "village_names": "Negara Batin; Purwa Agung",
        },
        {
            "masked_nik": "1808**********22",
            "village_count": "2",
            "village_codes": "18.08.01.2006 18.08.11.2001",
            "village_names": "Desa C; Negara Batin",
        },
    ]


# --- a fixed number of statements, whatever the number of villages ----------------------


def _more_villages(count: int) -> None:
    """Villages of kecamatan 18.08.11 with a day of figures and every public row; no schema
    (auto_create_schema is off): the supervisor pages read public tables only."""
    taken = set(Village.objects.values_list("region_id", flat=True))
    regions = [
        region
        for region in Region.objects.filter(
            code__startswith="18.08.11.", level__in=VILLAGE_LEVELS
        ).order_by("code")
        if region.code not in taken
    ][:count]
    assert len(regions) == count
    for n, region in enumerate(regions):
        village = Village.objects.create(
            schema_name=f"desa_extra_{n}",
            region=region,
            slug=f"extra-{n}",
            name=region.name,
            kecamatan_code=region.kecamatan_code,
            kabupaten_code=region.kabupaten_code,
        )
        _indicators(village, TODAY, population_total=10 + n, families_total=3)
        _economy(village, businesses_total=n)
        _complaint_counts(village, open_count=1, overdue=1)
        _escalation(village, 100 + n, f"ADU-X{n:03d}", days_open=15)
        _fingerprint(village, "h-ab", "1808**********11")


def _statements(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_runs_the_same_statements_for_more_villages(figures, public_client, path):
    client = _as(public_client, figures.carol)
    client.get(path)  # warm: the session and the routing cache
    few = _statements(client, path)
    _more_villages(6)
    assert _statements(client, path) == few


@pytest.mark.parametrize(
    "path", ["/pengawas/pengaduan-terlambat/", "/pengawas/nik-ganda/", "/pengawas/perbandingan/"]
)
def test_a_bad_page_number_is_a_400_naming_the_field(figures, public_client, path):
    response = _as(public_client, figures.carol).get(path, {"page": "dua"})
    assert response.status_code == 400
    assert response.context["form"].errors["page"]
    body = response.content.decode()
    assert "Halaman:" in body and "Negara Batin" not in body
