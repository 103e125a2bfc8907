"""How long onboarding one village takes, with 10 and with 1,000 villages already present.

Four ways to make the schema, timed side by side in one run (each sample in its own
schema, dropped afterwards so the village count stays put; setup and cleanup untimed):

- pool: rename a ready schema from tenants.PooledSchema (the pool is refilled between
  samples, untimed);
- template: replay the template SQL (tenants.provisioning.schema_create_from_template);
- stock: CREATE SCHEMA + migrate_schemas for that schema (django-tenants' default);
- clone: django-tenants' CloneSchema.clone_schema from a migrated base schema, then the
  fake ``migrate_schemas`` django-tenants runs after a clone.

Then the whole ``village_onboard`` service: with a new first admin (includes hashing the
password), with an existing admin (no hashing), from the template and from the pool.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench BALAI_ENV=development \
     .venv/bin/python bench/bench_onboarding.py [--sizes 10,1000] [--samples 9]
"""

from __future__ import annotations

import argparse
import time

from common import (
    SLUG_PREFIX,
    bench_slug,
    command_line,
    database_prepare,
    django_setup,
    free_region_codes,
    log,
    machine_describe,
    median,
    results_write,
    seconds_text,
    village_count,
    village_remove,
    villages_fill,
)

CLONE_BASE = "bench_clone_base"
EXISTING_ADMIN = "bench-admin"
ADMIN_PASSWORD = "kata-sandi-bench-123"  # noqa: S105 - a throwaway bench account
FAST_PATHS = ["pool", "template", "onboard_existing_pool", "onboard_existing_template"]
SLOW_PATHS = ["stock", "clone"]
LABELS = {
    "pool": "(a) schema from the pool (rename)",
    "template": "(b) schema by template replay",
    "stock": "(c) stock django-tenants: CREATE SCHEMA + migrate_schemas",
    "clone": "(d) django-tenants clone_schema + fake migrate",
    "onboard_existing_pool": "village_onboard, existing admin, pool ready",
    "onboard_existing_template": "village_onboard, existing admin, empty pool (template)",
    "onboard_new_admin": "village_onboard, new admin (password hashed), empty pool",
    "password_hash": "password hashing alone (make_password, current hasher)",
}
KINDS = {"r": "tables", "i": "indexes", "S": "sequences", "v": "views", "t": "TOAST tables"}
NOTES = [
    "- (a) and (b) time only the schema step, inside its own transaction, commit included. "
    "(c) and (d) are what django-tenants' `TenantMixin.create_schema` runs, outside a "
    "transaction, as stock django-tenants does; (d) includes installing the clone "
    "function, which django-tenants does on every clone.",
    "- The `village_onboard` rows are the whole service: validation, locks, schema, Village "
    "and Domain rows, seeded defaults, first admin and membership, audit row, commit. The "
    "pool-refill task it queues after commit is switched off (BALAI_SCHEMA_POOL_SIZE=0).",
    "- Stock creation by migrations is cheap here only because the village apps are young: "
    "its cost grows with the number of village migrations (every one is replayed for every "
    "village), while replay and rename cost what the final schema costs. clone_schema's "
    "cost grows with the size of the whole catalog (it inspects it), which is the growth "
    "seen between the two sizes.",
    "- With a new first admin, onboarding is dominated by hashing the password "
    "(PBKDF2); the rest of onboarding is the existing-admin row. Onboarding an existing "
    "user avoids it.",
]
TARGETS = {
    "pool": 0.1,
    "template": 0.5,
    "onboard_existing_pool": 0.1,
    "onboard_existing_template": 0.5,
    "onboard_new_admin": 0.5,
}


def _pool_empty() -> None:
    from tenants.models import PooledSchema
    from tenants.provisioning import schema_drop

    for pooled in PooledSchema.objects.all():
        schema_drop(pooled.schema_name)
        pooled.delete()


def _pool_one() -> None:
    from tenants.provisioning import pool_refill

    pool_refill(target=1)


def _drop(schema_name: str) -> None:
    from django.db import connection

    from tenants.provisioning import schema_drop

    connection.set_schema_to_public()
    schema_drop(schema_name)


def _clone_base_ensure() -> None:
    from django.db import transaction

    from tenants.provisioning import (
        schema_create_from_template,
        schema_exists,
        template_get_or_build,
    )

    if not schema_exists(CLONE_BASE):
        with transaction.atomic():
            schema_create_from_template(CLONE_BASE, template_get_or_build())


