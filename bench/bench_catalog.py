"""Catalog size and per-connection memory with 1,000 villages.

1. The catalog: pg_class rows, relations per village schema, size of the pg_catalog
   relations and of the database.
2. One process, one connection, the stats refresh of every village in turn (what a worker
   does when it serves one task per village): the PostgreSQL backend's memory after each
   100 villages, read from its own pg_backend_memory_contexts and from /proc/<pid>/status;
   then the same with the connection recycled every --bound villages.
3. A real Celery worker (`balai worker --pool prefork --concurrency 1`) serving one
   ``balai.village.stats_refresh`` task per village, without a bound on tasks per child and
   with CELERY_WORKER_MAX_TASKS_PER_CHILD=--bound: the RSS of the worker processes and of
   the PostgreSQL backend serving the pool child (found by its application_name).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench \
     REDIS_URL=redis://127.0.0.1:6379/15 BALAI_ENV=development \
     .venv/bin/python bench/bench_catalog.py [--villages 1000] [--bound 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

from common import (
    REPO_DIR,
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    results_write,
    village_count,
    villages_fill,
    villages_seed_defaults,
)

MIB = 1024 * 1024
WORKER_APP_NAME = "balai-bench-worker"
# "Unbounded": far more tasks than the run queues, so the pool child is never replaced.
UNBOUNDED = 1_000_000


def proc_memory(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon (private memory: where the catalog caches live), RssShmem, in bytes."""
    fields = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "RssAnon", "RssShmem", "VmHWM"}:
            fields[name] = int(value.split()[0]) * 1024
    return fields


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / MIB:.1f} MiB"


# -- 1. the catalog ------------------------------------------------------------------------


def catalog_figures() -> dict[str, object]:
    from django.db import connection

    from tenants.models import Village

    sample_schema = Village.objects.order_by("pk").values_list("schema_name", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        pg_class = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_attribute")
        pg_attribute = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_namespace")
        namespaces = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s GROUP BY c.relkind "
            "ORDER BY count(*) DESC",
            [sample_schema],
        )
        per_village = cursor.fetchall()
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'"
        )
        catalog_bytes = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r' "
            "ORDER BY 2 DESC LIMIT 6"
        )
        largest = cursor.fetchall()
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
    return {
        "pg_class": pg_class,
        "pg_attribute": pg_attribute,
        "namespaces": namespaces,
        "per_village": per_village,
        "catalog_bytes": catalog_bytes,
        "largest": largest,
        "database_bytes": database_bytes,
    }


# -- 2. one connection visiting every village -------------------------------------------------


def own_backend_memory() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), sum(total_bytes), "
            "sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext' "
            "OR parent = 'CacheMemoryContext') FROM pg_backend_memory_contexts"
        )
        pid, total, cache = cursor.fetchone()
    return {"pid": pid, "contexts": int(total), "cache": int(cache), **proc_memory(pid)}


def village_tables(schema: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def in_process_scan(
    schemas: list[str], *, bound: int | None, every_table: bool = False
) -> list[tuple[int, dict[str, int]]]:
    """Refresh the stats of each village over one connection; memory every 100 villages.

    With ``bound``, the connection is closed every ``bound`` villages, as CONN_MAX_AGE or
    worker_max_tasks_per_child would do. With ``every_table``, a ``count(*)`` of every
    table of the village instead (planning it opens each table and all its indexes).
    """
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from services.village.services import village_stats_refresh

    tables = village_tables(schemas[0]) if every_table else []
    connection.close()
    connection.set_schema_to_public()
    samples = [(0, own_backend_memory())]
    for index, schema in enumerate(schemas, start=1):
        with schema_context(schema):
            if every_table:
                with connection.cursor() as cursor:
                    for table in tables:
                        cursor.execute(f'SELECT count(*) FROM "{table}"')
            else:
                village_stats_refresh(as_of=timezone.now())
        if index % 100 == 0 or index == len(schemas):
            samples.append((index, own_backend_memory()))
            log(f"  {index} villages: backend {mib(samples[-1][1].get('RssAnon'))} private")
        if bound and index % bound == 0:
            connection.close()
    connection.close()
    return samples


# -- 3. a real Celery worker --------------------------------------------------------------------


def worker_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND datname = current_database() ORDER BY backend_start",
            [WORKER_APP_NAME],
        )
        return [row[0] for row in cursor.fetchall()]


