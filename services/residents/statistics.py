"""Village population statistics, computed by PostgreSQL in one aggregate query.

One ``GROUP BY GROUPING SETS`` pass over the living residents gives the breakdowns asked
for at once (sex x age group, dusun, education, occupation, religion, marital status,
and the total); Python only reshapes the few dozen result rows. Run with the village
schema active.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from services.residents.models import Resident
from services.residents.reference import (
    Education,
    MaritalStatus,
    Occupation,
    Religion,
    ResidentStatus,
    Sex,
)
from services.village.models import Area

AGE_BAND_YEARS = 5
LAST_AGE_BAND = 15  # 75+


def age_group_label(band: int | None) -> str:
    if band is None:
        return "unknown"
    if band >= LAST_AGE_BAND:
        return f"{LAST_AGE_BAND * AGE_BAND_YEARS}+"
    return f"{band * AGE_BAND_YEARS}-{band * AGE_BAND_YEARS + AGE_BAND_YEARS - 1}"


AGE_GROUPS = [age_group_label(band) for band in range(LAST_AGE_BAND + 1)]
CODED = {
    "education": Education,
    "occupation": Occupation,
    "religion": Religion,
    "marital_status": MaritalStatus,
}


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_thresholds(today: datetime.date) -> list[datetime.date]:
    """Ascending birth dates where the age group changes: someone born on or after
    thresholds[i] is younger than (LAST_AGE_BAND - i) * 5 years on ``today``."""
    return [
        years_before(today, band * AGE_BAND_YEARS) + datetime.timedelta(days=1)
        for band in range(LAST_AGE_BAND, 0, -1)
    ]


# The age group is width_bucket() over the threshold dates: a binary search on a date,
# about 3x cheaper per row than age() and EXTRACT (measured: bench/results/registry.md).
# The area breakdown groups by rt_id and joins the few result rows to their dusun
# afterwards, instead of joining every resident to three area rows.
_SQL = """
WITH grouped AS (
    SELECT
        CASE {dimension_cases} ELSE 'total' END AS dimension,
        {columns}, count(*) AS n
    FROM (
        SELECT sex, rt_id, education, occupation, religion, marital_status,
               {last_band} - width_bucket(birth_date, %(thresholds)s::date[]) AS age_band
        FROM {resident}
        WHERE status = %(alive)s
    ) alive
    GROUP BY GROUPING SETS ({grouping_sets}, ())
)
SELECT g.*, dusun.id AS dusun_id, dusun.name AS dusun_name
FROM grouped g
LEFT JOIN {area} rt ON {rt_join}
LEFT JOIN {area} rw ON rw.id = rt.parent_id
LEFT JOIN {area} dusun ON dusun.id = rw.parent_id
"""

# Breakdown name -> the columns it groups by. Each costs one hash aggregate over the
# living residents, so a page that needs one breakdown asks for that one only.
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "age_sex": ("sex", "age_band"),
    "dusun": ("rt_id",),
    "education": ("education",),
    "occupation": ("occupation",),
    "religion": ("religion",),
    "marital_status": ("marital_status",),
}


def _statistics_sql(breakdowns: list[str]) -> str:
    columns = [column for name in breakdowns for column in BREAKDOWNS[name]]
    return _SQL.format(
        dimension_cases=" ".join(
            f"WHEN GROUPING({BREAKDOWNS[name][0]}) = 0 THEN '{name}'" for name in breakdowns
        ),
        columns=", ".join(columns),
        grouping_sets=", ".join(f"({', '.join(BREAKDOWNS[name])})" for name in breakdowns),
        last_band=LAST_AGE_BAND,
        resident=connection.ops.quote_name(Resident._meta.db_table),
        area=connection.ops.quote_name(Area._meta.db_table),
        rt_join="g.dimension = 'dusun' AND rt.id = g.rt_id" if "dusun" in breakdowns else "false",
    )


def _coded(counts: dict[str, int], choices: Any) -> list[dict[str, Any]]:
    rows = [
        {"code": code, "label": str(label), "count": counts.get(code, 0)}
        for code, label in choices.choices
    ]
    if counts.get("", 0):
        rows.append({"code": "", "label": "Tidak diisi", "count": counts[""]})
    return rows


def village_statistics(
    *, today: datetime.date, breakdowns: list[str] | None = None
) -> dict[str, Any]:
    """Counts of living residents by sex and age group, dusun, education, occupation,
    religion and marital status (or only the ``breakdowns`` named, see BREAKDOWNS);
    ages are whole years on ``today``. One query."""
    chosen = [name for name in BREAKDOWNS if breakdowns is None or name in breakdowns]
    with connection.cursor() as cursor:
        cursor.execute(
            _statistics_sql(chosen),
            {"thresholds": age_band_thresholds(today), "alive": ResidentStatus.ALIVE},
        )
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    total = 0
    by_age: dict[str, dict[str, int]] = {}
    by_sex = {code: 0 for code in Sex.values}
    by_dusun: dict[int | None, dict[str, Any]] = {}
    coded: dict[str, dict[str, int]] = {name: {} for name in CODED}
    for row in rows:
        dimension, n = row["dimension"], row["n"]
        if dimension == "total":
            total = n
        elif dimension == "age_sex":
            group = by_age.setdefault(age_group_label(row["age_band"]), {})
            group[row["sex"]] = group.get(row["sex"], 0) + n
            by_sex[row["sex"]] = by_sex.get(row["sex"], 0) + n
        elif dimension == "dusun":
            dusun = by_dusun.setdefault(
                row["dusun_id"],
                {"dusun_id": row["dusun_id"], "dusun": row["dusun_name"], "count": 0},
            )
            dusun["count"] += n
        else:
            coded[dimension][row[dimension]] = n
    result: dict[str, Any] = {"as_of": today.isoformat(), "total": total}
    if "age_sex" in chosen:
        result["by_sex"] = by_sex
        result["by_age_group_and_sex"] = [
            {
                "age_group": label,
                **{code: by_age.get(label, {}).get(code, 0) for code in Sex.values},
                "total": sum(by_age.get(label, {}).values()),
            }
            for label in [*AGE_GROUPS, *(["unknown"] if "unknown" in by_age else [])]
        ]
    if "dusun" in chosen:
        result["by_dusun"] = sorted(
            by_dusun.values(), key=lambda row: (row["dusun"] is None, row["dusun"] or "")
        )
    for name, choices in CODED.items():
        if name in chosen:
            result[f"by_{name}"] = _coded(coded[name], choices)
    return result


# The page asks for every breakdown at once: 25 ms p50 but 52 ms p95 with 20,000 residents
# on a loaded machine (bench/results/registry.md), so it reads through the cache. Every
# write to the register records a "resident.*" or "residents.*" event, which forgets the
# key; the timeout bounds what an unrecorded change (a dusun renamed) leaves stale.
STATISTICS_CACHE_SECONDS = 300


def statistics_cache_key(schema_name: str, today: datetime.date) -> str:
    return f"residents-statistics:{schema_name}:{today.isoformat()}"


def village_statistics_cached(*, today: datetime.date) -> dict[str, Any]:
    """:func:`village_statistics` with every breakdown, from the cache when it is there."""
    key = statistics_cache_key(connection.schema_name, today)
    data = cache.get(key)
    if data is None:
        data = village_statistics(today=today)
        cache.set(key, data, STATISTICS_CACHE_SECONDS)
    return data


def statistics_cache_forget(*, today: datetime.date) -> None:
    """Forget the active village's cached figures, now and again after commit (a reader
    between now and the commit may have cached the old figures again)."""
    key = statistics_cache_key(connection.schema_name, today)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def statistics_forget_on_event(event: Any) -> None:
    """services.events handler: a change to the register makes the figures stale."""
    if event.name.startswith(("resident.", "residents.")):
        statistics_cache_forget(today=timezone.localdate())