class Sampler:
    """One timed sample of each path; keeps untimed setup and cleanup out of the figures."""

    def __init__(self) -> None:
        from tenants.provisioning import template_get_or_build

        self.template = template_get_or_build()
        self.codes = list(reversed(free_region_codes()))

    def _next_code(self) -> str:
        # Free region codes from the far end, so samples never meet the filled villages.
        code = self.codes.pop(0)
        self.codes.append(code)
        return code

    def _schema_name(self) -> str:
        from tenants.provisioning import schema_name_for_region

        return schema_name_for_region(self._next_code())

    def pool(self) -> float:
        from django.db import transaction

        from tenants.provisioning import schema_take_from_pool

        _pool_one()
        name = self._schema_name()
        started = time.perf_counter()
        with transaction.atomic():
            taken = schema_take_from_pool(name, self.template.fingerprint)
        seconds = time.perf_counter() - started
        assert taken, "the pool was empty"
        _drop(name)
        return seconds

    def template_replay(self) -> float:
        from django.db import transaction

        from tenants.provisioning import schema_create_from_template

        name = self._schema_name()
        started = time.perf_counter()
        with transaction.atomic():
            schema_create_from_template(name, self.template)
        seconds = time.perf_counter() - started
        _drop(name)
        return seconds

    def stock(self) -> float:
        from django.core.management import call_command
        from django.db import connection

        name = self._schema_name()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
        call_command(
            "migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=0
        )
        connection.set_schema_to_public()
        seconds = time.perf_counter() - started
        _drop(name)
        return seconds

    def clone(self) -> float:
        from django.core.management import call_command
        from django.db import connection
        from django_tenants.clone import CloneSchema

        name = self._schema_name()
        started = time.perf_counter()
        CloneSchema().clone_schema(CLONE_BASE, name)
        call_command(
            "migrate_schemas",
            schema_name=name,
            tenant=True,
            fake=True,
            interactive=False,
            verbosity=0,
        )
        connection.set_schema_to_public()
        seconds = time.perf_counter() - started
        _drop(name)
        return seconds

    def _onboard(self, *, admin_username: str) -> tuple[float, str]:
        from balai.onboarding.services import village_onboard

        code = self._next_code()
        started = time.perf_counter()
        result = village_onboard(
            region_code=code,
            slug=bench_slug(code),
            admin_username=admin_username,
            admin_password=ADMIN_PASSWORD,
        )
        seconds = time.perf_counter() - started
        village_remove(result.village)
        return seconds, result.schema_method

    def onboard_existing_pool(self) -> float:
        _pool_one()
        seconds, method = self._onboard(admin_username=EXISTING_ADMIN)
        assert method == "pool", method
        return seconds

    def onboard_existing_template(self) -> float:
        seconds, method = self._onboard(admin_username=EXISTING_ADMIN)
        assert method == "template", method
        return seconds

    def onboard_new_admin(self) -> float:
        from balai.accounts.models import User

        username = f"{SLUG_PREFIX}new-admin"
        seconds, method = self._onboard(admin_username=username)
        User.objects.filter(username=username).delete()
        assert method == "template", method
        return seconds

    def password_hash(self) -> float:
        from django.contrib.auth.hashers import make_password

        started = time.perf_counter()
        make_password(ADMIN_PASSWORD)
        return time.perf_counter() - started

    def run(self, path: str) -> float:
        method = self.template_replay if path == "template" else getattr(self, path)
        return method()


def _catalog_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        return cursor.fetchone()[0]


def _schema_shape() -> list[str]:
    from django.contrib.auth.hashers import get_hasher
    from django.db import connection

    from tenants.provisioning import template_get_or_build, village_app_labels

    template = template_get_or_build()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s GROUP BY relkind ORDER BY relkind",
            [CLONE_BASE],
        )
        kinds = ", ".join(f"{count} {KINDS.get(kind, kind)}" for kind, count in cursor.fetchall())
        cursor.execute(
            f'SELECT count(*) FROM "{CLONE_BASE}".django_migrations WHERE app = ANY(%s)',
            [village_app_labels()],
        )
        village_migrations = cursor.fetchone()[0]
    hasher = get_hasher()
    return [
        f"- One village schema today: {kinds}. Stock creation runs "
        f"{template.migration_count} migrations per village, {village_migrations} of them the "
        "village apps' (the shared apps' are recorded but their operations skipped); the "
        f"template SQL is {len(template.sql) / 1024:.0f} KiB.",
        f"- Password hasher: {hasher.algorithm}, {getattr(hasher, 'iterations', '?'):,} "
        "iterations (the production default; the test settings use MD5).",
    ]


