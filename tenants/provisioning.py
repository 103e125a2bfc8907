"""Making village schemas without running migrations per village.

A village schema is made by replaying the SQL of a fully migrated template schema (one
``pg_dump`` of it, kept in ``SchemaTemplate``) or, faster still, by renaming a ready
schema from a small pool. Creation by migrations was measured at ~4 s per village for a
60-table schema, and django-tenants' ``clone_schema`` slows as the catalog grows; a flat
replay stays flat whatever the number of villages, and a rename is a catalog update
(bench/results/onboarding.md). All of it is
transactional DDL, so a failed onboarding leaves no schema behind.

The template is rebuilt whenever the village migrations change: its fingerprint is a
hash of every village migration file, and pooled schemas made from an older template
are dropped when the pool is refilled.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from tenants.models import PooledSchema, SchemaTemplate

logger = logging.getLogger(__name__)

SCHEMA_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,62}$")
REGION_CODE_PATTERN = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
PLACEHOLDER = "TEMPLATE_SCHEMA"
TEMPLATE_LOCK_ID = 0x6261_6C61  # "bala": one template build at a time per database
POOL_LOCK_ID = 0x6261_6C62


class ProvisioningError(RuntimeError):
    pass


def schema_name_for_region(region_code: str) -> str:
    """``18.08.11.2001`` -> ``desa_1808112001``. Only ever derived from a region code."""
    if not REGION_CODE_PATTERN.match(region_code):
        raise ValueError(f"not a village region code: {region_code!r}")
    return "desa_" + region_code.replace(".", "")


def _check_schema_name(name: str) -> str:
    if not SCHEMA_NAME_PATTERN.match(name) or name.startswith("pg_") or name == "public":
        raise ValueError(f"refusing schema name {name!r}")
    return name


def village_app_labels() -> list[str]:
    return [apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.TENANT_APPS]


@lru_cache(maxsize=1)
def migrations_fingerprint() -> str:
    """A hash of every village-app migration file: changes whenever migrations do."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    loader.load_disk()
    labels = set(village_app_labels())
    digest = hashlib.sha256()
    for app_label, name in sorted(key for key in loader.disk_migrations if key[0] in labels):
        module = loader.disk_migrations[(app_label, name)].__module__
        path = Path(__import__(module, fromlist=["_"]).__file__)
        digest.update(f"{app_label}:{name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PgDump:
    path: str
    major: int
    version: str


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _pg_dump_candidates() -> list[str]:
    found: list[str] = []
    if settings.BALAI_PG_DUMP:
        found.append(settings.BALAI_PG_DUMP)
    found.extend(str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")))
    try:
        import pgserver._commands as pgcommands

        found.append(str(pgcommands.POSTGRES_BIN_PATH / "pg_dump"))
    except ImportError:  # pgserver is optional outside development
        pass
    which = shutil.which("pg_dump")
    if which:
        found.append(which)
    return found


def find_pg_dump() -> PgDump:
    """The pg_dump whose major version matches the server (or the closest newer one)."""
    server_major = _server_major()
    usable: list[PgDump] = []
    for path in dict.fromkeys(_pg_dump_candidates()):
        try:
            out = subprocess.run(
                [path, "--version"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        match = re.search(r"(\d+)\.\d+", out)
        if match and int(match.group(1)) >= server_major:
            usable.append(PgDump(path=path, major=int(match.group(1)), version=out))
    if not usable:
        raise ProvisioningError(f"no pg_dump >= {server_major} found; set BALAI_PG_DUMP")
    return min(usable, key=lambda dump: dump.major)


def _libpq_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    options = db.get("OPTIONS") or {}
    args = ["--dbname", db["NAME"]]
    # A Unix-socket server (the embedded one) names its folder as a libpq option.
    host = db.get("HOST") or options.get("host")
    port = db.get("PORT") or options.get("port")
    if host:
        args += ["--host", str(host)]
    if port:
        args += ["--port", str(port)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {"PGPASSWORD": str(db.get("PASSWORD") or ""), "PGCONNECT_TIMEOUT": "10"}
    return args, env


# pg_dump's session settings, comments, psql meta-commands and the schema's own creation.
# Whole-line forms only, so a multi-line string value in the data is never cut.
_DROPPED_LINE = re.compile(
    r"^(--( .*)?"
    r"|SET [a-z_]+ = .*;"
    r"|SELECT pg_catalog\.set_config\(.*\);"
    r"|CREATE SCHEMA [a-z0-9_]+;"
    r"|ALTER SCHEMA [a-z0-9_]+ OWNER TO .*;"
    r"|\\(restrict|unrestrict) \S+)$"
)


def dump_schema_sql(schema_name: str) -> tuple[str, str]:
    """pg_dump one schema (structure and its few rows) as SQL with a placeholder name."""
    _check_schema_name(schema_name)
    pg_dump = find_pg_dump()
    args, env = _libpq_args()
    import os

    result = subprocess.run(
        [
            pg_dump.path,
            *args,
            "--schema",
            schema_name,
            "--no-owner",
            "--no-privileges",
            "--no-comments",
            "--inserts",
            "--no-tablespaces",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    if result.returncode != 0:
        raise ProvisioningError(f"pg_dump failed: {result.stderr.strip()[:2000]}")
    kept = [line for line in result.stdout.splitlines() if not _DROPPED_LINE.match(line)]
    sql = "\n".join(kept)
    sql = re.sub(rf"\b{re.escape(schema_name)}\b", PLACEHOLDER, sql)
    return sql.strip() + "\n", pg_dump.version


def _advisory_lock(lock_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def template_build() -> SchemaTemplate:
    """Migrate a scratch schema, dump it, drop it; store the dump for this fingerprint."""
    fingerprint = migrations_fingerprint()
    scratch = _check_schema_name(f"balai_tpl_{fingerprint[:16]}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{scratch}"')
    try:
        call_command(
            "migrate_schemas", schema_name=scratch, tenant=True, interactive=False, verbosity=0
        )
        sql, version = dump_schema_sql(scratch)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{scratch}".django_migrations')
            migration_count = cursor.fetchone()[0]
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE')
    template, _ = SchemaTemplate.objects.update_or_create(
        fingerprint=fingerprint,
        defaults={"sql": sql, "migration_count": migration_count, "pg_dump_version": version},
    )
    logger.info("village schema template built", extra={"fingerprint": fingerprint[:12]})
    return template


def template_get_or_build() -> SchemaTemplate:
    fingerprint = migrations_fingerprint()
    template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    if template is not None:
        return template
    if connection.in_atomic_block:
        # pg_dump reads the scratch schema over its own connection, so it must be committed.
        raise ProvisioningError(
            "the village template must be built outside a transaction; "
            "run `balai migrate` after changing village migrations"
        )
    # Two processes noticing a new fingerprint at once build it once (session-level lock,
    # since the build commits as it goes).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_ID])
    try:
        template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
        if template is None:
            template = template_build()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_ID])
    return template


def schema_create_from_template(schema_name: str, template: SchemaTemplate) -> None:
    """Create ``schema_name`` by replaying the template SQL, in the caller's transaction."""
    _check_schema_name(schema_name)
    sql = template.sql.replace(PLACEHOLDER, schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        cursor.execute(sql)
    # The replay ran with fully qualified names; make sure the next query sets its own path.
    connection.search_path_set_schemas = None


def schema_take_from_pool(schema_name: str, fingerprint: str) -> bool:
    """Rename a pooled schema to ``schema_name``; False when the pool has none ready.

    Must run inside the onboarding transaction: the row lock makes two onboardings take
    different schemas, and a rollback returns the schema to the pool under its old name.
    """
    _check_schema_name(schema_name)
    pooled = (
        PooledSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=fingerprint)
        .order_by("id")
        .first()
    )
    if pooled is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER SCHEMA "{_check_schema_name(pooled.schema_name)}" RENAME TO "{schema_name}"'
        )
    pooled.delete()
    return True


def schema_provision(schema_name: str) -> str:
    """Make an empty, fully migrated schema for a village. Returns how: pool or template."""
    if not transaction.get_connection().in_atomic_block:
        raise ProvisioningError("schema_provision must run inside the onboarding transaction")
    if schema_exists(schema_name):
        raise ProvisioningError(f"schema {schema_name} already exists")
    template = template_get_or_build()
    if schema_take_from_pool(schema_name, template.fingerprint):
        return "pool"
    schema_create_from_template(schema_name, template)
    return "template"


def pool_refill(*, target: int | None = None) -> dict[str, int]:
    """Top the pool up to ``target`` schemas of the current template; drop stale ones."""
    target = settings.BALAI_SCHEMA_POOL_SIZE if target is None else target
    template = template_get_or_build()
    dropped = created = 0
    with transaction.atomic():
        _advisory_lock(POOL_LOCK_ID)
        for stale in PooledSchema.objects.exclude(fingerprint=template.fingerprint):
            schema_drop(stale.schema_name)
            stale.delete()
            dropped += 1
        ready = PooledSchema.objects.filter(fingerprint=template.fingerprint).count()
    for _ in range(max(0, target - ready)):
        with transaction.atomic():
            name = f"pool_{secrets.token_hex(6)}"
            schema_create_from_template(name, template)
            PooledSchema.objects.create(schema_name=name, fingerprint=template.fingerprint)
            created += 1
    return {"created": created, "dropped": dropped, "ready": ready + created}


def schema_drop(schema_name: str) -> None:
    _check_schema_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
