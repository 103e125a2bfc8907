"""Roll-up figures: a kecamatan's totals equal what its villages' own schemas say, a
second run changes nothing, and a village that fails does not stop the others."""

from __future__ import annotations

import datetime
import statistics

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.regions.models import VILLAGE_LEVELS, Region
from balai.rollups.models import FLOW_COLUMNS, STOCK_COLUMNS, VillageDailyIndicators
from balai.rollups.selectors import region_totals, rows_in
from balai.rollups.services import day_bounds, rollup_run_inline, village_rollup
from tenants.models import Village
from tenants.provisioning import (
    schema_create_from_template,
    schema_name_for_region,
    template_get_or_build,
)
from tests.factories import ResidentFactory, make_nik

pytestmark = pytest.mark.django_db


def _seed_village(*, day: datetime.date, scale: int) -> None:
    """A little of everything, ``scale`` times, in the active village schema."""
    from services.complaints.models import Complaint, ComplaintCategory
    from services.letters.models import Letter, LetterType
    from services.news.models import Article
    from services.residents.models import Family, PopulationEvent, ResidentAccount

    start, _end = day_bounds(day)
    letter_type = LetterType.objects.order_by("id").first()
    category = ComplaintCategory.objects.order_by("id").first()
    for n in range(scale):
        baby = ResidentFactory(sex="P", birth_date=day)
        child = ResidentFactory(sex="L", birth_date=day - datetime.timedelta(days=365 * 9))
        elder = ResidentFactory(sex="P", birth_date=datetime.date(1950, 1, 1))
        ResidentFactory(sex="L", birth_date=None, nik=make_nik())
        dead = ResidentFactory(sex="L", status="mati")
        gone = ResidentFactory(sex="P", status="pindah")
        # A different number of each kind (1, 2, 3, 4), so no kind can pass for another.
        PopulationEvent.objects.create(resident=baby, kind="lahir", event_date=day)
        for person, kind, times in (
            (child, "pindah_datang", 2),
            (dead, "mati", 3),
            (gone, "pindah_keluar", 4),
        ):
            for _ in range(times):
                PopulationEvent.objects.create(resident=person, kind=kind, event_date=day)
        # Yesterday's birth belongs to yesterday's row, not today's.
        PopulationEvent.objects.create(
            resident=elder, kind="lahir", event_date=day - datetime.timedelta(days=1)
        )
        family = Family.objects.create(kk_number=f"18081{scale}{n:010d}", head=elder)
        elder.family = family
        elder.save(update_fields=["family"])
        ResidentAccount.objects.create(resident=elder, pin_hash="x")
        Family.objects.create(kk_number=f"18082{scale}{n:010d}")

        for hours, channel, signed_after in (
            (1, "online", 3),
            (2, "counter", None),
            (3, "online", 5 * scale),
        ):
            letter = Letter.objects.create(letter_type=letter_type, resident=child, channel=channel)
            created = start + datetime.timedelta(hours=hours)
            signed = created + datetime.timedelta(hours=signed_after) if signed_after else None
            Letter.objects.filter(pk=letter.pk).update(
                created_at=created, signed_at=signed, status="signed" if signed else "requested"
            )
        for minutes, status, target_days, closed_after in (
            (10, "new", -1, None),  # overdue: past its target, still open
            (20, "in_progress", 7, None),  # open, not yet due
            (30, "resolved", 7, 2 * scale),
        ):
            created = start + datetime.timedelta(minutes=minutes)
            Complaint.objects.create(
                tracking_code=f"T{scale}{n}{minutes}",
                category=category,
                description="Jalan rusak",
                status=status,
                created_at=created,
                target_at=created + datetime.timedelta(days=target_days),
                closed_at=created + datetime.timedelta(hours=closed_after)
                if closed_after
                else None,
            )
        Article.objects.create(
            kind="pengumuman",
            title=f"Kerja bakti {scale}-{n}",
            slug=f"kerja-bakti-{scale}-{n}",
            status="published",
            publish_at=start,
        )


