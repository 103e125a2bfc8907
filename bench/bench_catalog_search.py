"""The kabupaten product catalog with 1,000 villages and 50,000 products.

Two measurements:

1. Search, warm: GET /api/catalog/?kabupaten=... on the public host (in-process Django
   client, the full DRF request: count + one page of 50) for a mix of searches and filters.
   The public listing table is filled directly with 50,000 rows of 1,000 villages of one
   kabupaten (what the worker would have published); no village schema is read.
2. Propagation: how long a product change in a village takes to appear in the catalog with
   a running worker (`balai worker --pool solo -Q default,platform`): the time from the
   commit of ``product_update`` to the moment the listing row carries the new price, polled
   every 5 ms. A handful of real villages are onboarded for this.

Run: createdb balai_bench_economy, then
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_economy \\
  REDIS_URL=redis://127.0.0.1:6379/1 BALAI_ENV=development \\
  .venv/bin/python bench/bench_catalog_search.py [--villages 1000] [--products 50000] \\
      [--repeats 100] [--changes 20]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from common import (
    REPO_DIR,
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

KABUPATEN = "18.08"
SYNTH_SLUG = "bench-synth-"
PROPAGATION_VILLAGES = ["18.08.11.2003", "18.08.11.2004", "18.08.11.2005"]
ADMIN_PASSWORD = "kata-sandi-bench-123"  # noqa: S105 - a scratch database's bench admin

GOODS = [
    ("Getah karet", "hasil_kebun", "kg", 9_000, 14_000),
    ("Karet lembaran", "hasil_kebun", "kg", 10_000, 16_000),
    ("Tandan buah segar sawit", "hasil_kebun", "kg", 1_800, 2_900),
    ("Singkong", "hasil_tani", "kg", 1_200, 2_500),
    ("Keripik singkong", "makanan", "bungkus", 10_000, 25_000),
    ("Tiwul", "makanan", "bungkus", 8_000, 15_000),
    ("Kopi robusta", "hasil_kebun", "kg", 45_000, 90_000),
    ("Gula aren", "makanan", "kg", 20_000, 35_000),
    ("Madu hutan", "makanan", "liter", 70_000, 150_000),
    ("Beras", "hasil_tani", "karung", 250_000, 400_000),
    ("Beras merah", "hasil_tani", "kg", 15_000, 25_000),
    ("Ikan lele", "ikan", "kg", 18_000, 28_000),
    ("Ikan nila", "ikan", "kg", 25_000, 38_000),
    ("Telur ayam kampung", "ternak", "buah", 2_000, 3_500),
    ("Kambing", "ternak", "ekor", 1_500_000, 3_500_000),
    ("Tapis Lampung", "kerajinan", "buah", 350_000, 2_500_000),
    ("Anyaman bambu", "kerajinan", "buah", 25_000, 150_000),
    ("Pisang kepok", "hasil_tani", "ikat", 15_000, 30_000),
    ("Durian", "hasil_kebun", "buah", 30_000, 90_000),
    ("Jasa servis motor", "jasa", "jasa", 50_000, 250_000),
]
QUALIFIERS = ["", "super", "asli", "organik", "kering", "segar", "grade A", "premium", "murah"]
STOCKS = ["tersedia"] * 7 + ["habis"] * 2 + ["pre_order"]

QUERIES = {
    "no search, first page": {},
    "page 20, no search": {"page": "20"},
    "q=karet (common, ~10%)": {"q": "karet"},
    "q=keripik singkong": {"q": "keripik singkong"},
    "q=madu": {"q": "madu"},
    "q=tapis (rare, ~5%)": {"q": "tapis"},
    "q=xyzzy (no hit)": {"q": "xyzzy"},
    "category=ikan": {"category": "ikan"},
    "q=kopi + stock + price range": {
        "q": "kopi",
        "stock": "tersedia",
        "min_price": "50000",
        "max_price": "80000",
    },
    "kecamatan catalog, q=gula": {"kecamatan": "18.08.11", "q": "gula"},
}


# -- the public listing table, filled directly -----------------------------------------------


def synthetic_villages(count: int) -> list[tuple[str, str]]:
    """(village code, kecamatan code) for ``count`` villages of one kabupaten.

    Way Kanan has 227 real villages; a kabupaten of 1,000 is made up with 40 kecamatan of 25
    villages each; the village parts run from 2501, clear of real village codes (and of the
    real villages onboarded for the propagation measurement).
    """
    villages = []
    for index in range(count):
        kecamatan = f"{KABUPATEN}.{index // 25 + 1:02d}"
        villages.append((f"{kecamatan}.{2501 + index % 25}", kecamatan))
    return villages


def listings_fill(*, villages: int, products: int, seed: int = 7) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from balai.marketplace.models import Listing

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        Listing.objects.filter(village_slug__startswith=SYNTH_SLUG).delete()
    per_village = products // villages
    now = timezone.now()
    batch: list[Listing] = []
    for village_code, kecamatan in synthetic_villages(villages):
        slug = SYNTH_SLUG + village_code.replace(".", "")
        for product_id in range(1, per_village + 1):
            name, category, unit, low, high = rng.choice(GOODS)
            qualifier = rng.choice(QUALIFIERS)
            full_name = f"{name} {qualifier}".strip()
            batch.append(
                Listing(
                    village_code=village_code,
                    kecamatan_code=kecamatan,
                    kabupaten_code=KABUPATEN,
                    village_name=f"Kampung {village_code[-4:]}",
                    village_slug=slug,
                    village_host=f"{slug}.localhost",
                    product_id=product_id,
                    business_id=product_id % 7 + 1,
                    name=full_name,
                    price=Decimal(rng.randrange(low, high, 500)),
                    unit=unit,
                    category=category,
                    stock=rng.choice(STOCKS),
                    thumbnail_url=f"//{slug}.localhost/media/villages/x/economy/{product_id}.jpg",
                    business_name=f"UMKM {product_id % 7 + 1}",
                    contact_url="https://wa.me/6281234567890?text=Halo",
                    updated_at=now,
                )
            )
            if len(batch) >= 5000:
                Listing.objects.bulk_create(batch)
                batch = []
    if batch:
        Listing.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # VACUUM as well: a rerun deletes and re-inserts 50,000 rows, and dead index entries
        # would otherwise skew the plans measured.
        cursor.execute("VACUUM ANALYZE marketplace_listing")
    return time.perf_counter() - started


def search_measure(*, repeats: int) -> dict[str, list[float]]:
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    timings: dict[str, list[float]] = {}
    for label, params in QUERIES.items():
        query = {"kabupaten": KABUPATEN, **params} if "kecamatan" not in params else params
        response = client.get("/api/catalog/", query)  # warm: plans, caches, imports
        assert response.status_code == 200, response.content[:300]
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get("/api/catalog/", query)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        timings[label] = samples
        log(
            f"  {label}: {response.json()['count']} hits, "
            f"p50 {seconds_text(median(samples))}, p95 {seconds_text(percentile(samples, 0.95))}"
        )
    return timings


# The public page of the kabupaten catalog (frontend/catalog_pages.py), same selector.
PAGE_QUERIES = {
    "page 1, no search": {},
    "page 20, no search": {"halaman": "20"},
    "q=karet": {"q": "karet"},
    "q=tapis": {"q": "tapis"},
    "category=ikan": {"category": "ikan"},
    "q=kopi + in stock": {"q": "kopi", "stock": "tersedia"},
}


def page_measure(*, repeats: int) -> dict[str, tuple[list[float], int]]:
    """The HTML page /katalog/<kabupaten>/ as a visitor loads it: timings and bytes."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    path = f"/katalog/{KABUPATEN}/"
    results: dict[str, tuple[list[float], int]] = {}
    for label, query in PAGE_QUERIES.items():
        response = client.get(path, query)  # warm
        assert response.status_code == 200, response.status_code
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(path, query)
            samples.append(time.perf_counter() - started)
        results[label] = (samples, len(response.content))
        log(f"  page {label}: p95 {seconds_text(percentile(samples, 0.95))}")
    return results


