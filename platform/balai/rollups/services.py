"""Computing and storing village indicators (writes of the roll-ups).

``village_indicators_compute`` runs inside a village schema: one aggregate SQL statement
per village app (residents, letters, complaints, news, notifications), no loop over rows
in Python.
``village_rollup`` upserts the result into the public table, so running it twice gives
the same row. ``rollup_run_inline`` rolls up many villages in this process, each in its
own savepoint, so one village that fails is recorded and the others go on.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.rollups.models import (
    AGE_GROUPS,
    INDICATOR_COLUMNS,
    SEXES,
    RollupOutcome,
    RollupRun,
    VillageDailyIndicators,
)
from services.residents.statistics import years_before
from tenants.models import Village, VillageStatus

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 2000


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The day's start and end as aware datetimes in the villages' time zone (WIB)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def local_today() -> datetime.date:
    return timezone.localdate()


def _fetch_one(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


# Residents: the living register by sex and age group on the day, the day's population
# events, and families with a member who has a self-service account.
_RESIDENTS_SQL = """
SELECT r.*, e.*, f.*
FROM (
    SELECT
        count(*) AS population_total,
        count(*) FILTER (WHERE sex = 'L') AS population_male,
        count(*) FILTER (WHERE sex = 'P') AS population_female,
        {age_columns}
    FROM residents_resident WHERE status = 'hidup'
) r, (
    SELECT
        count(*) FILTER (WHERE kind = 'lahir') AS births,
        count(*) FILTER (WHERE kind = 'mati') AS deaths,
        count(*) FILTER (WHERE kind = 'pindah_datang') AS moves_in,
        count(*) FILTER (WHERE kind = 'pindah_keluar') AS moves_out
    FROM residents_populationevent WHERE event_date = %(day)s
) e, (
    SELECT
        count(*) AS families_total,
        count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM residents_resident m
            JOIN residents_residentaccount a ON a.resident_id = m.id
            WHERE m.family_id = fam.id AND m.status = 'hidup'
        )) AS families_with_account
    FROM residents_family fam
) f
"""

_LETTERS_SQL = """
SELECT
    count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s)
        AS letters_requested,
    count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s
                     AND channel = 'online') AS letters_requested_online,
    count(*) FILTER (WHERE signed_at >= %(start)s AND signed_at < %(end)s) AS letters_issued,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM signed_at - created_at))
        FILTER (WHERE signed_at >= %(start)s AND signed_at < %(end)s) / 3600.0
        AS letter_issue_median_hours
FROM letters_letter
WHERE (created_at >= %(start)s AND created_at < %(end)s)
   OR (signed_at >= %(start)s AND signed_at < %(end)s)
"""

# Overdue is a stock: open at the cutoff (the end of the day, or now for today) and past
# its target then. A complaint closed later still counts as overdue on that day.
_COMPLAINTS_SQL = """
SELECT
    count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s)
        AS complaints_opened,
    count(*) FILTER (WHERE status = 'resolved' AND closed_at >= %(start)s
                     AND closed_at < %(end)s) AS complaints_resolved,
    count(*) FILTER (WHERE created_at < %(cutoff)s AND target_at < %(cutoff)s
                     AND (closed_at IS NULL OR closed_at >= %(cutoff)s)) AS complaints_overdue,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at))
        FILTER (WHERE status = 'resolved' AND closed_at >= %(start)s AND closed_at < %(end)s)
        / 3600.0 AS complaint_resolve_median_hours
FROM complaints_complaint
"""

_NEWS_SQL = """
SELECT count(*) AS announcements_published
FROM news_article
WHERE kind = 'pengumuman' AND status = 'published'
  AND publish_at >= %(start)s AND publish_at < %(end)s AND publish_at <= %(now)s
"""


# A message counts as sent on the day the provider took it (sent or delivered since), as
# failed on the day it ended failed; each fallback channel is a message of its own.
_NOTIFICATIONS_SQL = """
SELECT
    count(*) FILTER (WHERE status IN ('sent', 'delivered')
                     AND sent_at >= %(start)s AND sent_at < %(end)s) AS notifications_sent,
    count(*) FILTER (WHERE status = 'failed'
                     AND finished_at >= %(start)s AND finished_at < %(end)s)
        AS notifications_failed
FROM notifications_message
WHERE (sent_at >= %(start)s AND sent_at < %(end)s)
   OR (finished_at >= %(start)s AND finished_at < %(end)s)
