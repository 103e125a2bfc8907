"""Village statistics: counts of the living, by sex and age group and the rest, in SQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from services.residents.models import Resident
from services.residents.statistics import village_statistics
from services.village.models import Area, AreaLevel
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def village_of_six(cast):
    """Village B's register, plus six people: five alive, one dead (not counted)."""
    with schema_context(cast.village_b.schema_name):
        Resident.objects.all().delete()  # Budi of the cast: start from a known register
        dusun = Area.objects.create(level=AreaLevel.DUSUN, name="Sukamaju")
        rw = Area.objects.create(level=AreaLevel.RW, name="001", parent=dusun)
        rt = Area.objects.create(level=AreaLevel.RT, name="001", parent=rw)
        rows = [
            # (birth date, sex, religion, education, status, rt)
            (datetime.date(2026, 6, 15), "L", "islam", "", "hidup", rt),  # 0, born today
            (datetime.date(2021, 6, 16), "P", "islam", "", "hidup", rt),  # 4 (5 tomorrow)
            (datetime.date(2021, 6, 15), "P", "kristen", "sd", "hidup", None),  # 5 today
            (datetime.date(1950, 1, 1), "L", "islam", "slta", "hidup", None),  # 76: 75+
            (None, "L", "", "", "hidup", None),  # age unknown
            (datetime.date(1980, 1, 1), "P", "islam", "sd", "mati", rt),  # dead: not counted
        ]
        Resident.objects.bulk_create(
            Resident(
                nik=f"18081101019{i:05d}",
                full_name=f"Orang {i}",
                birth_date=birth,
                sex=sex,
                religion=religion,
                education=education,
                status=status,
                rt=area,
            )
            for i, (birth, sex, religion, education, status, area) in enumerate(rows)
        )
        yield dusun
    connection.set_schema_to_public()


def test_counts_by_age_group_and_sex_count_the_living_only(village_of_six):
    stats = village_statistics(today=TODAY)
    assert stats["total"] == 5
    assert stats["by_sex"] == {"L": 3, "P": 2}
    rows = {row["age_group"]: row for row in stats["by_age_group_and_sex"]}
    assert rows["0-4"] == {"age_group": "0-4", "L": 1, "P": 1, "total": 2}
    assert rows["5-9"] == {"age_group": "5-9", "L": 0, "P": 1, "total": 1}
    assert rows["75+"]["L"] == 1
    assert rows["unknown"]["total"] == 1
    assert list(rows)[:3] == ["0-4", "5-9", "10-14"] and len(rows) == 17


def test_counts_by_dusun_religion_and_education(village_of_six):
    stats = village_statistics(today=TODAY)
    assert stats["by_dusun"] == [
        {"dusun_id": village_of_six.pk, "dusun": "Sukamaju", "count": 2},
        {"dusun_id": None, "dusun": None, "count": 3},
    ]
    religion = {row["code"]: row["count"] for row in stats["by_religion"]}
    assert (religion["islam"], religion["kristen"], religion[""]) == (3, 1, 1)
    education = {row["code"]: row["count"] for row in stats["by_education"]}
    assert (education["sd"], education["slta"], education["s3"]) == (1, 1, 0)
    assert sum(row["count"] for row in stats["by_occupation"]) == 5
    assert sum(row["count"] for row in stats["by_marital_status"]) == 5


def test_statistics_are_one_query(village_of_six):
    with CaptureQueriesContext(connection) as queries:
        village_statistics(today=TODAY)
    assert len(queries) == 1


def test_the_statistics_endpoint_is_for_this_villages_staff(cast, village_of_six):
    connection.set_schema_to_public()
    response = client_for(cast.village_b, user=cast.bob).get("/api/village/residents/statistics/")
    assert response.status_code == 200
    assert response.json()["total"] == 5
    for user in (cast.alice, cast.carol, None):
        refused = client_for(cast.village_b, user=user).get("/api/village/residents/statistics/")
        assert refused.status_code in (401, 403)


def test_age_groups_turn_on_the_birthday_even_for_29_february():
    from services.residents.statistics import age_band_thresholds, years_before

    assert years_before(datetime.date(2028, 2, 29), 5) == datetime.date(2023, 2, 28)
    thresholds = age_band_thresholds(datetime.date(2026, 6, 15))
    # born on 16 June 2021 or later: under 5; the list ascends from the 75+ boundary
    assert thresholds[-1] == datetime.date(2021, 6, 16)
    assert thresholds[0] == datetime.date(1951, 6, 16)
    assert thresholds == sorted(thresholds) and len(thresholds) == 15


def test_one_breakdown_can_be_asked_for_alone(village_of_six):
    stats = village_statistics(today=TODAY, breakdowns=["age_sex"])
    assert set(stats) == {"as_of", "total", "by_sex", "by_age_group_and_sex"}
    assert stats["total"] == 5 and stats["by_sex"] == {"L": 3, "P": 2}
    dusun_only = village_statistics(today=TODAY, breakdowns=["dusun"])
    assert [row["count"] for row in dusun_only["by_dusun"]] == [2, 3]


def test_an_unknown_breakdown_is_a_400_naming_the_parameter(cast):
    client = client_for(cast.village_b, user=cast.bob)
    url = "/api/village/residents/statistics/"
    assert client.get(url + "?breakdown=age_sex,religion").status_code == 200
    response = client.get(url + "?breakdown=age_sex,zodiac")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "breakdown"
