"""Migrating many village schemas quickly.

Reads every village's applied migrations in one pass (a few UNION ALL queries over the
schemas' django_migrations tables), skips villages already up to date, and migrates the
rest in a pool of worker processes, each with a lock timeout so one busy village cannot
stall the deploy. A failure is reported per village; the others continue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants.models import Village

CHUNK = 500


@dataclass
class MigrationReport:
    total: int = 0
    up_to_date: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.total} villages: {self.up_to_date} up to date, "
            f"{len(self.migrated)} migrated, {len(self.failed)} failed "
            f"in {self.seconds:.1f} s"
        )


def expected_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def applied_migrations_by_schema(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """One query per CHUNK schemas, instead of Django's catalog scans per schema."""
    applied: dict[str, set[tuple[str, str]]] = {schema: set() for schema in schemas}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND n.nspname = ANY(%s)",
            [schemas],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(with_table), CHUNK):
            chunk = with_table[start : start + CHUNK]
            sql = " UNION ALL ".join(
                f'SELECT %s, app, name FROM "{schema}".django_migrations' for schema in chunk
            )
            cursor.execute(sql, chunk)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    return applied


def _worker_init() -> None:
    import django

    django.setup()


def _migrate_one(schema_name: str, lock_timeout: str) -> tuple[str, str | None]:
    from django.db import connection as conn
    from django.db.migrations.executor import MigrationExecutor

    try:
        conn.set_schema(schema_name)
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [lock_timeout])
        executor = MigrationExecutor(conn)
        targets = executor.loader.graph.leaf_nodes()
        executor.migrate(targets)
        return schema_name, None
    except Exception as error:  # noqa: BLE001 - reported per village; the others go on
        return schema_name, f"{type(error).__name__}: {error}"
    finally:
        conn.set_schema_to_public()


def migrate_villages(
    *, parallel: int = 4, lock_timeout: str = "5s", log: Callable[[str], None] = print
) -> MigrationReport:
    started = time.perf_counter()
    schemas = list(Village.objects.order_by("schema_name").values_list("schema_name", flat=True))
    report = MigrationReport(total=len(schemas))
    expected = expected_migrations()
    applied = applied_migrations_by_schema(schemas)
    pending = [schema for schema in schemas if not expected <= applied[schema]]
    report.up_to_date = len(schemas) - len(pending)
    if pending:
        log(f"{len(pending)} of {len(schemas)} villages have pending migrations")
        connection.close()  # never share a connection with the worker processes
        with ProcessPoolExecutor(max_workers=max(1, parallel), initializer=_worker_init) as pool:
            futures = [pool.submit(_migrate_one, schema, lock_timeout) for schema in pending]
            for done, future in enumerate(as_completed(futures), start=1):
                schema, error = future.result()
                if error:
                    report.failed[schema] = error
                    log(f"FAILED {schema}: {error}")
                else:
                    report.migrated.append(schema)
                if done % 100 == 0:
                    log(f"{done}/{len(pending)} villages migrated")
    report.seconds = time.perf_counter() - started
    return report
