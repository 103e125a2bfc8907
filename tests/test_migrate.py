"""``balai migrate`` across villages: skip the up-to-date, replay the SQL, survive a lock.

These tests commit: worker threads migrate the villages over their own connections,
so schemas and rows must be visible to them. Each test puts back what it changed (the
extra villages, the extra column, the migration rows, the template it built).

The new migration lives in a temporary package that ``MIGRATION_MODULES`` points the
village app at, never in services/village/migrations, so other processes working in the
repository never see it.
"""

from __future__ import annotations

import io
import secrets
import shutil
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, migrations
from django.test.utils import CaptureQueriesContext

import services.village.migrations as village_migrations
from balai.regions.models import VILLAGE_LEVELS, Region
from tenants.migration_runner import (
    applied_migrations_by_schema,
    migrate_villages,
    migration_loader,
    pending_plan,
    replay_blocker,
)
from tenants.models import PooledSchema, SchemaTemplate, Village
from tenants.provisioning import (
    migrations_fingerprint,
    pool_refill,
    schema_create_from_template,
    schema_drop,
    schema_exists,
    schema_name_for_region,
    template_get_or_build,
)

EXTRA_VILLAGES = 3
NEW_MIGRATION = "9001_migrate_test_motto"

ADD_COLUMN_AND_INDEX = """
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

DATA_MIGRATION = """
from django.db import migrations, models


def fill_motto(apps, schema_editor):
    apps.get_model("village", "VillageProfile").objects.update(motto="Gotong royong")


class Migration(migrations.Migration):
    dependencies = DEPENDENCIES

    operations = [
        migrations.AddField(
            model_name="villageprofile",
            name="motto",
            field=models.CharField(blank=True, default="", max_length=80),
        ),
        migrations.RunPython(fill_motto, migrations.RunPython.noop),
    ]
"""


@pytest.fixture(scope="module")
def villages(django_db_setup, django_db_blocker):
    """The session's three villages plus a few more, committed; the extras go afterwards."""
    with django_db_blocker.unblock():
        template = template_get_or_build()
        regions = Region.objects.filter(
            level__in=VILLAGE_LEVELS, code__startswith="18.12.", village__isnull=True
        ).order_by("code")[:EXTRA_VILLAGES]
        extras: list[Village] = []
        try:
            for region in regions:
                schema = schema_name_for_region(region.code)
                schema_create_from_template(schema, template)
                extras.append(
                    Village.objects.create(
                        schema_name=schema,
                        region=region,
                        slug=f"uji-migrasi-{region.code.replace('.', '')}",
                        name=region.name,
                        kecamatan_code=region.kecamatan_code,
                        kabupaten_code=region.kabupaten_code,
                    )
                )
            connection.set_schema_to_public()
            yield sorted(Village.objects.values_list("schema_name", flat=True))
        finally:
            for village in extras:
                village.delete()
                schema_drop(village.schema_name)


@pytest.fixture
def committed(django_db_blocker):
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def _install_migration(tmp_path: Path, settings, source: str) -> None:
    """Point the village app at a copy of its migrations plus one new migration.

    The new one depends on whatever the village app's latest migration is today.
    """
    leaves = migration_loader().graph.leaf_nodes("village")
    package = f"balai_migrate_test_{secrets.token_hex(4)}"
    folder = tmp_path / package / "village"
    folder.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    for path in Path(village_migrations.__file__).parent.glob("[0-9]*.py"):
        shutil.copy(path, folder)
    source = source.replace("DEPENDENCIES", repr(leaves))
    (folder / f"{NEW_MIGRATION}.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, "village": f"{package}.village"}
    migrations_fingerprint.cache_clear()


@pytest.fixture
def new_migration(tmp_path, settings, villages, committed):
    """Install a migration; afterwards undo it in every village and forget its template."""
    old_fingerprint = migrations_fingerprint()
    pooled_before = PooledSchema.objects.filter(fingerprint=old_fingerprint).count()
    migration_modules = settings.MIGRATION_MODULES

    def install(source: str = ADD_COLUMN_AND_INDEX) -> None:
        _install_migration(tmp_path, settings, source)

    yield install
    new_fingerprint = migrations_fingerprint()
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("balai_migrate_test_")]:
        del sys.modules[name]
    settings.MIGRATION_MODULES = migration_modules
    migrations_fingerprint.cache_clear()
    with connection.cursor() as cursor:
        for schema in villages:
            cursor.execute(
                f'ALTER TABLE "{schema}".village_villageprofile DROP COLUMN IF EXISTS motto'
            )
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
                ["village", NEW_MIGRATION],
            )
    if new_fingerprint != old_fingerprint:
        for pooled in PooledSchema.objects.filter(fingerprint=new_fingerprint):
            schema_drop(pooled.schema_name)
            pooled.delete()
        SchemaTemplate.objects.filter(fingerprint=new_fingerprint).delete()
    # Put back as many ready schemas of the current template as there were.
    if PooledSchema.objects.filter(fingerprint=old_fingerprint).count() < pooled_before:
        pool_refill(target=pooled_before)