def worker_processes(pid: int) -> dict[str, int]:
    import psutil

    main = psutil.Process(pid)
    memory = {"main": main.memory_info().rss}
    for index, child in enumerate(main.children(recursive=True)):
        memory[f"child {index + 1}"] = child.memory_info().rss
    return memory


def queues_clear() -> None:
    """Empty the two bench queues on this run's own Redis database."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete("default", "platform")


WORKER_ARGS = [
    "--pool",
    "prefork",
    "--concurrency",
    "1",
    "-Q",
    "default,platform",
    "--loglevel",
    "WARNING",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]
# The same worker as `balai worker`, with Celery's CELERY_DB_REUSE_MAX set: Celery's Django
# fixup otherwise closes the database connection before and after every task.
REUSE_LAUNCHER = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
from balai.celery_app import app
app.conf.CELERY_DB_REUSE_MAX = int(sys.argv[1])
app.worker_main(["worker", *sys.argv[2:]])
"""


def worker_command(*, name: str, db_reuse_max: int | None) -> list[str]:
    args = [*WORKER_ARGS, "-n", f"{name}@%h"]
    if db_reuse_max is None:
        return [str(REPO_DIR / ".venv" / "bin" / "balai"), "worker", *args]
    python = str(REPO_DIR / ".venv" / "bin" / "python")
    return [python, "-c", REUSE_LAUNCHER, str(db_reuse_max), *args]


def worker_start(command: list[str], max_tasks_per_child: int, log_path: Path):
    env = {
        **os.environ,
        "CELERY_WORKER_MAX_TASKS_PER_CHILD": str(max_tasks_per_child),
        "DB_APPLICATION_NAME": WORKER_APP_NAME,
        "LOG_LEVEL": "WARNING",
    }
    handle = log_path.open("w")
    return subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)


