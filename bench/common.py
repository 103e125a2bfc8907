"""Shared setup for the bench scripts: Django, the database, villages in bulk, results.

Import this before anything from Django: ``django_setup()`` must run first. Every script
refuses to run against a production settings module and says which database it uses.
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_DIR / "bench" / "results"
# Villages made by the bench carry this slug prefix, so cleanup never touches others.
SLUG_PREFIX = "bench-"


def django_setup() -> None:
    """Configure Django for a benchmark run (development mode, no debug query log)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
    os.environ.setdefault("BALAI_ENV", "development")
    # DEBUG keeps every query in connection.queries: a memory leak in a 100k-request loop
    # and not what production runs. Query counts use CaptureQueriesContext instead.
    os.environ.setdefault("DEBUG", "false")
    # No pool refill task queued after each onboarding: nothing consumes it in a bench run,
    # and the pool is filled explicitly where it is measured.
    os.environ.setdefault("BALAI_SCHEMA_POOL_SIZE", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if os.environ.get("BALAI_ENV") == "production":
        sys.exit("refusing to benchmark with BALAI_ENV=production")
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a scratch database (e.g. .../balai_bench)")
    import django

    django.setup()


def log(message: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


# -- the database ---------------------------------------------------------------------------


def database_prepare(*, regions_file: Path | None = None) -> None:
    """``balai migrate`` (public schema, village template, villages), then the regions."""
    import io

    from django.core.management import call_command

    from balai.regions.models import Region
    from balai.regions.services import BUNDLED_LAMPUNG, regions_load
    from tenants.provisioning import template_get_or_build

    started = time.perf_counter()
    out = io.StringIO()
    call_command("migrate_villages", no_pool=True, parallel=2, stdout=out, verbosity=0)
    template = template_get_or_build()
    path = regions_file or BUNDLED_LAMPUNG
    if not Region.objects.filter(level__in=["desa", "kelurahan"]).exists():
        loaded = regions_load(path=path)
        log(f"loaded {loaded} regions from {path.name}")
    summary = out.getvalue().strip().splitlines()
    log(
        f"database ready in {time.perf_counter() - started:.1f} s "
        f"(template {template.fingerprint[:12]}, {template.migration_count} migrations; "
        f"{summary[-1] if summary else 'no villages'})"
    )


def village_region_codes() -> list[str]:
    from balai.regions.models import VILLAGE_LEVELS, Region

    return list(
        Region.objects.filter(level__in=VILLAGE_LEVELS)
        .order_by("code")
        .values_list("code", flat=True)
    )


def free_region_codes() -> list[str]:
    """Village regions with no village yet, in code order."""
    from tenants.models import Village

    taken = set(Village.objects.values_list("region_id", flat=True))
    return [code for code in village_region_codes() if code not in taken]


def bench_slug(region_code: str) -> str:
    return SLUG_PREFIX + region_code.replace(".", "")


def villages_fill(count: int, *, batch: int = 25) -> float:
    """Make villages until ``count`` exist, by the fast path; returns the seconds spent.

    Each schema is replayed from the template (as onboarding does without a pool) and the
    Village and Domain rows are bulk-inserted, ``batch`` villages per transaction. No admin
    user, no seeded defaults: the villages only have to exist for the catalog to grow.
    """
    from django.db import transaction

    from balai.regions.models import Region
    from tenants.models import Domain, Village
    from tenants.provisioning import (
        schema_create_from_template,
        schema_name_for_region,
        template_get_or_build,
    )
    from tenants.routing import village_host

    missing = count - Village.objects.count()
    if missing <= 0:
        return 0.0
    template = template_get_or_build()
    codes = free_region_codes()[:missing]
    if len(codes) < missing:
        raise SystemExit(f"only {len(codes)} free village regions; load regions_indonesia.csv.gz")
    regions = Region.objects.in_bulk(codes)
    started = time.perf_counter()
    for start in range(0, len(codes), batch):
        chunk = codes[start : start + batch]
        with transaction.atomic():
            villages = []
            for code in chunk:
                region = regions[code]
                schema_name = schema_name_for_region(code)
                schema_create_from_template(schema_name, template)
                villages.append(
                    Village(
                        schema_name=schema_name,
                        region=region,
                        slug=bench_slug(code),
                        name=region.name,
                        kecamatan_code=region.kecamatan_code,
                        kabupaten_code=region.kabupaten_code,
                    )
                )
            Village.objects.bulk_create(villages)
            Domain.objects.bulk_create(
                Domain(domain=village_host(v.slug), tenant=v, is_primary=True) for v in villages
            )
        done = start + len(chunk)
        if done % 100 == 0 or done == len(codes):
            elapsed = time.perf_counter() - started
            log(f"  {done}/{len(codes)} villages made ({elapsed:.1f} s)")
    return time.perf_counter() - started


def villages_seed_defaults() -> int:
    """Seed the village profile of villages that have none (made by ``villages_fill``).

    Visiting every schema fills this connection's catalog cache, so the connection is
    closed afterwards: the next measurement starts from a fresh backend.
    """
    from django.db import connection
    from django_tenants.utils import schema_context

    from services.village.models import VillageProfile
    from services.village.services import village_defaults_seed
    from tenants.models import Village

    seeded = 0
    for village in Village.objects.order_by("pk"):
        with schema_context(village.schema_name):
            if VillageProfile.objects.filter(id=1).exists():
                continue
            village_defaults_seed(
                name=village.name, region_code=village.region_id, local_term=village.local_term
            )
            seeded += 1
    connection.close()
    return seeded


def village_remove(village) -> None:
    """Drop a village made by a bench sample: its schema and every row that names it."""
    from django.db import transaction

    from balai.accounts.models import VillageMembership
    from balai.onboarding.models import PlatformAuditEvent
    from tenants.models import Domain
    from tenants.provisioning import schema_drop

    with transaction.atomic():
        VillageMembership.objects.filter(village=village).delete()
        Domain.objects.filter(tenant=village).delete()
        PlatformAuditEvent.objects.filter(village_code=village.region_id).delete()
        type(village).objects.filter(pk=village.pk).delete()
        schema_drop(village.schema_name)


def village_count() -> int:
    from tenants.models import Village

    return Village.objects.count()


# -- the machine ----------------------------------------------------------------------------


def _meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def busy_processes(limit: int = 6) -> list[str]:
    """The processes using the most CPU right now, other than this one (what else ran)."""
    out = subprocess.run(
        ["ps", "-eo", "pid,pcpu,rss,comm,args", "--sort=-pcpu", "--no-headers"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 4)
        if len(parts) < 5 or int(parts[0]) == os.getpid() or float(parts[1]) < 1.0:
            continue
        if "balai_bench" in parts[4]:  # our own PostgreSQL backends
            continue
        rows.append(f"{parts[3]} ({parts[1]}% CPU): {parts[4][:90]}")
        if len(rows) >= limit:
            break
    return rows


def other_pytest_runs() -> int:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False)
    return sum(1 for line in out.stdout.splitlines() if "pytest" in line and "ps -eo" not in line)


@dataclass
class Machine:
    started_at: str
    cores: int
    memory_gib: float
    cpu: str
    postgres: str
    python: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None
    busy_before: list[str] = field(default_factory=list)
    busy_after: list[str] = field(default_factory=list)
    pytest_before: int = 0
    pytest_after: int = 0

    def finish(self) -> None:
        self.load_after = os.getloadavg()
        self.busy_after = busy_processes()
        self.pytest_after = other_pytest_runs()

    def markdown(self) -> str:
        after = self.load_after or os.getloadavg()
        lines = [
            f"- Date: {self.started_at} (UTC)",
            f"- Machine: {self.cores} cores ({self.cpu}), {self.memory_gib:.0f} GiB RAM",
            f"- PostgreSQL {self.postgres} on the same machine; Python {self.python}",
            "- Load average (1/5/15 min): "
            f"before {'/'.join(f'{x:.2f}' for x in self.load_before)}, "
            f"after {'/'.join(f'{x:.2f}' for x in after)}",
            "- Also running: other helpers' test suites on the same 2 cores "
            f"(pytest processes seen: {self.pytest_before} at start, {self.pytest_after} at "
            "the end), so absolute times are pessimistic and noisy; medians are reported.",
        ]
        busy = self.busy_before + [f"(end) {row}" for row in self.busy_after]
        if busy:
            lines.append("- Busiest other processes seen (ps, % CPU over their lifetime):")
            lines.extend(f"  - `{row}`" for row in busy)
        return "\n".join(lines)


def machine_describe() -> Machine:
    return Machine(
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        cores=os.cpu_count() or 0,
        memory_gib=_meminfo_gib(),
        cpu=_cpu_model(),
        postgres=postgres_version(),
        python=sys.version.split()[0],
        load_before=os.getloadavg(),
        busy_before=busy_processes(),
        pytest_before=other_pytest_runs(),
    )


def command_line() -> str:
    env = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("DATABASE_URL", "REDIS_URL", "BALAI_ENV")
        if os.environ.get(name)
    )
    argv = shlex.join([".venv/bin/python", *sys.argv])
    return f"{env} {argv}".strip()


# -- timing ---------------------------------------------------------------------------------


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def percentile(values: Iterable[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def seconds_text(value: float) -> str:
    if value != value:  # NaN: not measured
        return "n/a"
    if value < 0.001:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def results_write(name: str, text: str, *, write: bool = True) -> None:
    """Write bench/results/<name>.md (or print it when --print was asked)."""
    if not write:
        print(text)
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.md"
    path.write_text(text)
    log(f"results written to {path.relative_to(REPO_DIR)}")
