"""Weight and server time of the web pages.

1. Bytes of a first, uncached visit (HTML + the CSS and scripts it links; images
   excluded, and Balai uses no web fonts): the village home page, the login page, and a
   staff page that loads htmx. Raw bytes and gzip level 6 (what a compressing proxy
   sends); the HTML comes from the Django test Client, the assets from the static files
   Balai serves.
2. Server time, warm, p50/p95 over many requests of the Django test Client (the whole
   middleware stack, routing included, no network): the public home page and the
   platform admin's village list (first page of 50, and a search) with 1,000 villages.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_pages BALAI_ENV=development \
     .venv/bin/python bench/bench_pages.py [--villages 1000] [--requests 300]
"""

from __future__ import annotations

import argparse
import gzip
import re
import secrets
import time

from common import (
    command_line,
    database_prepare,
    django_setup,
    free_region_codes,
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
HOME_SLUG = "bench-pages-home"


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


def _timings(client, path: str, requests: int, params: dict | None = None) -> list[float]:
    for _ in range(20):  # warm: routing cache, template cache, connection
        assert client.get(path, params or {}).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path, params or {})
        times.append(time.perf_counter() - started)
    return times


def _home_village():
    """A village onboarded the full way (profile seeded), for the village home page."""
    from balai.onboarding.services import village_onboard
    from tenants.models import Village

    village = Village.objects.filter(slug=HOME_SLUG).first()
    if village is not None:
        return village, None
    result = village_onboard(
        region_code=free_region_codes()[0],
        slug=HOME_SLUG,
        local_term="kampung",
        admin_username="bench-pages-kakam",
        admin_password=secrets.token_urlsafe(12),  # the bench logs in with force_login
    )
    return result.village, result.admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.test import Client

    from balai.accounts.models import User, VillageMembership
    from balai.accounts.services import user_get_or_create
    from tenants.routing import village_host

    database_prepare()
    village, _ = _home_village()
    spent = villages_fill(args.villages)
    if spent:
        log(f"made villages in {spent:.1f} s")
    villages = village_count()
    log(f"{villages} villages present")
    admin, _ = user_get_or_create(
        username=BENCH_ADMIN, password=secrets.token_urlsafe(12), is_platform_admin=True
    )
    staff = User.objects.get(
        pk=VillageMembership.objects.filter(village=village).values("user_id")[:1]
    )
    machine = machine_describe()

    village_client = Client(HTTP_HOST=village_host(village.slug))
    staff_client = Client(HTTP_HOST=village_host(village.slug))
    staff_client.force_login(staff)
    weights = {
        "Village home `/` (anonymous)": _weigh(village_client, "/"),
        "Village login `/masuk/`": _weigh(village_client, "/masuk/"),
        "Staff dashboard `/kantor/` (loads htmx)": _weigh(staff_client, "/kantor/"),
    }

    public = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    admin_client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    admin_client.force_login(admin)
    log("timing pages")
    cases = {
        "Public home `/`": _timings(public, "/", args.requests),
        "Village home `/` (village host)": _timings(village_client, "/", args.requests),
        "Platform village list `/platform/desa/` (page 1 of 50)": _timings(
            admin_client, "/platform/desa/", args.requests
        ),
        "Platform village list, search `?q=jaya`": _timings(
            admin_client, "/platform/desa/", args.requests, {"q": "jaya"}
        ),
        "Platform village list, kecamatan filter": _timings(
            admin_client, "/platform/desa/", args.requests, {"kecamatan": village.kecamatan_code}
        ),
    }
    machine.finish()

    lines = [
        "# Web pages: weight and server time",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        f"- Villages present: {villages}",
        "",
        "## First, uncached visit (HTML + CSS + scripts; no images, no web fonts)",
        "",
        "Budget (issue 6): under 200 KB each. Raw is what a server without compression "
        "sends (runserver, gunicorn alone); gzip is what a compressing proxy sends.",
        "",
        "| Page | HTML | CSS + JS | Total raw | Total gzip | Within 200 KB | Assets |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for name, w in weights.items():
        total = w["html"] + w["assets"]
        lines.append(
            f"| {name} | {w['html'] / 1024:.1f} KB | {w['assets'] / 1024:.1f} KB | "
            f"{total / 1024:.1f} KB | {(w['html_gz'] + w['assets_gz']) / 1024:.1f} KB | "
            f"{'yes' if total < BUDGET else 'NO'} | {', '.join(w['names'])} |"
        )
    lines += [
        "",
        f"## Server time, warm ({args.requests} requests each, Django test Client)",
        "",
        "Targets (issue 6): public home under 30 ms p95.",
        "",
        "| Page | p50 | p95 | max |",
        "|---|---:|---:|---:|",
    ]
    for name, times in cases.items():
        lines.append(
            f"| {name} | {seconds_text(median(times))} | {seconds_text(percentile(times, 0.95))}"
            f" | {seconds_text(max(times))} |"
        )
    lines += [
        "",
        "How: the village list reads one page of 50 villages (`LIMIT 50` on the "
        "region-code order) plus a count and the two filter lists, so its cost hardly "
        "depends on the number of villages; the village home reads one profile row from "
        "the village schema after warm routing (no domain query).",
    ]
    results_write("pages", "\n".join(lines) + "\n", write=not args.print)


if __name__ == "__main__":
    main()