def sessions_opened() -> int:
    """Connections ever opened to this database (pg_stat_database.sessions, PG 14+)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def worker_wait_ready(timeout: float = 60) -> None:
    from balai.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the worker did not answer a ping within a minute")


def worker_run(
    schemas: list[str], *, max_tasks_per_child: int, db_reuse_max: int | None
) -> dict[str, object]:
    """Start a worker, queue one stats refresh per village, sample memory as it works."""
    from django.utils import timezone

    from balai.celery_app import SCHEMA_HEADER
    from services.village.tasks import village_stats_refresh

    queues_clear()
    name = f"bench-{max_tasks_per_child}-{db_reuse_max or 0}"
    log_path = REPO_DIR / ".balai-data" / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = worker_command(name=name, db_reuse_max=db_reuse_max)
    process = worker_start(command, max_tasks_per_child, log_path)
    try:
        worker_wait_ready()
        idle = worker_processes(process.pid)
        time.sleep(1.5)  # let pending session statistics reach pg_stat_database
        sessions_before = sessions_opened()
        requested_at = timezone.now().isoformat()
        started = time.perf_counter()
        results = [
            village_stats_refresh.apply_async(
                kwargs={"requested_at": requested_at}, headers={SCHEMA_HEADER: schema}
            )
            for schema in schemas
        ]
        samples: list[tuple[int, dict[int, dict[str, int]]]] = []
        backends_seen: set[int] = set()
        peak_private = 0
        failed = 0
        for index, result in enumerate(results, start=1):
            result.get(timeout=120, propagate=False)
            if result.failed():
                failed += 1
            if index % 50 == 0 or index == len(results):
                backends = {pid: proc_memory(pid) for pid in worker_backends()}
                backends_seen.update(backends)
                peak_private = max(
                    [peak_private, *(m.get("RssAnon", 0) for m in backends.values())]
                )
                if index % 100 == 0 or index == len(results):
                    samples.append((index, backends))
                    private = ", ".join(mib(m.get("RssAnon")) for m in backends.values())
                    log(f"  {index} tasks done: worker backend(s) {private} private")
        seconds = time.perf_counter() - started
        busy = worker_processes(process.pid)
        time.sleep(1.5)
        # Minus the one connection of this process's own sampling, if it reconnected.
        sessions = sessions_opened() - sessions_before
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {
        "max_tasks_per_child": max_tasks_per_child,
        "db_reuse_max": db_reuse_max,
        "sessions": sessions,
        "command": command,
        "samples": samples,
        "idle": idle,
        "busy": busy,
        "seconds": seconds,
        "failed": failed,
        "backends_seen": len(backends_seen),
        "peak_private": peak_private,
        "log": log_path,
    }


# -- the report ---------------------------------------------------------------------------------


def _scan_table(samples: list[tuple[int, dict[str, int]]]) -> list[str]:
    lines = [
        "| villages visited | backend private (RssAnon) | backend RSS | all memory contexts "
        "| CacheMemoryContext |",
        "|---|---|---|---|---|",
    ]
    for index, memory in samples:
        lines.append(
            f"| {index:,} | {mib(memory.get('RssAnon'))} | {mib(memory.get('VmRSS'))} | "
            f"{mib(memory['contexts'])} | {mib(memory['cache'])} |"
        )
    return lines


def _cache_shrank(samples: list[tuple[int, dict[str, int]]]) -> list[str]:
    """A warning when the catalog cache shrank during a scan that never reconnected."""
    caches = [memory["cache"] for _, memory in samples]
    if all(later >= earlier * 0.95 for earlier, later in zip(caches, caches[1:], strict=False)):
        return []
    return [
        "",
        "**Disturbed:** CacheMemoryContext shrank between samples although the connection "
        "was never closed: the backend's caches were reset during the scan, most likely "
        "because DDL from other sessions (other helpers' test databases) overflowed "
        "PostgreSQL's shared invalidation queue. The growth figure understates the cost.",
    ]


def _per_village(samples: list[tuple[int, dict[str, int]]], key: str) -> float:
    (first_index, first), (last_index, last) = samples[0], samples[-1]
    return (last.get(key, 0) - first.get(key, 0)) / max(1, last_index - first_index)


def _worker_section(run: dict[str, object], title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"{len(run['samples']) and run['samples'][-1][0]:,} tasks in {run['seconds']:.1f} s "
        f"({run['seconds'] / max(1, len(run['samples']) and run['samples'][-1][0]) * 1000:.1f}"
        f" ms per task; {run['failed']} failed). Connections opened to the database during "
        f"the run: **{run['sessions']:,}**; worker backends seen by the samples: "
        f"{run['backends_seen']}; peak private memory of one worker backend when sampled: "
        + (f"**{mib(run['peak_private'])}**." if run["peak_private"] else "none open."),
        "",
        "| tasks done | worker backend(s): private (RssAnon) / RSS |",
        "|---|---|",
    ]
    for index, backends in run["samples"]:
        if not backends:
            continue
        cells = "; ".join(
            f"pid {pid}: {mib(m.get('RssAnon'))} / {mib(m.get('VmRSS'))}"
            for pid, m in backends.items()
        )
        lines.append(f"| {index:,} | {cells or 'none open'} |")
    idle = ", ".join(f"{name} {mib(value)}" for name, value in run["idle"].items())
    busy = ", ".join(f"{name} {mib(value)}" for name, value in run["busy"].items())
    if not any(backends for _, backends in run["samples"]):
        lines.append("| – | no worker connection open when sampled |")
    lines += [
        "",
        f"Worker processes' RSS: idle {idle}; after the run {busy}.",
        "",
        "Command (with CELERY_WORKER_MAX_TASKS_PER_CHILD, DB_APPLICATION_NAME in the env): `"
        + " ".join(part if "\n" not in part else "<launcher>" for part in run["command"])
        + "`",
        "",
    ]
    return lines


def _reading(*, unbounded, every_table, relations_per_village, runs) -> list[str]:
    task_growth = _per_village(unbounded, "RssAnon")
    all_growth = _per_village(every_table, "RssAnon")
    per_relation = all_growth / relations_per_village
    lines = [
        "## What this means",
        "",
        f"- A backend's memory grows linearly with the villages it has served: "
        f"{task_growth / 1024:.0f} KiB per village for the stats task, "
        f"{all_growth / 1024:.0f} KiB per village when every table is touched "
        f"(≈ {per_relation / 1024:.1f} KiB per relation opened). With today's "
        f"{relations_per_village}-relation village schema that is far below the ~2 MB per "
        "schema assumed in the settings.py comments and deploy/README.md; 2 MB per village would "
        f"take about {2 * MIB / per_relation:.0f} relations opened per village at this rate. "
        "The growth will rise with the schema: re-run this when the village apps grow.",
    ]
    if len(runs) >= 3:
        shipped, kept, bounded = runs[:3]
        lines += [
            "- As shipped, Celery's Django fixup closes the database connection before and "
            "after every task (CELERY_DB_REUSE_MAX is not set), so worker backends never "
            f"accumulate catalog cache: {shipped['sessions']:,} connections were opened for "
            f"{tasks_of(shipped):,} tasks (≈ {shipped['sessions'] / max(1, tasks_of(shipped)):.1f} "
            "per task: one for tenant-schemas-celery's lookup of the village, a miss of its "
            "30 s tenant cache since every task is another village, closed at once by the "
            "fixup, and one for the task itself), and a task took "
            f"{shipped['seconds'] / tasks_of(shipped) * 1000:.0f} ms against "
            f"{kept['seconds'] / tasks_of(kept) * 1000:.0f} ms with the connection kept. "
            "CELERY_WORKER_MAX_TASKS_PER_CHILD bounds nothing on the PostgreSQL side in this "
            "configuration; the price is new backends (fork, authentication, cold catalog "
            "cache) for every task.",
            f"- With connections kept, the worker's backend grows exactly like the single "
            f"connection above ({mib(kept['peak_private'])} private after "
            f"{tasks_of(kept):,} villages), and CELERY_WORKER_MAX_TASKS_PER_CHILD="
            f"{bounded['max_tasks_per_child']} caps it at {mib(bounded['peak_private'])}: the "
            "bound works, because a recycled pool process takes its connection, and so its "
            "backend, with it.",
        ]
    return lines


def tasks_of(run: dict[str, object]) -> int:
    return run["samples"][-1][0] if run["samples"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--bound", type=int, default=200, help="tasks per child / connection")
    parser.add_argument("--skip-worker", action="store_true", help="no Celery worker runs")
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    django_setup()
    from django.conf import settings

    from tenants.models import Village

    database_prepare()
    villages_fill(args.villages)
    seeded = villages_seed_defaults()
    if seeded:
        log(f"seeded the village profile of {seeded} villages")
    machine = machine_describe()
    schemas = list(Village.objects.order_by("pk").values_list("schema_name", flat=True))

    log("catalog figures")
    catalog = catalog_figures()
    log(f"one connection, {len(schemas)} villages, no bound")
    unbounded = in_process_scan(schemas, bound=None)
    log(f"one connection, {len(schemas)} villages, recycled every {args.bound}")
    bounded = in_process_scan(schemas, bound=args.bound)
    log(f"one connection, every table of {len(schemas)} villages, no bound")
    every_table = in_process_scan(schemas, bound=None, every_table=True)
    runs = []
    if not args.skip_worker:
        cases = [
            (
                "As shipped: `balai worker`, no bound on tasks per child",
                UNBOUNDED,
                None,
            ),
            (
                "Connections kept (CELERY_DB_REUSE_MAX=1,000,000), no bound on tasks per child",
                UNBOUNDED,
                UNBOUNDED,
            ),
            (
                "Connections kept (CELERY_DB_REUSE_MAX=1,000,000), "
                f"CELERY_WORKER_MAX_TASKS_PER_CHILD={args.bound}",
                args.bound,
                UNBOUNDED,
            ),
        ]
        for title, limit, reuse in cases:
            log(f"Celery worker: {title}")
            run = worker_run(schemas, max_tasks_per_child=limit, db_reuse_max=reuse)
            runs.append((title, run))
    machine.finish()

    villages = village_count()
    tables_per_village = len(village_tables(schemas[0]))
    relations_per_village = sum(count for _, count in catalog["per_village"])
    all_per_village = _per_village(every_table, "RssAnon")
    kinds = ", ".join(f"{count} {kind}" for kind, count in catalog["per_village"])
    lines = [
        f"# Catalog size and connection memory with {villages:,} villages",
        "",
        machine.markdown(),
        f"- Command: `{command_line()}`",
        f"- Villages: {villages:,}, made by template replay + bulk Village/Domain rows, each "
        "with its village profile seeded.",
        "",
        "## The catalog",
        "",
        f"- pg_class: **{catalog['pg_class']:,} rows**; pg_attribute: "
        f"{catalog['pg_attribute']:,} rows; {catalog['namespaces']:,} schemas.",
        f"- One village schema holds {sum(c for _, c in catalog['per_village'])} relations "
        f"(pg_class relkind: {kinds}).",
        f"- pg_catalog tables with their indexes and TOAST: **{mib(catalog['catalog_bytes'])}**"
        f" (≈ {catalog['catalog_bytes'] / villages / 1024:.0f} KiB per village, upper bound); "
        f"database size {mib(catalog['database_bytes'])}.",
        "- Largest catalog tables: "
        + ", ".join(f"{name} {mib(size)}" for name, size in catalog["largest"])
        + ".",
        "",
        "## One connection visiting every village (no Celery)",
        "",
        "The stats refresh service (a count of residents, an UPDATE and a read of the village "
        "profile) in each village in turn, over one Django connection. Memory of that "
        "connection's PostgreSQL backend: its private memory from /proc/<pid>/status (RssAnon"
        "; RSS also counts the shared buffers it touched) and its memory contexts from "
        "pg_backend_memory_contexts (CacheMemoryContext and its children hold the relcache "
        "and catcache).",
        "",
        "### Without a bound",
        "",
        *_scan_table(unbounded),
        "",
        f"Growth per village visited: **{_per_village(unbounded, 'RssAnon') / 1024:.0f} KiB** "
        f"private memory, {_per_village(unbounded, 'cache') / 1024:.0f} KiB of "
        "CacheMemoryContext.",
        *_cache_shrank(unbounded),
        "",
        f"### Connection recycled every {args.bound} villages",
        "",
        *_scan_table(bounded),
        "",
        f"Peak private memory of a backend: "
        f"{mib(max(m.get('RssAnon', 0) for _, m in bounded))} against "
        f"{mib(max(m.get('RssAnon', 0) for _, m in unbounded))} without the bound.",
        "",
        "### Every table of every village (worst case for today's schema)",
        "",
        f"A `count(*)` of each of the {tables_per_village} tables of each village; planning "
        "opens every table and all of its indexes.",
        "",
        *_scan_table(every_table),
        "",
        f"Growth per village visited: **{all_per_village / 1024:.0f} KiB** private memory, "
        f"i.e. about {all_per_village / relations_per_village / 1024:.1f} KiB per relation "
        f"of the {relations_per_village} in a village schema.",
        *_cache_shrank(every_table),
        "",
    ]
    if runs:
        lines += [
            "## A real Celery worker, one task per village",
            "",
            "A prefork worker with one pool process (`--concurrency 1 -Q default,platform`, "
            "plus --without-gossip/mingle/heartbeat), one `balai.village.stats_refresh` task "
            "queued per village. The worker's connections were found by "
            f"application_name={WORKER_APP_NAME} in pg_stat_activity, sampled every 50 tasks; "
            "connections opened are the change in pg_stat_database.sessions. "
            f"DB_CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']} s.",
            "",
        ]
        for title, run in runs:
            lines += _worker_section(run, title)
    lines += _reading(
        unbounded=unbounded,
        every_table=every_table,
        relations_per_village=relations_per_village,
        runs=[run for _, run in runs],
    )
    results_write("catalog", "\n".join(lines) + "\n", write=not args.print)


if __name__ == "__main__":
    main()
