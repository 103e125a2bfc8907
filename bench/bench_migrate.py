"""``balai migrate`` over many villages, against stock ``migrate_schemas``.

With ``--villages`` villages present (made by the template replay of bench/common.py,
their profiles seeded), times:

1. a deploy with nothing to migrate: ``balai migrate`` (the public schema, the template
   check, every village), and the village part alone;
2. a deploy with one new village migration that adds a column and an index (installed in
   a temporary package that MIGRATION_MODULES points the village app at, never in the
   repository), including the rebuild of the village template;
3. stock ``migrate_schemas`` for the same two cases: ``--stock-sample 0`` runs
   ``migrate_schemas --tenant`` over every village, with its standard executor and with
   its multiprocessing executor (``--parallel`` processes); ``--stock-sample N`` runs one
   ``migrate_schemas --schema`` per village on N villages, as its standard executor does
   per tenant, and extrapolates.

Afterwards the new migration is undone in every village and its template row deleted, so
the database can be used again; the villages stay (``--drop-villages`` removes them).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_migrate \
     .venv/bin/python bench/bench_migrate.py --villages 1000 [--stock-sample 0]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    median,
    results_write,
    village_count,
    village_remove,
    villages_fill,
    villages_seed_defaults,
)

NEW_MIGRATION = "9001_bench_villageprofile_motto"
NEW_MIGRATION_SOURCE = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = DEPENDENCIES

    operations = [
        migrations.AddField(
            model_name="villageprofile",
            name="motto",
            field=models.CharField(blank=True, default="", max_length=80),
        ),
        migrations.AddIndex(
            model_name="villageprofile",
            index=models.Index(fields=["motto"], name="village_profile_motto_idx"),
        ),
    ]
"""
NOOP_TARGET = 10.0
PENDING_TARGET = 60.0


def migration_install(folder: Path) -> None:
    """Point the village app at a copy of its migrations plus the bench migration."""
    from django.conf import settings

    import services.village.migrations as village_migrations
    from tenants.migration_runner import migration_loader
    from tenants.provisioning import migrations_fingerprint

    leaves = migration_loader().graph.leaf_nodes("village")
    package = f"balai_bench_migrations_{secrets.token_hex(4)}"
    target = folder / package / "village"
    target.mkdir(parents=True)
    (folder / package / "__init__.py").write_text("")
    (target / "__init__.py").write_text("")
    for path in Path(village_migrations.__file__).parent.glob("[0-9]*.py"):
        shutil.copy(path, target)
    source = NEW_MIGRATION_SOURCE.replace("DEPENDENCIES", repr(leaves))
    (target / f"{NEW_MIGRATION}.py").write_text(source)
    sys.path.insert(0, str(folder))
    settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, "village": f"{package}.village"}
    migrations_fingerprint.cache_clear()


def migration_uninstall(schemas: list[str]) -> None:
    """Undo the bench migration in ``schemas`` (the column's index goes with it)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f'ALTER TABLE "{schema}".village_villageprofile DROP COLUMN IF EXISTS motto'
            )
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
                ["village", NEW_MIGRATION],
            )
    connection.close()  # the catalog cache of a backend that visited every schema


def balai_migrate(parallel: int) -> tuple[float, str]:
    """``balai migrate`` as a deploy runs it (without the pool refill); seconds and output."""
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("migrate_villages", no_pool=True, parallel=parallel, stdout=out)
    return time.perf_counter() - started, out.getvalue()


def stock_migrate(schemas: list[str], *, executor: str, parallel: int) -> float:
    """Stock ``migrate_schemas`` over ``schemas``; seconds.

    ``executor`` is "standard" or "multiprocessing" for the whole command over every
    village, or "per-village" for one ``migrate_schemas --schema`` per village (what the
    standard executor does for each tenant: a migration loader, a recorder and Django's
    ``migrate`` command each time), so that a sample extrapolates.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.signals import schema_migrated

    started = time.perf_counter()
    parent = os.getpid()
    done = 0

    def progress(**kwargs) -> None:
        # Sent where the village was migrated: each worker of the multiprocessing
        # executor counts its own.
        nonlocal done
        done += 1
        if done % 100 == 0:
            elapsed = time.perf_counter() - started
            where = "" if os.getpid() == parent else f" by worker {os.getpid()}"
            log(f"  stock {executor}: {done} villages{where} ({elapsed:.1f} s)")

    schema_migrated.connect(progress, weak=False)
    try:
        if executor == "per-village":
            for schema in schemas:
                call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
        else:
            settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = parallel
            call_command(
                "migrate_schemas",
                tenant=True,
                executor=executor,
                interactive=False,
                verbosity=0,
            )
    finally:
        schema_migrated.disconnect(progress)
    connection.set_schema_to_public()
    connection.close()
    seconds = time.perf_counter() - started
    log(f"  stock {executor}: {len(schemas)} villages in {seconds:.1f} s")
    return seconds


def _figures(values: list[float]) -> str:
    if len(values) == 1:
        return f"**{values[0]:.1f} s**"
    runs = ", ".join(f"{value:.1f}" for value in values)
    return f"**{median(values):.1f} s** (median of {runs})"