def _schema_structure(schema: str) -> dict[str, list[tuple]]:
    """Columns, indexes and constraints of a schema, with the schema's name taken out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
            "column_default, character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            [schema],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, replace(indexdef, %s, '') FROM pg_indexes "
            "WHERE schemaname = %s ORDER BY tablename, indexname",
            [f"{schema}.", schema],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, k.conname, replace(pg_get_constraintdef(k.oid), %s, '') "
            "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        constraints = cursor.fetchall()
    return {"columns": columns, "indexes": indexes, "constraints": constraints}


def _differences(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> dict:
    """What is only in one of two structures, by kind: readable when a test fails."""
    found = {}
    for kind in expected:
        only_actual = sorted(set(actual[kind]) - set(expected[kind]), key=str)
        only_expected = sorted(set(expected[kind]) - set(actual[kind]), key=str)
        if only_actual or only_expected:
            found[kind] = {"only here": only_actual, "only in reference": only_expected}
    return found


@pytest.fixture
def reference_schema(committed):
    """A fresh schema migrated from nothing by Django's own executor (migrate_schemas)."""
    schema = f"balai_ref_{secrets.token_hex(4)}"

    def build() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0
        )
        connection.set_schema_to_public()
        return schema

    yield build
    schema_drop(schema)


@pytest.fixture
def ddl_log(committed):
    """Every DDL command run in the database while the test runs, by any connection."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE public.migrate_test_ddl_log (tag text, at timestamptz)")
        cursor.execute(
            "CREATE FUNCTION public.migrate_test_log_ddl() RETURNS event_trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO public.migrate_test_ddl_log VALUES (tg_tag, now()); END $$"
        )
        cursor.execute(
            "CREATE EVENT TRIGGER migrate_test_ddl ON ddl_command_start "
            "EXECUTE FUNCTION public.migrate_test_log_ddl()"
        )

    def logged() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tag FROM public.migrate_test_ddl_log ORDER BY at")
            return [row[0] for row in cursor.fetchall()]

    yield logged
    with connection.cursor() as cursor:
        cursor.execute("DROP EVENT TRIGGER migrate_test_ddl")
        cursor.execute("DROP FUNCTION public.migrate_test_log_ddl()")
        cursor.execute("DROP TABLE public.migrate_test_ddl_log")


def _has_motto(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'village_villageprofile' AND column_name = 'motto'",
            [schema],
        )
        return cursor.fetchone() is not None


def _conninfo() -> str:
    params = connection.get_connection_params()
    keep = ("dbname", "host", "port", "user", "password")
    return " ".join(f"{key}={params[key]}" for key in keep if params.get(key))


@pytest.mark.django_db
def test_applied_migrations_of_every_village_are_read_in_one_query(cast):
    # given
    schemas = [cast.village_a.schema_name, cast.village_b.schema_name]

    # when
    with CaptureQueriesContext(connection) as queries:
        applied = applied_migrations_by_schema(schemas)

    # then shared apps' migrations are recorded in village schemas too
    assert len(queries) == 2  # which schemas have the table, then one UNION ALL
    assert applied[schemas[0]] == applied[schemas[1]]
    assert {("village", "0001_initial"), ("accounts", "0001_initial")} <= applied[schemas[0]]
    assert pending_plan(migration_loader(), applied[schemas[0]]) == ()


def test_a_plan_with_runpython_or_runsql_is_not_replayed():
    loader = migration_loader()

    assert replay_blocker(loader, (("village", "0001_initial"),)) is None
    loader.graph.nodes[("village", "0001_initial")].operations.append(
        migrations.RunSQL("UPDATE village_area SET name = upper(name)")
    )
    assert replay_blocker(loader, (("village", "0001_initial"),)) == (
        "village.0001_initial has RunSQL"
    )


@pytest.mark.django_db
def test_a_malformed_lock_timeout_is_refused_before_any_village_is_touched(cast):
    with pytest.raises(CommandError, match="invalid timeout"):
        call_command("migrate_villages", skip_public=True, no_pool=True, lock_timeout="soon")


def test_villages_already_up_to_date_are_skipped_without_any_ddl(villages, ddl_log):
    # when
    report = migrate_villages(parallel=2, log=lambda line: None)

    # then
    assert report.total == len(villages) == 3 + EXTRA_VILLAGES
    assert report.up_to_date == report.total
    assert report.migrated == []
    assert report.failed == {}
    assert ddl_log() == []


def test_a_new_migration_reaches_every_village_as_djangos_executor_makes_it(
    villages, new_migration, reference_schema
):
    # given
    new_migration(ADD_COLUMN_AND_INDEX)
    lines: list[str] = []

    # when
    report = migrate_villages(parallel=2, log=lines.append)

    # then one village was migrated by Django's executor, the others by replaying its SQL
    assert report.failed == {}
    assert report.migrated == villages
    assert (report.executed, report.replayed) == (1, len(villages) - 1)
    assert any("replaying" in line for line in lines)
    expected = _schema_structure(reference_schema())
    assert ("village_villageprofile", "motto") in {row[:2] for row in expected["columns"]}
    assert "village_profile_motto_idx" in {row[1] for row in expected["indexes"]}
    for schema in villages:
        assert _differences(_schema_structure(schema), expected) == {}, schema

    # and a second run finds nothing left to do
    again = migrate_villages(parallel=2, log=lambda line: None)
    assert again.up_to_date == again.total


def test_a_data_migration_goes_through_djangos_executor_in_every_village(villages, new_migration):
    # given a migration with RunPython, whose effect depends on each village's rows
    new_migration(DATA_MIGRATION)
    lines: list[str] = []

    # when
    report = migrate_villages(parallel=2, log=lines.append)

    # then
    assert report.failed == {}
    assert (report.executed, report.replayed) == (len(villages), 0)
    assert any("RunPython" in line for line in lines)
    with connection.cursor() as cursor:
        for schema in villages:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE motto = 'Gotong royong') "
                f'FROM "{schema}".village_villageprofile'
            )
            profiles, filled = cursor.fetchone()
            assert filled == profiles, schema


def test_a_locked_village_times_out_is_reported_and_a_rerun_finishes_it(villages, new_migration):
    # given a migration, and two villages whose profile table another session is reading
    # (the first, which would lead, and the last, which would be replayed)
    new_migration(ADD_COLUMN_AND_INDEX)
    busy = [villages[0], villages[-1]]
    other_session = psycopg.connect(_conninfo())
    try:
        for schema in busy:
            other_session.execute(f'SELECT count(*) FROM "{schema}".village_villageprofile')

        # when
        report = migrate_villages(parallel=2, lock_timeout="200ms", log=lambda line: None)
    finally:
        other_session.rollback()
        other_session.close()

    # then the busy villages failed with the lock timeout, the others were migrated
    assert sorted(report.failed) == sorted(busy)
    assert all("lock timeout" in error for error in report.failed.values())
    assert report.migrated == [schema for schema in villages if schema not in busy]
    assert [_has_motto(schema) for schema in busy] == [False, False]

    # when the deploy is run again with the readers gone
    rerun = migrate_villages(parallel=2, lock_timeout="200ms", log=lambda line: None)

    # then it finishes exactly the villages that failed
    assert rerun.failed == {}
    assert rerun.migrated == sorted(busy)
    assert rerun.up_to_date == len(villages) - len(busy)
    assert all(_has_motto(schema) for schema in villages)


def test_a_village_that_cannot_take_the_migration_is_reported_and_the_others_continue(
    villages, new_migration
):
    # given a village where someone already added a column of that name by hand
    new_migration(ADD_COLUMN_AND_INDEX)
    odd = villages[2]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{odd}".village_villageprofile ADD COLUMN motto integer')

    # when
    report = migrate_villages(parallel=2, log=lambda line: None)

    # then its replay failed, Django's executor failed the same way, and it says why
    assert list(report.failed) == [odd]
    assert report.failed[odd].startswith("DuplicateColumn:")
    assert report.migrated == [schema for schema in villages if schema != odd]


def test_balai_migrate_rebuilds_the_village_template_and_the_pool_for_the_new_migration(
    villages, new_migration, settings
):
    # given a pooled schema made before the new migration
    settings.BALAI_SCHEMA_POOL_SIZE = 1
    old_template = template_get_or_build()
    pool_refill()
    old_pooled = set(PooledSchema.objects.values_list("schema_name", flat=True))
    new_migration(ADD_COLUMN_AND_INDEX)
    out = io.StringIO()

    # when
    call_command("migrate_villages", skip_public=True, parallel=2, stdout=out)

    # then new villages will be made with the column, and the existing ones have it
    template = SchemaTemplate.objects.get(fingerprint=migrations_fingerprint())
    assert template.fingerprint != old_template.fingerprint
    assert "motto" in template.sql and "village_profile_motto_idx" in template.sql
    assert template.migration_count == old_template.migration_count + 1
    assert f"{len(villages)} migrated" in out.getvalue()
    assert all(_has_motto(schema) for schema in villages)
    # and the pool holds only schemas of the new template
    pooled = list(PooledSchema.objects.all())
    assert {p.fingerprint for p in pooled} == {template.fingerprint}
    assert not any(schema_exists(name) for name in old_pooled)
    assert all(_has_motto(p.schema_name) for p in pooled)
