"""Tenant routing overhead per request, with 1,000 villages present.

Times tenants.middleware.VillageRoutingMiddleware around a trivial view (RequestFactory
requests, no server): a village host (warm cache, one host and round-robin over every
village) against the public host pass-through and against no middleware at all; counts
the queries of warm and cold (first) lookups. Then the end to end: the Django test Client
GETting /healthz on village hosts, warm, p50/p95.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench BALAI_ENV=development \
     .venv/bin/python bench/bench_routing.py [--villages 1000] [--calls 20000]
"""

from __future__ import annotations

import argparse
import gc
import os
import time

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

WARM_TARGET = 0.0005


def _per_call_times(handler, requests: list, calls: int) -> list[float]:
    """Seconds of each call, cycling through ``requests``."""
    times = []
    perf = time.perf_counter
    count = len(requests)
    for index in range(calls):
        request = requests[index % count]
        started = perf()
        handler(request)
        times.append(perf() - started)
    return times


def _batch_mean(handler, requests: list, calls: int, repeats: int) -> list[float]:
    """Mean seconds per call of ``repeats`` batches (no per-call timer overhead)."""
    means = []
    count = len(requests)
    for _ in range(repeats):
        started = time.perf_counter()
        for index in range(calls):
            handler(requests[index % count])
        means.append((time.perf_counter() - started) / calls)
    return means


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=20000, help="middleware calls per batch")
    parser.add_argument("--repeats", type=int, default=7, help="batches per case")
    parser.add_argument("--cold", type=int, default=300, help="cold lookups to time")
    parser.add_argument("--client-requests", type=int, default=2000)
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    # The warm cost does not depend on the TTL (an expiry time is compared either way), but
    # a TTL longer than a batch keeps refreshes out of the warm figures on a loaded machine,
    # where warming 1,000 hosts can itself take seconds.
    os.environ.setdefault("BALAI_ROUTING_CACHE_SECONDS", "120")
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from tenants.middleware import VillageRoutingMiddleware
    from tenants.models import Village
    from tenants.routing import routing_cache_clear, village_host

    database_prepare()
    villages_fill(args.villages)
    machine = machine_describe()
    total_villages = village_count()
    hosts = [
        village_host(slug) for slug in Village.objects.order_by("?").values_list("slug", flat=True)
    ]
    hosts_schemas = list(Village.objects.values_list("schema_name", flat=True))
    public_host = settings.BALAI_BASE_DOMAIN
    factory = RequestFactory()
    village_requests = [factory.get("/healthz", HTTP_HOST=host) for host in hosts]
    one_village_request = [village_requests[0]]
    public_requests = [factory.get("/healthz", HTTP_HOST=public_host)]
    ok = HttpResponse("ok")

    def trivial_view(request):
        return ok

    middleware = VillageRoutingMiddleware(trivial_view)

    sync_seconds = getattr(settings, "BALAI_ROUTING_SYNC_SECONDS", 0.0)

    def warm_all() -> None:
        # Fresh entries for every host. routing_cache_clear() also bumps the generation in
        # Redis, which this process notices (and clears its cache for, once more) at its
        # next sync; wait for that sync before warming, so that the timed batches that
        # follow see neither a sync-triggered clear nor an expiry.
        routing_cache_clear()
        if sync_seconds:
            time.sleep(sync_seconds + 0.05)
            middleware(village_requests[0])
        for request in village_requests:
            middleware(request)

    cases = {
        "no middleware (trivial view only)": (trivial_view, public_requests),
        "public host, pass-through": (middleware, public_requests),
        "village host, warm, same host": (middleware, one_village_request),
        f"village host, warm, round-robin over {len(hosts):,} hosts": (
            middleware,
            village_requests,
        ),
    }
    batch: dict[str, list[float]] = {}
    single: dict[str, list[float]] = {}
    warm_queries: dict[str, int] = {}
    gc.collect()
    for name, (handler, requests) in cases.items():
        log(f"timing: {name}")
        batch_means = []
        for _ in range(args.repeats):
            warm_all()
            with CaptureQueriesContext(connection) as queries:
                batch_means += _batch_mean(handler, requests, args.calls, 1)
            warm_queries[name] = warm_queries.get(name, 0) + len(queries)
        batch[name] = batch_means
        warm_all()
        single[name] = _per_call_times(handler, requests, min(args.calls, 10000))
    calls_per_case = args.calls * args.repeats

    log(f"cold lookups: {args.cold}")
    cold_times = []
    cold_queries = []
    for request in village_requests[: args.cold]:
        routing_cache_clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            middleware(request)
            cold_times.append(time.perf_counter() - started)
        cold_queries.append(len(queries))

    log("SET search_path round trips")
    set_path_times = []
    with connection.cursor() as cursor:
        for index in range(2000):
            schema = hosts_schemas[index % len(hosts_schemas)]
            started = time.perf_counter()
            cursor.execute(f'SET search_path = "{schema}", "public"')
            set_path_times.append(time.perf_counter() - started)
    connection.set_schema_to_public()

    log(f"end to end: {args.client_requests} test-client GETs per case")
    client = Client()
    e2e: dict[str, tuple[list[float], float, str]] = {}
    e2e_cases = {
        "village host, same host": [hosts[0]],
        f"village host, round-robin over {len(hosts):,} hosts": hosts,
        "public host": [public_host],
    }
    for name, case_hosts in e2e_cases.items():
        warm_all()
        for host in case_hosts[:50]:
            assert client.get("/healthz", headers={"host": host}).status_code == 200
        times = []
        with CaptureQueriesContext(connection) as queries:
            for index in range(args.client_requests):
                host = case_hosts[index % len(case_hosts)]
                started = time.perf_counter()
                response = client.get("/healthz", headers={"host": host})
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as one:
            client.get("/healthz", headers={"host": case_hosts[0]})
        statements = "; ".join(f"`{query['sql'][:40]}`" for query in one.captured_queries)
        e2e[name] = (times, len(queries) / args.client_requests, statements)
    machine.finish()

    baseline = median(batch["no middleware (trivial view only)"])
    lines = [
        "# Tenant routing overhead",
        "",
        machine.markdown(),
        f"- Command: `{command_line()}`",
        f"- Villages present: {total_villages:,} (made by template replay + bulk rows), "
        f"routing cache TTL {settings.BALAI_ROUTING_CACHE_SECONDS:g} s for this run (the "
        "default is 10 s: a longer TTL keeps expiries out of the warm batches; it does not "
        "change the cost of a warm lookup), DEBUG off. Warm figures include the routing "
        "cache's generation check (one Redis GET per process every "
        f"{sync_seconds:g} s).",
        "",
        "## Middleware alone (RequestFactory requests, trivial view)",
        "",
        f"Batch figure: median over {args.repeats} batches of {args.calls:,} calls of the mean "
        "time per call. Per-call p50/p95/p99: one timer per call over "
        f"{min(args.calls, 10000):,} calls (includes ~0.1 µs of timer overhead). Overhead is "
        "the batch figure minus the no-middleware batch figure.",
        "",
        "| Case | per call (batch) | overhead | p50 | p95 | p99 | DB queries in "
        f"{calls_per_case:,} warm calls |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in cases:
        value = median(batch[name])
        lines.append(
            f"| {name} | **{seconds_text(value)}** | {seconds_text(max(0.0, value - baseline))} | "
            f"{seconds_text(percentile(single[name], 0.5))} | "
            f"{seconds_text(percentile(single[name], 0.95))} | "
            f"{seconds_text(percentile(single[name], 0.99))} | {warm_queries[name]} |"
        )
    warm_village = max(median(batch[name]) for name in list(cases)[2:])
    verdict = "met" if warm_village - baseline < WARM_TARGET else "**missed**"
    lines += [
        "",
        f"Target: warm routing overhead under {seconds_text(WARM_TARGET)}: {verdict} "
        f"(worst warm village case {seconds_text(warm_village - baseline)} over the trivial view).",
        "",
        f"Cold (first) lookup, cache cleared before each of {len(cold_times)} hosts: "
        f"median **{seconds_text(median(cold_times))}**, p95 "
        f"{seconds_text(percentile(cold_times, 0.95))}; DB queries per cold request: "
        f"{min(cold_queries)}–{max(cold_queries)} (`SET search_path` back to public, then one "
        "Domain + Village + Region join). With the default TTL of 10 s a busy host pays this "
        "once per 10 s per process.",
        "",
        "## End to end: test Client GET /healthz (full middleware stack, one SELECT 1)",
        "",
        f"{args.client_requests:,} warm requests per case. The test Client skips the "
        "request_started/finished connection checks (CONN_HEALTH_CHECKS ping) that a real "
        "server does once per request, and there is no WSGI server or network in the figure.",
        "",
        "| Case | p50 | p95 | mean | queries per request | statements of one request |",
        "|---|---|---|---|---|---|",
    ]
    for name, (times, queries_per_request, statements) in e2e.items():
        lines.append(
            f"| {name} | **{seconds_text(percentile(times, 0.5))}** | "
            f"{seconds_text(percentile(times, 0.95))} | "
            f"{seconds_text(sum(times) / len(times))} | {queries_per_request:.2f} | "
            f"{statements} |"
        )
    lines += [
        "",
        "Every request that touches the database pays one `SET search_path`, even on the same "
        "host: the middleware calls `set_schema_to_public()` then `set_tenant()`, and "
        "django-tenants forgets the path it set on every such call, so "
        "TENANT_LIMIT_SET_CALLS only saves the SET between cursors of one request. That "
        "round trip is the only per-request database cost of routing once the host is "
        "cached: measured alone over this connection, median "
        f"{seconds_text(median(set_path_times))}, p95 "
        f"{seconds_text(percentile(set_path_times, 0.95))} (2,000 round trips).",
    ]
    results_write("routing", "\n".join(lines) + "\n", write=not args.print)


if __name__ == "__main__":
    main()
