"""How fast the public village home data (GET /api/village/home/) is served.

One village filled with a realistic amount of content: 200 articles (150 news, 50
announcements, a few drafts and scheduled ones among them), 20 officials, 40 dusun/RW/RT
areas and a full year's APBDes (60 lines over every source and bidang). Then, through the
whole Django stack (Django test Client, so middleware, routing, DRF and JSON rendering are
included, but no network or WSGI server):

- warm: the per-village cache is filled, then ``--requests`` anonymous GETs;
- cold: the cache is forgotten before each GET (what the first visitor after a write pays);
- server: warm, over HTTP against gunicorn (2 sync workers, a new connection per request
  as sync workers close it), one client sending ``--server-requests`` GETs in turn.

Target (issue 4): under 50 ms p95 warm.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_news \
     REDIS_URL=redis://127.0.0.1:6379/10 BALAI_ENV=development \
     .venv/bin/python bench/bench_public_home.py [--requests 2000] [--cold 300]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import time
from datetime import timedelta
from decimal import Decimal

from common import (
    REPO_DIR,
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

REGION = "18.08.11.2010"
SLUG = "bench-home"
ADMIN = "bench-home-admin"
ADMIN_PASSWORD = "kata-sandi-bench-123"  # noqa: S105 - a throwaway bench account
ARTICLES, OFFICIALS = 200, 20
TARGET_P95 = 0.050


def village_get_or_make():
    from balai.onboarding.services import village_onboard
    from tenants.models import Village

    village = Village.objects.filter(slug=SLUG).first()
    if village is None:
        village = village_onboard(
            region_code=REGION,
            slug=SLUG,
            name="Kampung Bench",
            local_term="kampung",
            admin_username=ADMIN,
            admin_password=ADMIN_PASSWORD,
            dusun_names=[f"Dusun {n}" for n in range(1, 5)],
        ).village
    return village


def content_fill(village) -> dict[str, int]:
    """Fill the village once (idempotent: a refill starts from empty tables)."""
    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from services.budget.models import Bidang, BudgetLine, BudgetYear, IncomeSource
    from services.news.models import Article, Category
    from services.village.models import Area, AreaLevel, Official, VillageProfile

    rng = random.Random(4)
    now = timezone.now()
    with schema_context(village.schema_name), transaction.atomic():
        Article.objects.all().delete()
        Official.objects.all().delete()
        BudgetYear.objects.all().delete()
        categories = list(Category.objects.all())
        paragraph = "Warga kampung bergotong royong membangun jalan usaha tani. " * 40
        articles = []
        for number in range(ARTICLES):
            kind = "pengumuman" if number % 4 == 0 else "berita"
            status = "draft" if number % 37 == 0 else "published"
            # A few scheduled for the coming days; the rest spread over the past year.
            offset = timedelta(days=2) if number % 53 == 0 else -timedelta(hours=number * 40)
            articles.append(
                Article(
                    kind=kind,
                    title=f"Kabar kampung nomor {number}",
                    slug=f"kabar-kampung-{number}",
                    summary="Ringkasan kegiatan warga dan pemerintah kampung.",
                    body=paragraph,
                    category=rng.choice(categories),
                    status=status,
                    publish_at=None if status == "draft" else now + offset,
                    announced_at=now if kind == "pengumuman" else None,
                    author_name="Operator Kampung",
                )
            )
        Article.objects.bulk_create(articles)
        Official.objects.bulk_create(
            Official(name=f"Perangkat {n}", position=f"Jabatan {n}", order=n)
            for n in range(OFFICIALS)
        )
        if not Area.objects.filter(level=AreaLevel.RT).exists():
            for dusun in Area.objects.filter(level=AreaLevel.DUSUN):
                for rw_number in range(1, 3):
                    rw = Area.objects.create(
                        level=AreaLevel.RW, name=f"00{rw_number}", parent=dusun
                    )
                    for rt_number in range(1, 4):
                        Area.objects.create(level=AreaLevel.RT, name=f"00{rt_number}", parent=rw)
        VillageProfile.objects.filter(id=1).update(
            vision="Kampung mandiri, sejahtera dan berbudaya.",
            mission="1. Pelayanan prima\n2. Infrastruktur mantap\n3. Ekonomi warga tumbuh",
            history="Kampung dibuka pada tahun 1952. " * 30,
            latitude=Decimal("-4.512345"),
            longitude=Decimal("104.765432"),
        )
        budget_year = BudgetYear.objects.create(year=timezone.localdate().year)
        lines = []
        for sector in IncomeSource:
            for _ in range(3):
                budget = Decimal(rng.randrange(10_000_000, 900_000_000))
                lines.append(("pendapatan", sector.value, budget))
        for sector in Bidang:
            for _ in range(8):
                budget = Decimal(rng.randrange(5_000_000, 300_000_000))
                lines.append(("belanja", sector.value, budget))
        BudgetLine.objects.bulk_create(
            BudgetLine(
                budget_year=budget_year,
                kind=kind,
                sector=sector,
                description=f"Kegiatan {position}",
                budget=budget.quantize(Decimal("0.01")),
                realised=(budget * Decimal(rng.randrange(0, 100)) / 100).quantize(Decimal("0.01")),
                position=position,
            )
            for position, (kind, sector, budget) in enumerate(lines, start=1)
        )
        return {
            "articles": Article.objects.count(),
            "officials": Official.objects.count(),
            "areas": Area.objects.count(),
            "budget_lines": BudgetLine.objects.count(),
        }


def measure(client, *, requests: int, cold: bool, schema_name: str) -> list[float]:
    from django.core.cache import cache

    from services.village.home_cache import home_cache_key

    key = home_cache_key(schema_name)
    samples = []
    for _ in range(requests):
        if cold:
            cache.delete(key)
        started = time.perf_counter()
        response = client.get("/api/village/home/")
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET /api/village/home/ answered {response.status_code}")
    return samples


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_server(host: str, *, requests: int) -> list[float]:
    """Warm GETs over HTTP against a gunicorn started (and stopped) here."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(REPO_DIR / ".venv" / "bin" / "gunicorn"),
            "balai.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO_DIR,
        env={**os.environ, "PYTHONPATH": f"{REPO_DIR}:{REPO_DIR / 'platform'}"},
    )

    def get() -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/api/village/home/", headers={"Host": host})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    try:
        for _ in range(100):  # until it listens
            try:
                get()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(50):  # both workers warm (connections, routing and Redis cache)
            get()
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            status = get()
            samples.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"gunicorn answered {status}")
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)