def sql_measure(*, repeats: int) -> dict[str, tuple[list[float], list[float]]]:
    """The two statements of each request alone: the count, and the page of 50."""
    from django.http import QueryDict

    from balai.marketplace.filters import catalog_filters_parse
    from balai.marketplace.selectors import catalog_region_parse, catalog_search

    timings = {}
    for label, params in QUERIES.items():
        query = {"kabupaten": KABUPATEN, **params} if "kecamatan" not in params else params
        query_dict = QueryDict(mutable=True)
        query_dict.update(query)
        level, code = catalog_region_parse(query_dict)
        listings = catalog_search(level=level, code=code, filters=catalog_filters_parse(query_dict))
        page = int(query.get("page", 1))
        counts, pages = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            listings.count()
            counted = time.perf_counter()
            list(listings[(page - 1) * 50 : page * 50])
            counts.append(counted - started)
            pages.append(time.perf_counter() - counted)
        timings[label] = (counts, pages)
    return timings


def hit_counts() -> dict[str, int]:
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    counts = {}
    for label, params in QUERIES.items():
        query = {"kabupaten": KABUPATEN, **params} if "kecamatan" not in params else params
        counts[label] = client.get("/api/catalog/", query).json()["count"]
    return counts


def explain(q: str) -> str:
    from django.db import connection

    from balai.marketplace.filters import CatalogFilters
    from balai.marketplace.selectors import catalog_search

    queryset = catalog_search(level="kabupaten", code=KABUPATEN, filters=CatalogFilters(q=q))[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# -- propagation with a real worker ----------------------------------------------------------


def propagation_villages() -> list:
    from balai.onboarding.services import village_onboard
    from balai.regions.models import Region
    from tenants.models import Village

    villages = []
    for code in PROPAGATION_VILLAGES:
        village = Village.objects.filter(region_id=code).first()
        if village is None:
            region = Region.objects.get(code=code)
            village = village_onboard(
                region_code=code,
                slug=bench_slug(code),
                name=region.name,
                local_term="kampung",
                admin_username="bench-economy-admin",
                admin_password=ADMIN_PASSWORD,
            ).village
        villages.append(village)
    return villages


def seller_with_products(village, count: int = 5) -> list:
    """A verified business with a few products in the village (made once, reused)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from services.economy import services
    from services.economy.models import Business, BusinessStatus, Product
    from services.residents.models import Resident

    with tenant_context(village):
        business = Business.objects.filter(name="Bench UMKM").first()
        if business is None:
            owner = Resident.objects.create(
                nik=f"1808114{random.randrange(10**8, 10**9)}", full_name="Pemilik Bench", sex="L"
            )
            business = services.business_register(
                owner=owner,
                data={"name": "Bench UMKM", "sector": "kuliner", "whatsapp": "081234567890"},
            )
            Business.objects.filter(pk=business.pk).update(status=BusinessStatus.VERIFIED)
        products = list(Product.objects.filter(business=business))
        for index in range(len(products), count):
            products.append(
                services.product_create(
                    business=business,
                    data={
                        "name": f"Keripik bench {index}",
                        "price": "10000",
                        "unit": "bungkus",
                        "category": "makanan",
                    },
                )
            )
    connection.set_schema_to_public()
    return products


def worker_start(log_path: Path) -> subprocess.Popen:
    from balai.celery_app import app

    app.control.purge()
    handle = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(REPO_DIR / ".venv/bin/balai"),
            "worker",
            "--pool",
            "solo",
            "-Q",
            "default,platform",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO_DIR,
        env={**os.environ, "DEBUG": "false"},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"worker exited: {log_path.read_text(errors='replace')[-2000:]}")
        if app.control.ping(timeout=0.5):
            return process
    raise SystemExit("worker did not answer a ping in 120 s")


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def propagation_measure(*, changes: int) -> list[float]:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from balai.marketplace.models import Listing
    from services.economy import services

    villages = propagation_villages()
    products = {village: seller_with_products(village) for village in villages}
    log_path = Path(tempfile.mkdtemp(prefix="bench-worker-")) / "worker.log"
    worker = worker_start(log_path)
    samples = []
    try:
        # Let the worker drain what setting up queued, then publish everything once.
        time.sleep(2)
        for index in range(changes):
            village = villages[index % len(villages)]
            product = products[village][index % len(products[village])]
            new_price = Decimal(11_000 + index * 10 + random.randrange(1, 9))
            with tenant_context(village):
                committed = time.perf_counter()
                # Commits, and on commit queues the publish.
                services.product_update(product=product, data={"price": str(new_price)})
            connection.set_schema_to_public()
            listing = Listing.objects.filter(village_code=village.region_id, product_id=product.pk)
            deadline = committed + 60
            while time.perf_counter() < deadline:
                if listing.filter(price=new_price).exists():
                    break
                time.sleep(0.005)
            else:
                raise SystemExit(f"change {index} did not appear within 60 s; see {log_path}")
            samples.append(time.perf_counter() - committed)
            time.sleep(0.2)  # changes a few hundred ms apart, not a burst
        typical, worst = seconds_text(median(samples)), seconds_text(max(samples))
        log(f"  propagation: median {typical}, max {worst}")
    finally:
        worker_stop(worker)
    return samples


# -- the report ------------------------------------------------------------------------------


def report(
    *,
    args,
    machine,
    fill_seconds,
    timings,
    sql_timings,
    counts,
    plans,
    propagation,
    listing_rows,
    pages,
) -> str:
    all_samples = [s for samples in timings.values() for s in samples]
    lines = [
        "# Kabupaten product catalog: search and propagation",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        "",
        "## Setup",
        "",
        f"- Public listing table (`marketplace_listing`): {listing_rows:,} rows, of which "
        f"{args.products:,} synthetic rows of {args.villages:,} villages in kabupaten "
        f"{KABUPATEN} (40 kecamatan x 25 villages, village codes from 2501: made up, clear "
        "of real ones), "
        f"filled directly in {fill_seconds:.1f} s, then VACUUM ANALYZEd.",
        f"- Product names from {len(GOODS)} Way Kanan goods x {len(QUALIFIERS)} qualifiers; "
        "prices, stock and categories random (seeded).",
        "- Search: `GET /api/catalog/?kabupaten=18.08&...` through Django's test client on the "
        "public host (routing, DRF, count query, one page of 50 rows, JSON). Each query once "
        f"to warm, then {args.repeats} timed requests.",
        "- Search is `UPPER(name) LIKE UPPER('%q%')` (Django `icontains`); indexes: pg_trgm "
        "GIN on `UPPER(name)`, btree (kabupaten_code, name) and (kecamatan_code, name).",
        "",
        "## Search, warm",
        "",
        "Whole request; the last two columns are the SQL alone (p50 of the COUNT and of the "
        "page of 50, timed separately), which shows where the time goes.",
        "",
        "| query | hits | p50 | p95 | max | SQL count p50 | SQL page p50 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, samples in timings.items():
        count_samples, page_samples = sql_timings[label]
        lines.append(
            f"| {label} | {counts[label]:,} | {seconds_text(median(samples))} | "
            f"{seconds_text(percentile(samples, 0.95))} | {seconds_text(max(samples))} | "
            f"{seconds_text(median(count_samples))} | {seconds_text(median(page_samples))} |"
        )
    lines += [
        f"| **all queries together** | | {seconds_text(median(all_samples))} | "
        f"**{seconds_text(percentile(all_samples, 0.95))}** | {seconds_text(max(all_samples))} "
        "| | |",
        "",
        "A pg_trgm GIN index on `UPPER(name)` exists, but the synthetic names have only "
        f"{len(GOODS) * len(QUALIFIERS)} distinct values, so every real search term here "
        "matches 2-10% of the rows. PostgreSQL then walks the (kabupaten_code, name) btree in "
        "page order and filters (plans below): cheap for terms early in the alphabet, dearer "
        "for late ones (q=tapis filters ~40k rows before it has 50), and it counts with a "
        "sequential scan. Real names are more varied, which favours the trigram index. If "
        "the catalog grows, the levers are the exact COUNT of page-number pagination (a "
        "capped count or cursor pagination) and ordering searches by relevance instead of "
        "name.",
        "",
    ]
    page_samples = [s for samples, _ in pages.values() for s in samples]
    lines += [
        f"## The public page `/katalog/{KABUPATEN}/`, warm",
        "",
        "What a visitor on the public host loads: the same selector, rendered as HTML with "
        "its filters and a page of products (each linking to its village's host).",
        "",
        "| query | HTML | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, (samples, size) in pages.items():
        lines.append(
            f"| {label} | {size / 1024:.1f} KB | {seconds_text(median(samples))} | "
            f"{seconds_text(percentile(samples, 0.95))} | {seconds_text(max(samples))} |"
        )
    lines += [
        f"| **all together** | | {seconds_text(median(page_samples))} | "
        f"**{seconds_text(percentile(page_samples, 0.95))}** | "
        f"{seconds_text(max(page_samples))} |",
        "",
    ]
    for q, plan in plans.items():
        lines += [f"Plan of the page query for `q={q}`:", "", "```", plan, "```", ""]
    lines += [
        "## Propagation: product change to catalog, with a running worker",
        "",
        f"- {len(PROPAGATION_VILLAGES)} real villages (onboarded from the template), one "
        "verified business with 5 products each; one `balai worker --pool solo -Q "
        "default,platform` process on the same machine, Redis broker.",
        f"- {len(propagation)} price changes via `services.economy.services.product_update`, "
        "round-robin over villages and products, 200 ms apart. Timed from the call of the "
        "service (its transaction commits, then queues `balai.economy.products_publish`) "
        "until the listing row in the public schema has the new price (polled every 5 ms).",
        "",
        "| changes | median | p95 | min | max |",
        "|---:|---:|---:|---:|---:|",
        f"| {len(propagation)} | **{seconds_text(median(propagation))}** | "
        f"{seconds_text(percentile(propagation, 0.95))} | {seconds_text(min(propagation))} | "
        f"{seconds_text(max(propagation))} |",
        "",
        "Each publish also refreshes the village's economy summary row (4 count/sum queries), "
        "so the time includes that. The nightly `balai.marketplace.resync_all` is not timed "
        "here: it only queues one `balai.economy.village_publish` per active village.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()

    django_setup()
    database_prepare()
    machine = machine_describe()

    log(f"filling the listing table: {args.villages} villages, {args.products} products")
    fill_seconds = listings_fill(villages=args.villages, products=args.products)
    log(f"filled in {fill_seconds:.1f} s")

    log("propagation with a real worker")
    propagation = propagation_measure(changes=args.changes)

    from balai.marketplace.models import Listing

    listing_rows = Listing.objects.count()
    log("search, warm")
    timings = search_measure(repeats=args.repeats)
    sql_timings = sql_measure(repeats=max(10, args.repeats // 5))
    log("the public catalog page, warm")
    pages = page_measure(repeats=args.repeats)
    counts = hit_counts()
    plans = {q: explain(q) for q in ("karet", "tapis")}
    machine.finish()
    results_write(
        "catalog_search",
        report(
            args=args,
            machine=machine,
            fill_seconds=fill_seconds,
            timings=timings,
            sql_timings=sql_timings,
            counts=counts,
            plans=plans,
            propagation=propagation,
            listing_rows=listing_rows,
            pages=pages,
        ),
        write=not args.print,
    )


if __name__ == "__main__":
    main()