def _direct_figures(village: Village, day: datetime.date) -> dict:
    """The figures counted straight from the village's schema with the ORM and Python."""
    from services.complaints.models import Complaint
    from services.letters.models import Letter
    from services.news.models import Article
    from services.notifications.models import Message
    from services.residents.models import Family, PopulationEvent, Resident

    now = timezone.now()
    with schema_context(village.schema_name):
        alive = list(Resident.objects.filter(status="hidup"))

        def age(person) -> int | None:
            born = person.birth_date
            if born is None:
                return None
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

        def in_group(person, low, high) -> bool:
            years = age(person)
            return years is not None and years >= low and (high is None or years <= high)

        figures = {
            "population_total": len(alive),
            "population_male": sum(p.sex == "L" for p in alive),
            "population_female": sum(p.sex == "P" for p in alive),
        }
        for group, low, high in (
            ("0_4", 0, 4),
            ("5_14", 5, 14),
            ("15_64", 15, 64),
            ("65_plus", 65, None),
        ):
            for sex, code in (("male", "L"), ("female", "P")):
                figures[f"pop_{group}_{sex}"] = sum(
                    p.sex == code and in_group(p, low, high) for p in alive
                )
        for sex, code in (("male", "L"), ("female", "P")):
            figures[f"pop_age_unknown_{sex}"] = sum(
                p.sex == code and p.birth_date is None for p in alive
            )
        events = PopulationEvent.objects.filter(event_date=day)
        figures.update(
            births=events.filter(kind="lahir").count(),
            deaths=events.filter(kind="mati").count(),
            moves_in=events.filter(kind="pindah_datang").count(),
            moves_out=events.filter(kind="pindah_keluar").count(),
            families_total=Family.objects.count(),
            families_with_account=Family.objects.filter(
                members__status="hidup", members__account__isnull=False
            )
            .distinct()
            .count(),
        )
        letters = Letter.objects.filter(created_at__date=day)
        issued = list(Letter.objects.filter(signed_at__date=day))
        figures.update(
            letters_requested=letters.count(),
            letters_requested_online=letters.filter(channel="online").count(),
            letters_issued=len(issued),
            letter_issue_median_hours=statistics.median(
                [(x.signed_at - x.created_at).total_seconds() / 3600 for x in issued]
            )
            if issued
            else None,
        )
        resolved = list(Complaint.objects.filter(status="resolved", closed_at__date=day))
        figures.update(
            complaints_opened=Complaint.objects.filter(created_at__date=day).count(),
            complaints_resolved=len(resolved),
            complaints_overdue=sum(c.is_overdue(now=now) for c in Complaint.objects.all()),
            complaint_resolve_median_hours=statistics.median(
                [(c.closed_at - c.created_at).total_seconds() / 3600 for c in resolved]
            )
            if resolved
            else None,
            notifications_sent=Message.objects.filter(
                status__in=["sent", "delivered"], sent_at__date=day
            ).count(),
            notifications_failed=Message.objects.filter(
                status="failed", finished_at__date=day
            ).count(),
            announcements_published=Article.objects.filter(
                kind="pengumuman", status="published", publish_at__date=day, publish_at__lte=now
            ).count(),
        )
    connection.set_schema_to_public()
    return figures


