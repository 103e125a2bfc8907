"""The supervisor pages with 1,000 villages: dashboard, comparison (sorted, CSV; per village
and per kecamatan), one village's page, overdue complaints and duplicate NIKs, as a
kabupaten supervisor through the whole Django stack.

1. Makes 1,000 villages under kabupaten 18.08 (the real ones plus the synthetic kecamatan
   18.08.90-99 of bench_rollups). The pages read public-schema tables only, so these
   villages get their public rows but no schema (``auto_create_schema`` is off).
2. Fills the public tables the pages read: 30 days of VillageDailyIndicators per village
   (30,000 rows), ComplaintVillageCounts and VillageEconomySummary per village, two open
   ComplaintEscalation rows per village, a VillageDigitalAdoption row per village, and
   1,000 NIKs each registered in two villages.
3. Times each page warm (test Client, session and middleware included), counts its SQL
   statements.

Target (supervisor pages brief): dashboard p95 < 100 ms warm with 1,000 villages.

Run: createdb -h 127.0.0.1 -U postgres balai_bench_supervisor; then
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_supervisor \
     REDIS_URL=redis://127.0.0.1:6379/11 BALAI_ENV=development \
     .venv/bin/python bench/bench_supervisor_pages.py [--villages 1000] [--requests 100]
"""

from __future__ import annotations

import argparse
import datetime
import time
from decimal import Decimal

from bench_rollups import KABUPATEN, regions_under_kabupaten
from common import (
    bench_slug,
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    median,
    percentile,
    results_write,
    seconds_text,
)

SUPERVISOR = "bench-supervisor-pages"
HISTORY_DAYS = 30
TARGET_P95 = 0.100


