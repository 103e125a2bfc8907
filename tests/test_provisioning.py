"""Village schemas made without migrations are the schemas migrations would have made.

Onboarding never runs migrations for a village: it replays a pg_dump of a migrated
template or renames a ready schema from the pool. The proof that this is safe is a
catalog comparison against a schema migrated the ordinary way. These tests commit
scratch schemas (migrate_schemas and pg_dump need committed state) and drop them after.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tenants.models import PooledSchema, SchemaTemplate
from tenants.provisioning import (
    _check_schema_name,
    migrations_fingerprint,
    pool_refill,
    schema_create_from_template,
    schema_drop,
    schema_exists,
    schema_name_for_region,
    schema_take_from_pool,
    template_get_or_build,
)

SCHEMA_TOKEN = "<schema>"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def schema_catalog(schema_name: str) -> dict[str, object]:
    """Everything that makes up a schema, with its own name replaced by a token."""
    own_name = re.compile(rf"\b{re.escape(schema_name)}\b")

    def normalise(value):
        return own_name.sub(SCHEMA_TOKEN, value) if isinstance(value, str) else value

    def fetch(sql: str) -> list[tuple]:
        return sorted(
            (tuple(normalise(v) for v in row) for row in _rows(sql, [schema_name])),
            key=repr,
        )

    tables = fetch(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s"
    )
    # Column order is compared by rank, not attnum: a dropped column leaves an attnum gap
    # in a migrated schema that a replayed one does not have, and no query can see it.
    columns = fetch(
        """
        SELECT c.relname, a.attname,
               rank() OVER (PARTITION BY c.oid ORDER BY a.attnum),
               format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
               coalesce(co.collname, '')
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm')
          AND a.attnum > 0 AND NOT a.attisdropped
        """
    )
    constraints = fetch(
        """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
               con.condeferrable, con.condeferred
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname = %s
        """
    )
    indexes = fetch("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s")
    # last_value matters: a replayed django_migrations sequence left at 1 would make the
    # next migration of that village fail on a duplicate id.
    sequences = fetch(
        """
        SELECT sequencename, data_type::text, start_value, min_value, max_value,
               increment_by, cycle, last_value
        FROM pg_sequences WHERE schemaname = %s
        """
    )
    sequence_owners = fetch(
        """
        SELECT s.relname, t.relname, a.attname, d.deptype
        FROM pg_class s
        JOIN pg_namespace n ON n.oid = s.relnamespace
        JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                        AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE n.nspname = %s AND s.relkind = 'S'
        """
    )
    views = fetch(
        "SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = %s"
    )
    triggers = fetch(
        """
        SELECT t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND NOT t.tgisinternal
        """
    )
    functions = fetch(
        """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s
        """
    )
    migrations = sorted(
        _rows(f'SELECT app, name FROM "{_check_schema_name(schema_name)}".django_migrations', [])
    )
    row_counts = {}
    for table, kind in tables:
        if kind == "BASE TABLE":
            row_counts[table] = _rows(f'SELECT count(*) FROM "{schema_name}"."{table}"', [])[0][0]
    return {
        "tables": tables,
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "sequences": sequences,
        "sequence_owners": sequence_owners,
        "views": views,
        "triggers": triggers,
        "functions": functions,
        "django_migrations": migrations,
        "row_counts": row_counts,
    }


def _scratch_name(kind: str) -> str:
    return f"zz_{kind}_{secrets.token_hex(4)}"


def _migrate_scratch_schema(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{_check_schema_name(name)}"')
    try:
        call_command(
            "migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=0
        )
    finally:
        connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access outside any test transaction; drops the scratch schemas it is given."""
    made: list[str] = []
    with django_db_blocker.unblock():
        yield made
        connection.set_schema_to_public()
        for name in made:
            schema_drop(name)
        PooledSchema.objects.filter(schema_name__in=made).delete()


def test_replayed_and_pooled_schemas_equal_a_migrated_one(committed):
    # given: a schema migrated by Django, one replayed from the template, one from the pool
    template = template_get_or_build()
    migrated, replayed, pooled = (_scratch_name(k) for k in ("migrated", "replayed", "pooled"))
    committed.extend([migrated, replayed, pooled])
    _migrate_scratch_schema(migrated)
    with transaction.atomic():
        schema_create_from_template(replayed, template)
    pool_name = _scratch_name("pool")
    committed.append(pool_name)
    # A fingerprint of its own, so the take below renames this schema and no other.
    proof_fingerprint = f"proof-{secrets.token_hex(8)}"
    with transaction.atomic():
        schema_create_from_template(pool_name, template)
        PooledSchema.objects.create(schema_name=pool_name, fingerprint=proof_fingerprint)
    with transaction.atomic():
        assert schema_take_from_pool(pooled, proof_fingerprint) is True
    assert not schema_exists(pool_name)
    assert schema_exists(pooled)

    # when
    expected = schema_catalog(migrated)
    from_template = schema_catalog(replayed)
    from_pool = schema_catalog(pooled)

    # then: same catalog, part by part (one assert per part names the part that differs)
    assert expected["tables"], "the migrated schema has no tables: the comparison is empty"
    assert expected["django_migrations"]
    for part, value in expected.items():
        assert from_template[part] == value, f"template replay differs in {part}"
        assert from_pool[part] == value, f"pooled schema differs in {part}"


def test_the_template_holds_every_village_migration(committed):
    template = template_get_or_build()
    migrated = _scratch_name("migrated")
    committed.append(migrated)
    _migrate_scratch_schema(migrated)

    applied = _rows(f'SELECT count(*) FROM "{migrated}".django_migrations', [])[0][0]

    assert template.fingerprint == migrations_fingerprint()
    assert template.migration_count == applied
    assert PooledSchema.objects.exclude(fingerprint=template.fingerprint).count() == 0