def test_kecamatan_figures_equal_the_sum_of_its_villages_schemas(cast):
    # given: villages A and B of kecamatan 18.08.11 with different amounts of everything
    day = timezone.localdate()
    with schema_context(cast.village_a.schema_name):
        _seed_village(day=day, scale=1)
    with schema_context(cast.village_b.schema_name):
        _seed_village(day=day, scale=2)

    # when: the roll-up runs over every village and the kecamatan figures are read
    run = rollup_run_inline(day=day, villages=[cast.village_a, cast.village_b, cast.village_c])
    totals = region_totals(scope=rows_in(["18.08.11"]), start=day, end=day)

    # then: every summed indicator equals the sum counted directly in A's and B's schemas
    direct_a = _direct_figures(cast.village_a, day)
    direct_b = _direct_figures(cast.village_b, day)
    assert run.villages_ok == 3 and run.villages_failed == 0 and run.finished_at is not None
    for column in (*STOCK_COLUMNS, *FLOW_COLUMNS):
        assert totals[column] == direct_a[column] + direct_b[column], column
    assert totals["births"] == 3 and totals["complaints_overdue"] >= 3
    # Medians of a region are the median of its villages' medians.
    for column in ("letter_issue_median_hours", "complaint_resolve_median_hours"):
        assert totals[column] == pytest.approx(
            statistics.median([direct_a[column], direct_b[column]])
        ), column
    assert totals["villages_reporting"] == 2
    # C is in another kecamatan: its row exists but is not in 18.08.11's totals.
    assert VillageDailyIndicators.objects.filter(village=cast.village_c, date=day).exists()


def test_running_the_roll_up_twice_gives_the_same_row(cast):
    day = timezone.localdate()
    with schema_context(cast.village_a.schema_name):
        _seed_village(day=day, scale=1)
    now = timezone.now()

    first = village_rollup(village=cast.village_a, day=day, now=now)
    second = village_rollup(village=cast.village_a, day=day, now=now)

    rows = VillageDailyIndicators.objects.filter(village=cast.village_a, date=day)
    assert rows.count() == 1
    stored = rows.values(*STOCK_COLUMNS, *FLOW_COLUMNS).get()
    assert stored == {column: getattr(first, column) for column in stored}
    assert stored == {column: getattr(second, column) for column in stored}
    assert stored["births"] == 1 and stored["letters_issued"] == 2


def _scratch_village() -> Village:
    """A village of kecamatan 18.08.11 made in the test's transaction (rolled back)."""
    taken = Village.objects.values("region_id")
    region = (
        Region.objects.filter(code__startswith="18.08.11.", level__in=VILLAGE_LEVELS)
        .exclude(code__in=taken)
        .order_by("code")
        .first()
    )
    schema_name = schema_name_for_region(region.code)
    schema_create_from_template(schema_name, template_get_or_build())
    return Village.objects.create(
        schema_name=schema_name,
        region=region,
        slug="desa-rusak",
        name="Desa Rusak",
        kecamatan_code=region.code[:8],
        kabupaten_code=region.code[:5],
    )


def test_a_village_that_fails_does_not_stop_the_others_and_the_failure_is_visible(
    cast, public_client
):
    # given: a village whose letters table is gone, between A and B
    day = timezone.localdate()
    broken = _scratch_village()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{broken.schema_name}".letters_letter CASCADE')

    # when
    run = rollup_run_inline(day=day, villages=[cast.village_a, broken, cast.village_b])

    # then: A and B are rolled up, the broken village is recorded with its error
    assert (run.villages_total, run.villages_ok, run.villages_failed) == (3, 2, 1)
    assert run.finished_at is not None
    rolled = set(VillageDailyIndicators.objects.filter(date=day).values_list("village", flat=True))
    assert {cast.village_a.pk, cast.village_b.pk} <= rolled
    assert broken.pk not in rolled
    failure = run.outcomes.get(ok=False)
    assert failure.village == broken and "letters_letter" in failure.error

    # and platform admins see it; supervisors do not see the run listing at all
    public_client.force_login(cast.pat)
    listing = public_client.get("/api/supervisor/rollups/runs/").json()
    assert listing["runs"][0]["villages_failed"] == 1
    assert listing["failures"][0]["village_name"] == "Desa Rusak"
    public_client.force_login(cast.carol)
    assert public_client.get("/api/supervisor/rollups/runs/").status_code == 403