def public_rows_fill(codes: list[str], today: datetime.date) -> list:
    from django.db import transaction
    from django.utils import timezone

    from balai.learning.models import VillageDigitalAdoption
    from balai.marketplace.models import VillageEconomySummary
    from balai.regions.models import Region
    from balai.rollups.models import VillageDailyIndicators
    from balai.supervision.models import (
        ComplaintEscalation,
        ComplaintVillageCounts,
        NikFingerprint,
    )
    from tenants.models import Village

    regions = Region.objects.in_bulk(codes)
    taken = set(Village.objects.filter(region_id__in=codes).values_list("region_id", flat=True))
    Village.objects.bulk_create(
        Village(
            schema_name="bench_" + code.replace(".", ""),
            region=regions[code],
            slug=bench_slug(code),
            name=regions[code].name,
            kecamatan_code=code[:8],
            kabupaten_code=code[:5],
        )
        for code in codes
        if code not in taken
    )
    villages = list(Village.objects.filter(region_id__in=codes).order_by("pk"))
    ids = [v.pk for v in villages]
    now = timezone.now()
    with transaction.atomic():
        VillageDailyIndicators.objects.filter(village_id__in=ids).delete()
        ComplaintVillageCounts.objects.filter(village_id__in=ids).delete()
        ComplaintEscalation.objects.filter(village_id__in=ids).delete()
        VillageEconomySummary.objects.filter(village_code__in=codes).delete()
        VillageDigitalAdoption.objects.filter(village_code__in=codes).delete()
        NikFingerprint.objects.filter(nik_hash__startswith="bench-").delete()
        # Day by day, as the nightly runs write them (rows of one day sit together).
        rows = []
        for day in range(HISTORY_DAYS):
            for n, village in enumerate(villages):
                population = 800 + n % 700 + day
                rows.append(
                    VillageDailyIndicators(
                        village=village,
                        region_code=village.region_id,
                        kecamatan_code=village.kecamatan_code,
                        kabupaten_code=village.kabupaten_code,
                        date=today - datetime.timedelta(days=HISTORY_DAYS - 1 - day),
                        population_total=population,
                        population_male=population // 2,
                        population_female=population - population // 2,
                        pop_0_4_male=40,
                        pop_0_4_female=38,
                        pop_5_14_male=90,
                        pop_5_14_female=85,
                        pop_15_64_male=population // 2 - 170,
                        pop_15_64_female=population - population // 2 - 163,
                        pop_65_plus_male=40,
                        pop_65_plus_female=40,
                        families_total=population // 4,
                        families_with_account=(population // 4) * (n % 10) // 10,
                        letters_requested=n % 5,
                        letters_requested_online=n % 3,
                        letters_issued=n % 4,
                        complaints_opened=n % 2,
                        complaints_overdue=n % 3,
                        computed_at=now,
                    )
                )
        VillageDailyIndicators.objects.bulk_create(rows, batch_size=5000)
        ComplaintVillageCounts.objects.bulk_create(
            ComplaintVillageCounts(
                village=v,
                kecamatan_code=v.kecamatan_code,
                kabupaten_code=v.kabupaten_code,
                open_count=5,
                overdue_count=2,
                escalated_open_count=2,
                refreshed_at=now,
            )
            for v in villages
        )
        ComplaintEscalation.objects.bulk_create(
            ComplaintEscalation(
                village=v,
                region_code=v.region_id,
                kecamatan_code=v.kecamatan_code,
                kabupaten_code=v.kabupaten_code,
                complaint_id=k,
                tracking_code=f"B{n:05d}{k}",
                category_code="jalan",
                category_name="Jalan rusak",
                opened_at=now - datetime.timedelta(days=20 + k),
                target_at=now - datetime.timedelta(days=10 + k),
                escalated_at=now - datetime.timedelta(days=5),
            )
            for n, v in enumerate(villages)
            for k in (1, 2)
        )
        VillageEconomySummary.objects.bulk_create(
            VillageEconomySummary(
                village_code=v.region_id,
                kecamatan_code=v.kecamatan_code,
                kabupaten_code=v.kabupaten_code,
                village_name=v.name,
                businesses_total=n % 40,
                businesses_verified=n % 20,
                products_listed=n % 90,
                bumdes_year=today.year,
                bumdes_revenue=Decimal(1_000_000 + 7919 * n),
                refreshed_at=now,
            )
            for n, v in enumerate(villages)
        )
        VillageDigitalAdoption.objects.bulk_create(
            VillageDigitalAdoption(
                village_code=v.region_id,
                kecamatan_code=v.kecamatan_code,
                kabupaten_code=v.kabupaten_code,
                village_name=v.name,
                families_total=200,
                families_with_account=n % 200,
                programmes_held=n % 6,
                village_attendances=n % 60,
                kecamatan_attendances=n % 25,
                refreshed_at=now,
            )
            for n, v in enumerate(villages)
        )
        NikFingerprint.objects.bulk_create(
            NikFingerprint(
                nik_hash=f"bench-{n:06d}",
                masked_nik="1808**********00",
                village_code=v.region_id,
                kecamatan_code=v.kecamatan_code,
                kabupaten_code=v.kabupaten_code,
            )
            for n in range(len(villages))
            for v in (villages[n], villages[(n + 7) % len(villages)])
        )
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after a night's rows
        for table in (
            "tenants_village",
            "rollups_villagedailyindicators",
            "supervision_complaintvillagecounts",
            "supervision_complaintescalation",
            "supervision_nikfingerprint",
            "marketplace_villageeconomysummary",
            "learning_villagedigitaladoption",
        ):
            cursor.execute(f"ANALYZE {table}")
    return villages


def page_time(client, path: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection

    def fetch():
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        if response.streaming:
            b"".join(response.streaming_content)

    for _ in range(10):  # warm: connections, plans, caches
        fetch()
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fetch()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        fetch()
        samples.append(time.perf_counter() - started)
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--print", action="store_true", help="print instead of writing results")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from balai.accounts.services import supervisor_assign, user_get_or_create

    machine = machine_describe()
    database_prepare()
    codes = regions_under_kabupaten(args.villages)
    # History up to the last day of the previous month: the figures are "as of" that day
    # and "this month" is a whole month of rows, the most a page ever sums.
    as_of = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    started = time.perf_counter()
    villages = public_rows_fill(codes, as_of)
    log(f"{len(villages)} villages' public rows filled in {time.perf_counter() - started:.1f} s")
    user, _ = user_get_or_create(username=SUPERVISOR, password="kata-sandi-bench-123")  # noqa: S106
    supervisor_assign(user=user, region_code=KABUPATEN)
    client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    client.force_login(user)
    pages = [
        ("dashboard", "/pengawas/"),
        ("dashboard, one kecamatan", "/pengawas/?region=18.08.90"),
        ("comparison, page 1 of 20", "/pengawas/perbandingan/"),
        ("comparison by population", "/pengawas/perbandingan/?sort=-population_total"),
        ("comparison CSV (all rows)", "/pengawas/perbandingan.csv"),
        ("comparison per kecamatan", "/pengawas/perbandingan/?tingkat=kecamatan"),
        (
            "comparison per kecamatan by population",
            "/pengawas/perbandingan/?tingkat=kecamatan&sort=-population_total",
        ),
        ("comparison per kecamatan CSV", "/pengawas/perbandingan.csv?tingkat=kecamatan"),
        # The history ends on the last day of the previous month: 90 days hold all 30 rows.
        (
            "village page, 90 days",
            f"/pengawas/desa/{villages[len(villages) // 2].region_id}/?hari=90",
        ),
        ("village page, 365 days", f"/pengawas/desa/{villages[-1].region_id}/?hari=365"),
        ("overdue complaints", "/pengawas/pengaduan-terlambat/"),
        ("duplicate NIKs", "/pengawas/nik-ganda/"),
        ("duplicate NIKs CSV", "/pengawas/nik-ganda.csv"),
    ]
    timings = []
    for label, path in pages:
        log(f"{label} x {args.requests}")
        samples, queries = page_time(client, path, args.requests)
        timings.append((label, path, samples, queries))
        log(f"  p50 {seconds_text(median(samples))}, p95 {seconds_text(percentile(samples, 0.95))}")
    machine.finish()
    lines = [
        f"# Supervisor pages: {len(villages)} villages",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        "",
        f"- Villages: {len(villages)} under kabupaten {KABUPATEN}, public rows only (no schema:"
        " the pages never read one): "
        f"{HISTORY_DAYS} days of indicators each (to {as_of}, so the month's figures sum a "
        "whole month of rows), complaint counts, 2 open escalations, an "
        f"economy summary and a digital-adoption row; {len(villages)} NIKs each in two "
        "villages",
        f"- A kabupaten supervisor, warm, {args.requests} requests each, test Client (session, "
        "middleware, templates; streamed CSV read to the end)",
        "",
        "| page | statements | p50 | p95 | max | target p95 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, path, samples, queries in timings:
        p95 = percentile(samples, 0.95)
        target = ""
        if label == "dashboard":
            target = f"{seconds_text(TARGET_P95)} {'met' if p95 < TARGET_P95 else 'MISSED'}"
        lines.append(
            f"| {label} `{path}` | {queries} | {seconds_text(median(samples))} | "
            f"{seconds_text(p95)} | {seconds_text(max(samples))} | {target} |"
        )
    results_write("supervisor_pages", "\n".join(lines) + "\n", write=not args.print)
    public_rows_remove(codes)


def public_rows_remove(codes: list[str]) -> None:
    """Remove the schema-less villages again, so ``balai migrate`` of the next run has no
    village without a schema to migrate."""
    from balai.learning.models import VillageDigitalAdoption
    from balai.marketplace.models import VillageEconomySummary
    from balai.supervision.models import NikFingerprint
    from tenants.models import Village

    VillageDigitalAdoption.objects.filter(village_code__in=codes).delete()
    NikFingerprint.objects.filter(nik_hash__startswith="bench-").delete()
    VillageEconomySummary.objects.filter(village_code__in=codes).delete()
    Village.objects.filter(region_id__in=codes, schema_name__startswith="bench_").delete()


if __name__ == "__main__":
    main()
