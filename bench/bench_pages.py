"""Weight and server time of the web pages.

1. Bytes of a first, uncached visit (HTML + the CSS and scripts it links; images
   excluded, and Balai uses no web fonts): the village home page, the login page, and a
   staff page that loads htmx. Raw bytes and gzip level 6 (what a compressing proxy
   sends); the HTML comes from the Django test Client, the assets from the static files
   Balai serves.
   Also the letter request form (as a resident) and the staff resident list of 50 rows.
2. Server time, warm, p50/p95 over many requests of the Django test Client (the whole
   middleware stack, routing included, no network) with 1,000 villages present and
   20,000 residents in the measured village (bench_registry's village): the public and
   village home pages, the platform village list, the staff resident list, statistics,
   and the supervisor's dashboard and comparison table for the whole kabupaten.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_pages BALAI_ENV=development \
     .venv/bin/python bench/bench_pages.py [--villages 1000] [--requests 300]
"""

from __future__ import annotations

import argparse
import gzip
import re
import secrets
import time

from bench_registry import village_get_or_make
from common import (
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    median,
    percentile,
    results_write,
    seconds_text,
    village_count,
    villages_fill,
)

BUDGET = 200 * 1024
# Stylesheets and scripts; a feed's <link rel="alternate"> is not loaded by the page.
ASSET_PATTERN = re.compile(r'<(?:link rel="stylesheet"|script)[^>]+(?:href|src)="([^"]+)"')
BENCH_ADMIN = "bench-pages-admin"
BENCH_SUPERVISOR = "bench-pages-supervisor"
LIST_BUDGET = 100 * 1024
RESIDENT_PIN = "135790"


def _asset_bytes(html: str) -> tuple[int, int, list[str]]:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    raw = gz = 0
    names = []
    for url in ASSET_PATTERN.findall(html):
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        with open(path, "rb") as handle:
            body = handle.read()
        raw += len(body)
        gz += len(gzip.compress(body, 6))
        names.append(url.rsplit("/", 1)[-1])
    return raw, gz, names