def _stock_text(seconds: float, villages: int, scale: float) -> str:
    return f"{seconds * scale:.0f} s ({seconds / villages:.2f} s per village)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=4, help="balai migrate --parallel")
    parser.add_argument(
        "--stock-sample", type=int, default=50, help="villages for stock (0 = all of them)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each balai migrate")
    parser.add_argument("--regions", type=Path, default=None, help="regions file to load")
    parser.add_argument("--drop-villages", action="store_true", help="remove them afterwards")
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.db import connection

    from tenants.models import SchemaTemplate, Village
    from tenants.provisioning import migrations_fingerprint

    machine = machine_describe()
    log(f"database {connection.settings_dict['NAME']}, {args.villages} villages wanted")
    database_prepare(regions_file=args.regions)
    made = villages_fill(args.villages)
    if made:
        log(f"villages made in {made:.1f} s; seeding their profiles")
        log(f"seeded {villages_seed_defaults()} village profiles")
    total = village_count()
    schemas = sorted(Village.objects.values_list("schema_name", flat=True))
    every_village = args.stock_sample <= 0 or args.stock_sample >= total
    sample = schemas if every_village else schemas[: args.stock_sample]
    executors = ["standard", "multiprocessing"] if every_village else ["per-village"]
    connection.close()

    log("1. balai migrate, nothing to migrate")
    noop_runs = []
    for _ in range(args.repeats):
        seconds, noop_output = balai_migrate(args.parallel)
        noop_runs.append(seconds)
        log(f"   {seconds:.1f} s: {noop_output.strip().splitlines()[-1]}")
    log(f"2. stock migrate_schemas, nothing to migrate, {len(sample)} villages")
    stock_noop = {
        name: stock_migrate(sample, executor=name, parallel=args.parallel) for name in executors
    }

    old_fingerprint = migrations_fingerprint()
    migration_modules = settings.MIGRATION_MODULES
    pending_runs = []
    stock_pending = {}
    with tempfile.TemporaryDirectory(prefix="balai-bench-migrate-") as folder:
        migration_install(Path(folder))
        new_fingerprint = migrations_fingerprint()
        try:
            for run in range(args.repeats):
                if run:
                    # Back to before the deploy, template included, and measure again.
                    migration_uninstall(schemas)
                    SchemaTemplate.objects.filter(fingerprint=new_fingerprint).delete()
                log("3. balai migrate, one new migration (column + index) in every village")
                seconds, pending_output = balai_migrate(args.parallel)
                pending_runs.append(seconds)
                for line in pending_output.strip().splitlines():
                    log(f"   | {line}")
                log(f"   {seconds:.1f} s")
            log(f"4. stock migrate_schemas, the same migration, {len(sample)} villages")
            for name in executors:
                migration_uninstall(sample)
                stock_pending[name] = stock_migrate(sample, executor=name, parallel=args.parallel)
        finally:
            log("undoing the bench migration in every village")
            migration_uninstall(schemas)
            if new_fingerprint != old_fingerprint:
                SchemaTemplate.objects.filter(fingerprint=new_fingerprint).delete()
            settings.MIGRATION_MODULES = migration_modules
            migrations_fingerprint.cache_clear()

    machine.finish()
    if args.drop_villages:
        log("dropping the villages")
        for village in Village.objects.all():
            village_remove(village)

    scale = total / len(sample)
    if every_village:
        headers = (
            "stock, standard executor | "
            f"stock, multiprocessing executor ({args.parallel} processes)"
        )
        how = (
            "Stock is `migrate_schemas --tenant` over every village, measured with its\n"
            "standard executor (one process) and its multiprocessing executor\n"
            f"(`TENANT_MULTIPROCESSING_MAX_PROCESSES={args.parallel}`)."
        )
    else:
        headers = f"stock (measured on {len(sample)} villages, x{scale:.0f} extrapolated)"
        how = (
            "Stock is one `migrate_schemas --schema <village>` per village of the sample, in\n"
            "one process, which is what its standard executor does per tenant (a migration\n"
            "loader, a recorder and Django's `migrate` command each time), then scaled up."
        )
    noop_cells = " | ".join(_stock_text(stock_noop[n], len(sample), scale) for n in executors)
    pending_cells = " | ".join(_stock_text(stock_pending[n], len(sample), scale) for n in executors)
    first = executors[0]
    speedups = ", ".join(
        f"{label} x{stock[first] * scale / median(runs):.0f}"
        for label, stock, runs in (
            ("nothing to migrate", stock_noop, noop_runs),
            ("a new migration", stock_pending, pending_runs),
        )
    )
    text = f"""# `balai migrate` across {total} villages

Command (reproduces every figure below):

    {command_line()}

## Results

| Deploy | `balai migrate` | {headers} | target |
|---|---|{"---|" * len(executors)}---|
| nothing to migrate | {_figures(noop_runs)} | {noop_cells} | < {NOOP_TARGET:.0f} s |
| a new migration: column + index | {_figures(pending_runs)} | {pending_cells} \
| < {PENDING_TARGET:.0f} s |

`balai migrate` figures are the whole command as a deploy runs it (`--no-pool`,
`--parallel {args.parallel}`): `migrate_schemas --shared` for the public schema, the
village template check (and, with the new migration, its rebuild: a scratch schema
migrated and pg_dumped), then every village. Its own summary lines (last run):

- nothing to migrate: `{noop_output.strip().splitlines()[-1]}`
- a new migration: `{pending_output.strip().splitlines()[-1]}`

{how}

Speed-up against the stock standard executor: {speedups}.

What `balai migrate` does, in short: one UNION ALL query per 500 villages reads every
village's django_migrations; up-to-date villages are skipped without any further query.
For pending migrations made only of schema operations, Django's executor migrates one
village while its schema editor's SQL is captured, and the other villages replay that SQL
(one transaction each, `search_path` set to the village, `lock_timeout` set) over
`--parallel` worker threads, each with its own connection. Migrations with
RunPython/RunSQL go through Django's executor in every village, in the same threads
(bound by the GIL for the Python part: roughly the stock cost).

## Machine

{machine.markdown()}
"""
    results_write("migrate", text, write=not args.print)


if __name__ == "__main__":
    main()