def _cell(values: list[float]) -> str:
    if not values:
        return "not measured"
    return (
        f"**{seconds_text(median(values))}** "
        f"({seconds_text(min(values))}–{seconds_text(max(values))}, n={len(values)})"
    )


def _verdict(path: str, cells: dict, sizes: list[int]) -> str:
    target = TARGETS.get(path)
    medians = [median(cells[(path, size)]) for size in sizes if cells.get((path, size))]
    if len(medians) >= 2:
        growth = f"×{medians[-1] / medians[0]:.2f}"
    else:
        growth = "–"
    if target is None:
        return f"{growth} | –"
    met = all(value < target for value in medians)
    return f"{growth} | < {seconds_text(target)}: {'met' if met else '**missed**'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,1000", help="village counts, ascending")
    parser.add_argument("--samples", type=int, default=9, help="samples per fast cell")
    parser.add_argument("--slow-samples", type=int, default=5, help="stock/clone, small sizes")
    parser.add_argument(
        "--slow-samples-large", type=int, default=3, help="stock/clone at 500+ villages"
    )
    parser.add_argument("--print", action="store_true", help="print the results, do not write")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    django_setup()
    from balai.accounts.services import user_get_or_create

    database_prepare()
    machine = machine_describe()
    if village_count() > sizes[0]:
        raise SystemExit(
            f"{village_count()} villages already exist; use a fresh database for --sizes {sizes}"
        )
    _pool_empty()
    _clone_base_ensure()
    user_get_or_create(username=EXISTING_ADMIN, password=ADMIN_PASSWORD)

    cells: dict[tuple[str, int], list[float]] = {}
    fill_notes: list[str] = []
    catalog: dict[int, int] = {}
    for size in sizes:
        before = village_count()
        log(f"filling to {size} villages (fast path)")
        spent = villages_fill(size)
        if size > before:
            fill_notes.append(
                f"{before} → {size} villages by template replay + bulk rows: {spent:.1f} s "
                f"({spent / (size - before) * 1000:.0f} ms per village, in batches of 25)"
            )
        catalog[size] = _catalog_rows()
        sampler = Sampler()
        slow = args.slow_samples if size < 500 else args.slow_samples_large
        rounds = max(args.samples, slow)
        log(f"measuring with {village_count()} villages: {rounds} rounds")
        for index in range(rounds):
            paths = (
                FAST_PATHS + ["onboard_new_admin", "password_hash"] if index < args.samples else []
            )
            if index < slow:
                paths = paths + SLOW_PATHS
            for path in paths:
                seconds = sampler.run(path)
                cells.setdefault((path, size), []).append(seconds)
                if path in SLOW_PATHS:
                    log(f"  {size} villages, round {index + 1}, {path}: {seconds_text(seconds)}")
            log(f"  round {index + 1}/{rounds} done")
        assert village_count() == size, "a sample left a village behind"
    machine.finish()

    order = [*FAST_PATHS[:2], *SLOW_PATHS, *FAST_PATHS[2:], "onboard_new_admin", "password_hash"]
    header = " | ".join(f"{size:,} villages" for size in sizes)
    lines = [
        "# Onboarding one village",
        "",
        machine.markdown(),
        f"- Command: `{command_line()}`",
        "",
        "Median time per village (min–max, number of samples), with "
        f"{header.replace(' | ', ' and ')} already present. Each cell is timed from the first "
        "statement to the commit; samples of all paths are interleaved round by round.",
        "",
        f"| Path | {header} | growth | target |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for path in order:
        row = " | ".join(_cell(cells.get((path, size), [])) for size in sizes)
        lines.append(f"| {LABELS[path]} | {row} | {_verdict(path, cells, sizes)} |")
    lines += [
        "",
        "pg_class rows at each size: "
        + ", ".join(f"{size:,} villages: {rows:,}" for size, rows in catalog.items()),
        "",
        "How the villages were made: " + "; ".join(fill_notes) + ". These villages have a "
        "schema, a Village and a Domain row, but no admin and no seeded defaults.",
    ]
    lines += ["", "## What was measured", "", *_schema_shape(), *NOTES]
    results_write("onboarding", "\n".join(lines) + "\n", write=not args.print)


if __name__ == "__main__":
    main()