"""


def _age_columns_sql() -> str:
    # Someone is at least N years old at the end of ``day`` when born on or before the
    # same calendar day N years earlier.
    columns = []
    for group, low, high in AGE_GROUPS:
        conditions = []
        if low:
            conditions.append(f"birth_date <= %(born_by_{low})s")
        if high is not None:
            conditions.append(f"birth_date > %(born_by_{high + 1})s")
        for sex, code in SEXES:
            where = " AND ".join([f"sex = '{code}'", *conditions])
            columns.append(f"count(*) FILTER (WHERE {where}) AS pop_{group}_{sex}")
    for sex, code in SEXES:
        columns.append(
            f"count(*) FILTER (WHERE sex = '{code}' AND birth_date IS NULL)"
            f" AS pop_age_unknown_{sex}"
        )
    return ",\n        ".join(columns)


_RESIDENTS_SQL = _RESIDENTS_SQL.format(age_columns=_age_columns_sql())


def village_indicators_compute(
    *, day: datetime.date, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """The indicators of the village whose schema is active, for ``day``. Five queries."""
    now = now or timezone.now()
    start, end = day_bounds(day)
    cutoff = min(end, now)
    params: dict[str, Any] = {
        "day": day,
        "start": start,
        "end": end,
        "cutoff": cutoff,
        "now": now,
        **{f"born_by_{years}": years_before(day, years) for years in (5, 15, 65)},
    }
    figures: dict[str, Any] = {}
    for sql in (_RESIDENTS_SQL, _LETTERS_SQL, _COMPLAINTS_SQL, _NEWS_SQL, _NOTIFICATIONS_SQL):
        figures.update(_fetch_one(sql, params))
    return figures


def village_rollup(
    *, village: Village, day: datetime.date, now: datetime.datetime | None = None
) -> VillageDailyIndicators:
    """Compute ``village``'s indicators for ``day`` in its schema and upsert the public row.

    Idempotent: the row is unique per village and day and written with INSERT ... ON
    CONFLICT DO UPDATE, so a second run (or a redelivered task) overwrites the first.
    """
    now = now or timezone.now()
    with transaction.atomic(), schema_context(village.schema_name):
        figures = village_indicators_compute(day=day, now=now)
    row = VillageDailyIndicators(
        village_id=village.pk,
        region_code=village.region_id,
        kecamatan_code=village.kecamatan_code,
        kabupaten_code=village.kabupaten_code,
        date=day,
        computed_at=now,
        **figures,
    )
    VillageDailyIndicators.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["village", "date"],
        update_fields=[
            "region_code",
            "kecamatan_code",
            "kabupaten_code",
            "computed_at",
            *INDICATOR_COLUMNS,
        ],
    )
    return row


def rollup_run_start(*, day: datetime.date, villages_total: int) -> RollupRun:
    now = timezone.now()
    return RollupRun.objects.create(
        date=day,
        started_at=now,
        villages_total=villages_total,
        # With no village to wait for, the run is over as it starts.
        finished_at=None if villages_total else now,
    )


@transaction.atomic
def rollup_outcome_record(
    *, run_id: int | None, village: Village, day: datetime.date, error: str = ""
) -> None:
    """Record how one village went. Within a run, once per village (a redelivered task
    overwrites its earlier outcome); outside a run only failures are kept."""
    at = timezone.now()
    if run_id is None:
        if error:
            RollupOutcome.objects.create(
                village=village, date=day, ok=False, error=error[:ERROR_TEXT_LIMIT], at=at
            )
        return
    # Lock the run first, in a statement of its own: the counting UPDATE below then starts
    # after any concurrent village task committed its outcome, so no outcome is missed.
    RollupRun.objects.select_for_update().filter(pk=run_id).values_list("pk").first()
    RollupOutcome.objects.bulk_create(
        [
            RollupOutcome(
                run_id=run_id,
                village=village,
                date=day,
                ok=not error,
                error=error[:ERROR_TEXT_LIMIT],
                at=at,
            )
        ],
        update_conflicts=True,
        unique_fields=["run", "village"],
        update_fields=["ok", "error", "at"],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE rollups_rolluprun run SET
                villages_ok = counts.ok,
                villages_failed = counts.failed,
                finished_at = CASE
                    WHEN run.finished_at IS NULL AND counts.ok + counts.failed >= run.villages_total
                    THEN %(at)s ELSE run.finished_at END
            FROM (
                SELECT count(*) FILTER (WHERE ok) AS ok, count(*) FILTER (WHERE NOT ok) AS failed
                FROM rollups_rollupoutcome WHERE run_id = %(run)s
            ) counts
            WHERE run.id = %(run)s
            """,
            {"run": run_id, "at": at},
        )


def village_rollup_recorded(
    *, village: Village, day: datetime.date, run_id: int | None = None
) -> bool:
    """Roll one village up and record the outcome; a failure is recorded, not raised.

    Any error of one village (a broken schema, a missing table) must not stop the run, so
    everything is caught here, logged with the village and kept in RollupOutcome; it is
    never retried blindly: the next nightly run or data change tries again.
    """
    try:
        village_rollup(village=village, day=day)
    except Exception as error:  # noqa: BLE001 - isolate every failure of one village
        logger.exception("village roll-up failed", extra={"village": village.region_id})
        rollup_outcome_record(
            run_id=run_id, village=village, day=day, error=f"{type(error).__name__}: {error}"
        )
        return False
    rollup_outcome_record(run_id=run_id, village=village, day=day)
    return True


def villages_to_roll_up():
    return Village.objects.filter(status=VillageStatus.ACTIVE).order_by("pk")


def rollup_run_inline(*, day: datetime.date, villages=None) -> RollupRun:
    """Roll up every active village (or ``villages``) in this process, one after another.

    For commands, tests and benchmarks; the nightly run fans out to workers instead
    (balai.rollups.tasks). Each village runs in its own savepoint when a transaction is
    open, so one failure leaves the others' rows in place.
    """
    villages = list(villages if villages is not None else villages_to_roll_up())
    run = rollup_run_start(day=day, villages_total=len(villages))
    for village in villages:
        village_rollup_recorded(village=village, day=day, run_id=run.pk)
    connection.set_schema_to_public()
    run.refresh_from_db()
    return run