def statements_cold(client, schema_name: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.village.home_cache import home_cache_key

    cache.delete(home_cache_key(schema_name))
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/village/home/")
    return len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=300)
    parser.add_argument("--server-requests", type=int, default=1000)
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    django_setup()
    from django.test import Client

    from tenants.routing import village_host

    database_prepare()
    machine = machine_describe()
    village = village_get_or_make()
    counts = content_fill(village)
    log(f"village {village.slug} filled: {counts}")
    client = Client(HTTP_HOST=village_host(village.slug))
    response = client.get("/api/village/home/")
    body_bytes = len(response.content)
    for _ in range(50):  # warm the interpreter, connections and the routing cache
        client.get("/api/village/home/")
    warm = measure(client, requests=args.requests, cold=False, schema_name=village.schema_name)
    cold = measure(client, requests=args.cold, cold=True, schema_name=village.schema_name)
    statements = statements_cold(client, village.schema_name)
    client.get("/api/village/home/")  # cache filled again for the server run
    served = measure_server(village_host(village.slug), requests=args.server_requests)
    machine.finish()

    def row(label: str, samples: list[float]) -> str:
        return (
            f"| {label} | {len(samples)} | {seconds_text(median(samples))} | "
            f"{seconds_text(percentile(samples, 0.95))} | "
            f"{seconds_text(percentile(samples, 0.99))} | {seconds_text(max(samples))} |"
        )

    p95 = percentile(warm, 0.95)
    served_p95 = percentile(served, 0.95)
    verdict = "meets" if max(p95, served_p95) < TARGET_P95 else "MISSES"
    text = "\n".join(
        [
            "# Public village home data (GET /api/village/home/)",
            "",
            f"Warm p95 **{seconds_text(p95)}** in process, **{seconds_text(served_p95)}** "
            f"over HTTP to gunicorn: {verdict} the target of {seconds_text(TARGET_P95)} p95 "
            "warm (issue 4).",
            "",
            "| Path | Requests | p50 | p95 | p99 | max |",
            "|---|---|---|---|---|---|",
            row("warm (per-village cache filled)", warm),
            row("cold (cache forgotten before each request)", cold),
            row("warm, over HTTP to gunicorn (2 sync workers)", served),
            "",
            f"- Content: {counts['articles']} articles (150 news, 50 announcements, drafts and "
            f"scheduled among them), {counts['officials']} officials, {counts['areas']} "
            f"areas, {counts['budget_lines']} APBDes lines for the current year.",
            f"- Response: {body_bytes:,} bytes of JSON (5 news, 5 announcements, officials, "
            "profile, budget summary per source and bidang).",
            f"- SQL statements for a cold request: {statements} (search_path, profile, "
            "officials, news, announcements, budget aggregate, next scheduled item); a warm "
            "request runs none but the SET search_path at most (asserted in "
            "tests/test_profile_home.py: <= 8 cold).",
            "- Warm and cold rows: the whole Django stack through django.test.Client "
            "(middleware, host routing, DRF, JSON rendering, Redis cache GET), no server. "
            "The gunicorn row adds WSGI, a TCP connection per request and the client's "
            "own time, on the same 2 cores.",
            "- Sequential requests from one client; DEBUG off.",
            "",
            "## Command",
            "",
            f"`{command_line()}`",
            "",
            "## Machine",
            "",
            machine.markdown(),
            "",
        ]
    )
    results_write("public_home", text, write=not args.print)
    log(
        f"warm p95 {seconds_text(p95)}, cold p95 {seconds_text(percentile(cold, 0.95))}, "
        f"gunicorn p95 {seconds_text(percentile(served, 0.95))}"
    )


if __name__ == "__main__":
    main()