@pytest.mark.parametrize(
    ("region_code", "schema_name"),
    [("18.08.11.2001", "desa_1808112001"), ("18.71.01.1001", "desa_1871011001")],
)
def test_schema_name_comes_from_the_region_code(region_code, schema_name):
    assert schema_name_for_region(region_code) == schema_name


@pytest.mark.parametrize(
    "not_a_village_code",
    [
        "18.08.11",
        "18.08",
        "1808112001",
        "18.08.11.2001 ",
        "18.08.11.2001; DROP SCHEMA public",
        '18.08.11.2001"',
        "18-08-11-2001",
        "ab.cd.ef.ghij",
        "",
    ],
)
def test_schema_name_refuses_anything_but_a_village_code(not_a_village_code):
    with pytest.raises(ValueError, match="not a village region code"):
        schema_name_for_region(not_a_village_code)


@pytest.mark.parametrize(
    "bad_name",
    [
        'desa"; DROP SCHEMA public; --',
        "desa;drop",
        "desa'1",
        'desa"1',
        "pg_catalog",
        "pg_desa",
        "public",
        "Desa_1808112001",
        "1desa",
        "de",
        "desa-1808",
        "desa 1808",
        "a" * 64,
        "",
    ],
)
def test_unsafe_schema_names_are_refused(bad_name):
    with pytest.raises(ValueError, match="refusing schema name"):
        _check_schema_name(bad_name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "call",
    [
        lambda name: schema_drop(name),
        lambda name: schema_take_from_pool(name, "x"),
        lambda name: schema_create_from_template(name, SchemaTemplate(sql="")),
    ],
    ids=["drop", "take_from_pool", "create_from_template"],
)
def test_schema_ddl_functions_check_the_name_before_any_sql(call):
    with pytest.raises(ValueError, match="refusing schema name"):
        call('public"; DROP SCHEMA public CASCADE; --')
    assert schema_exists("public")


# The fingerprint test adds a migration to the village app through MIGRATION_MODULES
# pointing at a copy of its migrations, so the repository's files are never touched.
PROBE_MIGRATION = """
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("village", "{last}")]
    operations = [
        migrations.RunSQL(
            "CREATE TABLE fingerprint_probe (id integer PRIMARY KEY)",
            "DROP TABLE fingerprint_probe",
        )
    ]
"""


def _village_migrations_with_a_probe(tmp_path: Path) -> str:
    from services.village import migrations as village_migrations

    package = f"village_probe_migrations_{secrets.token_hex(4)}"
    target = tmp_path / package
    target.mkdir()
    source = Path(village_migrations.__file__).parent
    names = sorted(p.name for p in source.glob("[0-9][0-9][0-9][0-9]_*.py"))
    for name in [*names, "__init__.py"]:
        shutil.copy(source / name, target / name)
    last = names[-1].removesuffix(".py")
    (target / "9999_fingerprint_probe.py").write_text(PROBE_MIGRATION.format(last=last))
    return package


def _pool(fingerprint: str) -> list[str]:
    return list(
        PooledSchema.objects.filter(fingerprint=fingerprint).values_list("schema_name", flat=True)
    )


def test_new_migrations_rebuild_the_template_and_retire_stale_pooled_schemas(
    committed, settings, tmp_path, monkeypatch
):
    # given: the current template and one pooled schema made from it
    old = template_get_or_build()
    pool_before = _pool(old.fingerprint)
    if not pool_before:
        pool_refill(target=1)
    stale = _pool(old.fingerprint)
    assert stale

    monkeypatch.syspath_prepend(str(tmp_path))
    package = _village_migrations_with_a_probe(tmp_path)
    original_modules = dict(settings.MIGRATION_MODULES or {})
    new = None
    try:
        # when: a village migration is added
        settings.MIGRATION_MODULES = {**original_modules, "village": package}
        migrations_fingerprint.cache_clear()
        new = template_get_or_build()
        refill = pool_refill(target=1)

        # then: a new template, built by migrating, with the new migration in it
        assert new.fingerprint == migrations_fingerprint() != old.fingerprint
        assert new.migration_count == old.migration_count + 1
        assert "fingerprint_probe" in new.sql
        assert "fingerprint_probe" not in old.sql
        # and the stale pooled schemas are gone, replaced by ones of the new template
        assert refill["dropped"] == len(stale)
        assert PooledSchema.objects.filter(fingerprint=old.fingerprint).count() == 0
        assert not any(schema_exists(name) for name in stale)
        fresh = _pool(new.fingerprint)
        assert len(fresh) == 1
        probe = _rows(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = 'fingerprint_probe'",
            [fresh[0]],
        )
        assert probe == [(1,)]
    finally:
        # Put the pool and the template back as they were for the other tests.
        settings.MIGRATION_MODULES = original_modules
        migrations_fingerprint.cache_clear()
        pool_refill(target=len(pool_before))
        if new is not None:
            SchemaTemplate.objects.filter(pk=new.pk).delete()
    assert template_get_or_build().fingerprint == old.fingerprint
    assert len(_pool(old.fingerprint)) == len(pool_before)


def test_pool_refill_tops_up_to_the_target_and_no_further(committed):
    template = template_get_or_build()
    before = _pool(template.fingerprint)
    try:
        first = pool_refill(target=len(before) + 2)
        again = pool_refill(target=len(before) + 2)

        assert first["created"] == 2
        assert again["created"] == 0
        added = set(_pool(template.fingerprint)) - set(before)
        assert len(added) == 2
        assert all(schema_exists(name) for name in added)
    finally:
        for row in PooledSchema.objects.exclude(schema_name__in=before):
            schema_drop(row.schema_name)
            row.delete()