def _weigh(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content
    raw, gz, names = _asset_bytes(html.decode())
    return {
        "html": len(html),
        "html_gz": len(gzip.compress(html, 6)),
        "assets": raw,
        "assets_gz": gz,
        "names": names,
    }


def _timings(
    client, path: str, requests: int, params: dict | None = None, before=None
) -> list[float]:
    for _ in range(20):  # warm: routing cache, template cache, connection
        assert client.get(path, params or {}).status_code == 200
    times = []
    for _ in range(requests):
        if before is not None:
            before()
        started = time.perf_counter()
        client.get(path, params or {})
        times.append(time.perf_counter() - started)
    return times


def _statistics_forget(village):
    """Forget the village's cached statistics: the next page computes them afresh."""
    from django.core.cache import cache
    from django.utils import timezone

    from services.residents.statistics import statistics_cache_key

    key = statistics_cache_key(village.schema_name, timezone.localdate())
    return lambda: cache.delete(key)


def _resident_client(village, host: str):
    """A client signed in as one resident of ``village`` (a PIN set for the bench)."""
    from django.test import Client
    from django_tenants.utils import schema_context

    from services.residents.models import Resident
    from services.residents.services import resident_account_set_pin

    with schema_context(village.schema_name):
        resident = Resident.objects.order_by("pk").first()
        resident_account_set_pin(resident=resident, pin=RESIDENT_PIN)
        nik = resident.nik
    client = Client(HTTP_HOST=host)
    response = client.post(
        "/masuk/", {"kind": "resident", "resident-nik": nik, "resident-pin": RESIDENT_PIN}
    )
    assert response.status_code == 302, response.status_code
    return client


def _path(name: str, urlconf: str, *args) -> str | None:
    """The page's path, or None when this checkout has no such page yet."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _letter_form_path(village) -> str | None:
    from django_tenants.utils import schema_context

    from services.letters.models import LetterType

    with schema_context(village.schema_name):
        letter_type = LetterType.objects.order_by("pk").first()
    if letter_type is None:
        return None
    for arg in (letter_type.code, letter_type.pk):
        path = _path("page-letter-request-form", "balai.urls_village", arg)
        if path:
            return path
    return _path("page-letter-request", "balai.urls_village")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from balai.accounts.models import User, VillageMembership
    from balai.accounts.services import supervisor_assign, user_get_or_create
    from services.residents.models import Resident
    from tenants.routing import village_host

    database_prepare()
    # The village of bench_registry: 20,000 residents in 6,000 families, onboarded fully.
    village = village_get_or_make()
    spent = villages_fill(args.villages)
    if spent:
        log(f"made villages in {spent:.1f} s")
    villages = village_count()
    with schema_context(village.schema_name):
        residents = Resident.objects.count()
    log(f"{villages} villages present; {residents} residents in {village.slug}")
    admin, _ = user_get_or_create(
        username=BENCH_ADMIN, password=secrets.token_urlsafe(12), is_platform_admin=True
    )
    supervisor, _ = user_get_or_create(
        username=BENCH_SUPERVISOR, password=secrets.token_urlsafe(12)
    )
    supervisor_assign(user=supervisor, region_code=village.kabupaten_code)
    staff = User.objects.get(
        pk=VillageMembership.objects.filter(village=village).values("user_id")[:1]
    )
    machine = machine_describe()

    host = village_host(village.slug)
    village_client = Client(HTTP_HOST=host)
    staff_client = Client(HTTP_HOST=host)
    staff_client.force_login(staff)
    resident_client = _resident_client(village, host)
    public = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    admin_client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    admin_client.force_login(admin)
    supervisor_client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    supervisor_client.force_login(supervisor)

    village_urls = "balai.urls_village"
    resident_list = _path("page-resident-list", village_urls)
    statistics = _path("page-statistics", village_urls)
    letter_form = _letter_form_path(village)
    supervisor_dashboard = _path("supervisor-dashboard", "balai.urls_public")
    comparison = _path("page-supervisor-compare", "balai.urls_public")

    weights = {
        "Village home `/` (anonymous)": _weigh(village_client, "/"),
        "Village login `/masuk/`": _weigh(village_client, "/masuk/"),
        "Staff dashboard `/kantor/` (loads htmx)": _weigh(staff_client, "/kantor/"),
    }
    if letter_form:
        weights[f"Letter request form `{letter_form}` (resident)"] = _weigh(
            resident_client, letter_form
        )
    if resident_list:
        weights[f"Staff resident list `{resident_list}` (50 rows)"] = _weigh(
            staff_client, resident_list
        )

    log("timing pages")
    cases = {
        "Public home `/`": (public, "/", None),
        "Village home `/` (village host)": (village_client, "/", None),
        "Platform village list `/platform/desa/` (page 1 of 50)": (
            admin_client,
            "/platform/desa/",
            None,
        ),
        "Platform village list, search `?q=jaya`": (admin_client, "/platform/desa/", {"q": "jaya"}),
    }
    if resident_list:
        cases[f"Staff resident list `{resident_list}` (50 of {residents})"] = (
            staff_client,
            resident_list,
            None,
        )
        cases["Staff resident list, name search `?q=siti`"] = (
            staff_client,
            resident_list,
            {"q": "siti"},
        )
    if statistics:
        cases[f"Statistics `{statistics}` ({residents} residents)"] = (
            staff_client,
            statistics,
            None,
        )
    if supervisor_dashboard:
        cases[f"Supervisor dashboard `{supervisor_dashboard}` (kabupaten, {villages} villages)"] = (
            supervisor_client,
            supervisor_dashboard,
            None,
        )
    if comparison:
        cases[f"Supervisor comparison `{comparison}` (kabupaten)"] = (
            supervisor_client,
            comparison,
            None,
        )
    timings = {}
    for name, (client, path, params) in cases.items():
        log(f"  {name}")
        timings[name] = _timings(client, path, args.requests, params)
    if statistics:
        name = f"Statistics `{statistics}`, cache forgotten before each request (cold)"
        log(f"  {name}")
        timings[name] = _timings(
            staff_client,
            statistics,
            max(30, args.requests // 5),
            before=_statistics_forget(village),
        )
    machine.finish()

    lines = [
        "# Web pages: weight and server time",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        f"- Villages present: {villages}; the measured village has {residents} residents",
        "",
        "## First, uncached visit (HTML + CSS + scripts; no images, no web fonts)",
        "",
        "Budget (issue 6): under 200 KB each, and a staff list of 50 rows under 100 KB of "
        "HTML. Raw is what a server without compression sends (runserver, gunicorn alone); "
        "gzip is what a compressing proxy sends.",
        "",
        "| Page | HTML | CSS + JS | Total raw | Total gzip | Within budget | Assets |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for name, w in weights.items():
        total = w["html"] + w["assets"]
        within = w["html"] < LIST_BUDGET if "50 rows" in name else total < BUDGET
        lines.append(
            f"| {name} | {w['html'] / 1024:.1f} KB | {w['assets'] / 1024:.1f} KB | "
            f"{total / 1024:.1f} KB | {(w['html_gz'] + w['assets_gz']) / 1024:.1f} KB | "
            f"{'yes' if within else 'NO'} | {', '.join(w['names'])} |"
        )
    lines += [
        "",
        f"## Server time, warm ({args.requests} requests each, Django test Client)",
        "",
        "Targets (issue 6), p95 warm with 20,000 residents: public home under 30 ms, staff "
        "resident list under 50 ms, statistics under 50 ms, supervisor dashboard under 100 ms "
        "with 1,000 villages.",
        "",
        "| Page | p50 | p95 | max |",
        "|---|---:|---:|---:|",
    ]
    for name, times in timings.items():
        lines.append(
            f"| {name} | {seconds_text(median(times))} | {seconds_text(percentile(times, 0.95))}"
            f" | {seconds_text(max(times))} |"
        )
    missing = [
        name
        for name, path in {
            "staff resident list": resident_list,
            "statistics": statistics,
            "letter request form": letter_form,
            "supervisor comparison": comparison,
        }.items()
        if not path
    ]
    if missing:
        lines += ["", f"Not measured (no such page in this checkout): {', '.join(missing)}."]
    lines += [
        "",
        "How: the village home reads the village's cached home data and caches its rendered "
        "body (a warm visit runs no SQL); the resident list reads one page of 50 by id "
        "(id-first paginator) plus the filter lists; statistics read through a per-village, "
        "per-day cache that every change to the register forgets (the cold row is the first "
        "visit after a change). The supervisor pages here read roll-up tables that "
        "`villages_fill` leaves mostly empty; `bench/results/supervisor_pages.md` times them "
        "with a month of roll-up rows for 1,000 villages.",
    ]
    results_write("pages", "\n".join(lines) + "\n", write=not args.print)


if __name__ == "__main__":
    main()
