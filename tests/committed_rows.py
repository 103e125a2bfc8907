"""Rows a committing test leaves behind are removed after it, whoever wrote them.

Most tests run inside a transaction that is rolled back. Some cannot: browser journeys
against a live server, tests with the live Celery worker, and tests that commit from
threads to race each other. They clean up what they know about, but what a live worker
writes in reaction (notifications, audit rows, roll-ups) is easy to miss, and then a
later test that counts rows in the cast's villages fails for a reason of its own.

So, for every test that commits (it uses one of ``COMMITTING_FIXTURES`` or carries the
``commits`` marker), the highest id of every table with an integer ``id`` in the public
schema and the village schemas is noted once its fixtures are set up (and, for tables keyed
by one other column, the keys present), and after its fixtures are torn down every row
above that mark (or with a new key) is deleted, foreign keys and triggers off, as a restore
would. Rows updated in place are the test's own business.

It reads and deletes over a connection of its own in autocommit, so it sees only what was
committed and never what a test's own transaction holds.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg import sql

COMMITTING_FIXTURES = {"balai_server", "page", "live_worker", "committed_connection"}
# Queues the live worker consumes; a test's follow-up work must be done before sweeping.
WORKER_QUEUES = ("default", "platform")
DRAIN_TIMEOUT = 10.0
SKIPPED_TABLES = {"django_migrations", "regions_region"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "commits: the test commits rows; remove what it leaves after it"
    )


def _commits(item: pytest.Item) -> bool:
    return bool(COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ()))) or (
        item.get_closest_marker("commits") is not None
    )


def _connect() -> psycopg.Connection | None:
    from django.db import connection

    settings = connection.settings_dict
    test_name = settings["TEST"]["NAME"]
    if not test_name or settings["NAME"] != test_name:
        return None  # no test database made in this run: nothing of ours to sweep
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def _tables(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT c.table_schema, c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.column_name = 'id' AND c.data_type IN ('integer', 'bigint')
          AND t.table_type = 'BASE TABLE'
          AND (c.table_schema = 'public' OR c.table_schema IN (
                SELECT schema_name FROM tenants_village))
        """
    )
    return [(schema, table) for schema, table in cursor.fetchall() if table not in SKIPPED_TABLES]


def _keyed_tables(cursor) -> list[tuple[str, str, str]]:
    """Tables keyed by one column other than an integer ``id``: (schema, table, column)."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname, a.attname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND i.indnatts = 1 AND c.relkind = 'r'
          AND NOT (a.attname = 'id' AND a.atttypid IN ('int4'::regtype, 'int8'::regtype))
          AND (n.nspname = 'public' OR n.nspname IN (SELECT schema_name FROM tenants_village))
        """
    )
    return [row for row in cursor.fetchall() if row[1] not in SKIPPED_TABLES]


def _keys(cursor) -> dict[tuple[str, str, str], set[str]]:
    keys = {}
    for schema, table, column in _keyed_tables(cursor):
        cursor.execute(
            sql.SQL("SELECT {}::text FROM {}").format(
                sql.Identifier(column), sql.Identifier(schema, table)
            )
        )
        keys[(schema, table, column)] = {value for (value,) in cursor.fetchall()}
    return keys


def _marks(cursor) -> dict[tuple[str, str], int]:
    tables = _tables(cursor)
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, {}, coalesce(max(id), 0) FROM {}").format(
            sql.Literal(schema), sql.Literal(table), sql.Identifier(schema, table)
        )
        for schema, table in tables
    )
    cursor.execute(query)
    return {(schema, table): mark for schema, table, mark in cursor.fetchall()}


def _drain_worker_queues() -> None:
    """Wait until the live worker (if any) has taken every message of this test."""
    import redis
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        # The embedded Redis (no REDIS_URL set): the broker is REDIS_URL's unix socket.
        url = settings.REDIS_URL
    if not url.startswith(("redis://", "unix://")):
        return
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + DRAIN_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if not any(client.llen(queue) for queue in WORKER_QUEUES):
                break
            time.sleep(0.1)
        # The message taken last may still be running (solo pool: one at a time).
        time.sleep(0.3)
    finally:
        client.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield
    if not _commits(item):
        return
    database = _connect()
    if database is None:
        return
    with database, database.cursor() as cursor:
        item._balai_committed_marks = _marks(cursor)
        item._balai_committed_keys = _keys(cursor)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    marks = getattr(item, "_balai_committed_marks", None)
    if marks is None:
        return
    _drain_worker_queues()
    database = _connect()
    if database is None:
        return
    with database, database.cursor() as cursor:
        try:
            cursor.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            pass  # not a superuser: plain deletes, in the order of the marks
        after = _marks(cursor)
        for key, top in after.items():
            mark = marks.get(key, 0)
            if top > mark:
                cursor.execute(
                    sql.SQL("DELETE FROM {} WHERE id > %s").format(sql.Identifier(*key)), [mark]
                )
        keys_before = getattr(item, "_balai_committed_keys", {})
        for key, values in _keys(cursor).items():
            new = values - keys_before.get(key, set())
            if new:
                schema, table, column = key
                cursor.execute(
                    sql.SQL("DELETE FROM {} WHERE {}::text = ANY(%s)").format(
                        sql.Identifier(schema, table), sql.Identifier(column)
                    ),
                    [list(new)],
                )
