"""Migrating many village schemas quickly.

Stock ``migrate_schemas`` builds a migration loader and scans the catalog for every
village, 0.14-0.2 s each with 1,000 villages even when there is nothing to do (3 to 4
minutes a deploy; bench/results/migrate.md). Here:

1. Every village's applied migrations are read in one pass (UNION ALL over the schemas'
   django_migrations tables) and compared with the migration graph. A village schema
   records *every* app's migrations, shared ones too (the TenantSyncRouter only skips
   their operations), so the expected set is the whole graph.
2. Villages already up to date are skipped. The others are grouped by their plan (the
   ordered list of migrations they lack).
3. For a plan whose village-app migrations hold only schema operations (no RunPython,
   RunSQL, non-atomic or custom operations), Django's executor migrates one village,
   the *leader*, while the SQL its schema editor runs is captured. That SQL is then
   replayed in each other village of the group: one transaction per village with
   ``search_path`` set to it, plus the django_migrations rows, over parallel
   connections.
   The SQL Django generates for these operations names tables and indexes without the
   schema, so it is the same for every village built from the same migrations.
4. Everything else (plans with data migrations, villages with an unusual history, a
   village whose replay fails for any reason but a timeout) goes through Django's own
   executor, village by village, in the same worker pool.

The workers are threads, each with its own connection: the replay waits on PostgreSQL,
not on Python. Forked processes were tried first and hung whenever the parent held
sockets with after-fork hooks (a Celery broker pool closes its inherited Redis channels
in the child and blocks reading them).

Every worker session has a lock timeout (and optionally a statement timeout), so a
village whose table is busy fails fast instead of stalling the deploy; failures are
reported per village with the error, the others go on, and a rerun finishes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tenants.models import Village
from tenants.provisioning import village_app_labels

MigrationKey = tuple[str, str]

UNION_CHUNK = 500
# Villages per replay task: small enough for steady progress lines, large enough that
# a new connection per task (~5 ms) stays small next to the villages it serves.
REPLAY_BATCH = 20
LEADER_ATTEMPTS = 3
# Exact types: subclasses such as AddIndexConcurrently (not atomic) or custom
# operations may do anything and go through the executor.
REPLAYABLE_OPERATIONS = frozenset(
    {
        operations.CreateModel,
        operations.DeleteModel,
        operations.RenameModel,
        operations.AlterModelTable,
        operations.AlterModelTableComment,
        operations.AlterUniqueTogether,
        operations.AlterIndexTogether,
        operations.AlterOrderWithRespectTo,
        operations.AlterModelOptions,
        operations.AlterModelManagers,
        operations.AddField,
        operations.RemoveField,
        operations.AlterField,
        operations.RenameField,
        operations.AddIndex,
        operations.RemoveIndex,
        operations.RenameIndex,
        operations.AddConstraint,
        operations.RemoveConstraint,
        operations.AlterConstraint,
    }
)
# SQLSTATEs of a busy village: retrying later helps, replaying with the executor does not.
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"


@dataclass
class MigrationReport:
    total: int = 0
    up_to_date: int = 0
    migrated: list[str] = field(default_factory=list)
    replayed: int = 0
    executed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.total} villages: {self.up_to_date} up to date, "
            f"{len(self.migrated)} migrated ({self.replayed} by replayed SQL, "
            f"{self.executed} by Django's executor), {len(self.failed)} failed "
            f"in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Timeouts:
    lock: str = "5s"
    statement: str = "0"  # 0 = none


# --- What each village needs --------------------------------------------------------


def migration_loader() -> MigrationLoader:
    """The migration graph from disk, as a connection-less loader sees it."""
    return MigrationLoader(None, ignore_no_migrations=True)


def applied_migrations_by_schema(schemas: list[str]) -> dict[str, set[MigrationKey] | None]:
    """One query per UNION_CHUNK schemas, instead of Django's catalog scans per schema.

    None for a schema without a django_migrations table.
    """
    applied: dict[str, set[MigrationKey] | None] = dict.fromkeys(schemas)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [schemas],
        )
        with_table = sorted(row[0] for row in cursor.fetchall())
        for schema in with_table:
            applied[schema] = set()
        for start in range(0, len(with_table), UNION_CHUNK):
            chunk = with_table[start : start + UNION_CHUNK]
            sql = " UNION ALL ".join(
                f'SELECT %s, app, name FROM "{schema}".django_migrations' for schema in chunk
            )
            cursor.execute(sql, chunk)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))  # type: ignore[union-attr]
    return applied


def pending_plan(
    loader: MigrationLoader, applied: set[MigrationKey]
) -> tuple[MigrationKey, ...] | None:
    """The migrations a village lacks, in the order Django's executor would apply them.

    None when the history is irregular (a squashed migration partly applied), which only
    a loader reading that village's own history can plan.
    """
    applied = set(applied)
    for squashed, replaced in loader.replacements.items():
        if squashed not in loader.graph.nodes:
            continue
        done = [key in applied for key in replaced.replaces]
        if all(done):
            applied.add(squashed)
        elif any(done) and squashed not in applied:
            return None
    plan: list[MigrationKey] = []
    seen = set(applied)
    for target in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(target):
            if key not in seen:
                plan.append(key)
                seen.add(key)
    return tuple(plan)


def replay_blocker(loader: MigrationLoader, plan: tuple[MigrationKey, ...]) -> str | None:
    """Why the SQL of ``plan`` cannot be replayed village to village, or None if it can."""
    village_apps = set(village_app_labels())
    for key in plan:
        if key[0] not in village_apps:
            continue  # shared app: the router skips its operations in a village schema
        migration = loader.graph.nodes[key]
        if not migration.atomic:
            return f"{key[0]}.{key[1]} is not atomic"
        pending_ops = list(migration.operations)
        while pending_ops:
            operation = pending_ops.pop()
            if isinstance(operation, operations.SeparateDatabaseAndState):
                pending_ops.extend(operation.database_operations)
            elif type(operation) not in REPLAYABLE_OPERATIONS:
                return f"{key[0]}.{key[1]} has {type(operation).__name__}"
    return None


# --- Work done in the worker threads, each on its own connection ------------------------


@dataclass(frozen=True)
class VillageOutcome:
    schema: str
    how: str  # "replayed" or "executed"
    error: str | None = None
    statements: tuple[str, ...] | None = None


def _error_text(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line}"


def _is_timeout(error: BaseException) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in {LOCK_NOT_AVAILABLE, QUERY_CANCELED}


@contextmanager
def _capturing_schema_editor(statements: list[str]) -> Iterator[None]:
    """Record every statement the schema editor runs, parameters merged, as it runs it."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the proxy
    base = type(wrapper).SchemaEditorClass

    class CapturingSchemaEditor(base):
        def execute(self, sql, params=()):
            super().execute(sql, params)
            text = str(sql)
            if params is not None:
                text = self.connection.ops.compose_sql(text, params)
            statements.append(text)

    wrapper.SchemaEditorClass = CapturingSchemaEditor
    try:
        yield
    finally:
        del wrapper.SchemaEditorClass


def timeouts_check(timeouts: Timeouts) -> None:
    """Refuse a malformed timeout here, not as the same error in every village."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _set_timeouts(cursor, timeouts, local=True)
    except DatabaseError as error:
        raise ValueError(f"invalid timeout: {_error_text(error)}") from error


def _set_timeouts(cursor, timeouts: Timeouts, *, local: bool) -> None:
    is_local = "true" if local else "false"
    cursor.execute(
        f"SELECT set_config('lock_timeout', %s, {is_local}), "
        f"set_config('statement_timeout', %s, {is_local})",
        [timeouts.lock, timeouts.statement],
    )


def _executor_migrate(
    schema: str, timeouts: Timeouts, *, capture: bool
) -> tuple[list[MigrationKey], list[str]]:
    """Django's own executor on one village, as migrate_schemas runs it."""
    try:
        # Without public on the path, so a missing django_migrations is made in the
        # village instead of public's being found (django-tenants does the same).
        connection.set_schema(schema, include_public=False)
        MigrationRecorder(connection).ensure_schema()
        connection.set_schema(schema)
        with connection.cursor() as cursor:
            _set_timeouts(cursor, timeouts, local=False)
        executor = MigrationExecutor(connection)
        executor.loader.check_consistent_history(connection)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        statements: list[str] = []
        if capture:
            with _capturing_schema_editor(statements):
                executor.migrate(targets, plan=plan)
        else:
            executor.migrate(targets, plan=plan)
        return [(migration.app_label, migration.name) for migration, _ in plan], statements
    finally:
        connection.set_schema_to_public()


def _village_execute(schema: str, timeouts: Timeouts) -> VillageOutcome:
    try:
        _executor_migrate(schema, timeouts, capture=False)
    except Exception as error:  # noqa: BLE001 - reported per village; the others go on
        return VillageOutcome(schema, "executed", error=_error_text(error))
    finally:
        connection.close()  # bounds the backend's catalog cache (see CONN_MAX_AGE)
    return VillageOutcome(schema, "executed")


def _village_replay(
    schema: str, statements: tuple[str, ...], plan: tuple[MigrationKey, ...], timeouts: Timeouts
) -> None:
    # One cursor for the whole transaction: SET LOCAL lasts until commit, and the
    # tenant backend only touches search_path when it opens a cursor.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('search_path', %s, true)", [f'"{schema}", public'])
        _set_timeouts(cursor, timeouts, local=True)
        for statement in statements:
            cursor.execute(statement)
        cursor.executemany(
            f'INSERT INTO "{schema}".django_migrations (app, name, applied) VALUES (%s, %s, now())',
            list(plan),
        )


def _villages_replay(
    schemas: list[str],
    statements: tuple[str, ...],
    plan: tuple[MigrationKey, ...],
    timeouts: Timeouts,
) -> list[VillageOutcome]:
    outcomes = []
    try:
        for schema in schemas:
            try:
                _village_replay(schema, statements, plan, timeouts)
            except DatabaseError as error:
                if _is_timeout(error):
                    outcomes.append(VillageOutcome(schema, "replayed", error=_error_text(error)))
                    continue
                # The village differs from the leader (a constraint named otherwise, an
                # object missing): let Django's executor look at it and decide.
                try:
                    _executor_migrate(schema, timeouts, capture=False)
                except Exception as fallback_error:  # noqa: BLE001 - reported per village
                    outcomes.append(
                        VillageOutcome(schema, "executed", error=_error_text(fallback_error))
                    )
                else:
                    outcomes.append(VillageOutcome(schema, "executed"))
            else:
                outcomes.append(VillageOutcome(schema, "replayed"))
    finally:
        connection.close()
    return outcomes


def _leader_migrate(
    schema: str, timeouts: Timeouts
) -> tuple[VillageOutcome, tuple[MigrationKey, ...]]:
    try:
        plan, statements = _executor_migrate(schema, timeouts, capture=True)
    except Exception as error:  # noqa: BLE001 - reported per village; the others go on
        return VillageOutcome(schema, "executed", error=_error_text(error)), ()
    finally:
        connection.close()
    return VillageOutcome(schema, "executed", statements=tuple(statements)), tuple(plan)


# --- The orchestration, in the calling thread -------------------------------------------


class _Progress:
    def __init__(self, total: int, log: Callable[[str], None], every: float = 2.0) -> None:
        self.total, self.done, self.log, self.every = total, 0, log, every
        self.started = self.last = time.perf_counter()

    def add(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            self.log(f"{self.done}/{self.total} villages migrated ({now - self.started:.1f} s)")


def _record(report: MigrationReport, outcome: VillageOutcome, log: Callable[[str], None]) -> None:
    if outcome.error:
        report.failed[outcome.schema] = outcome.error
        log(f"FAILED {outcome.schema}: {outcome.error}")
        return
    report.migrated.append(outcome.schema)
    if outcome.how == "replayed":
        report.replayed += 1
    else:
        report.executed += 1


def _collect(
    futures: dict[Future, list[str]],
    report: MigrationReport,
    progress: _Progress,
    log: Callable[[str], None],
) -> None:
    for future in as_completed(futures):
        try:
            result = future.result()
        except Exception as error:  # noqa: BLE001 - a task blew up: its villages failed
            result = [
                VillageOutcome(schema, "executed", _error_text(error)) for schema in futures[future]
            ]
        outcomes = result if isinstance(result, list) else [result]
        for outcome in outcomes:
            _record(report, outcome, log)
        progress.add(len(outcomes))


def migrate_villages(
    *,
    parallel: int = 4,
    lock_timeout: str = "5s",
    statement_timeout: str = "0",
    log: Callable[[str], None] = print,
) -> MigrationReport:
    """Bring every village schema up to the migrations on disk; see the module docstring."""
    started = time.perf_counter()
    timeouts = Timeouts(lock=lock_timeout, statement=statement_timeout)
    timeouts_check(timeouts)
    schemas = list(Village.objects.order_by("schema_name").values_list("schema_name", flat=True))
    report = MigrationReport(total=len(schemas))
    loader = migration_loader()
    applied = applied_migrations_by_schema(schemas)

    groups: dict[tuple[MigrationKey, ...], list[str]] = {}
    irregular: list[str] = []
    for schema in schemas:
        village_applied = applied[schema]
        plan = pending_plan(loader, village_applied) if village_applied is not None else None
        if plan is None:
            irregular.append(schema)
        elif plan:
            groups.setdefault(plan, []).append(schema)
    pending = len(irregular) + sum(len(group) for group in groups.values())
    report.up_to_date = len(schemas) - pending
    log(
        f"{report.up_to_date} of {len(schemas)} villages up to date, {pending} to migrate "
        f"({time.perf_counter() - started:.1f} s)"
    )
    if not pending:
        report.seconds = time.perf_counter() - started
        return report

    if connection.in_atomic_block:
        # The workers commit village by village over their own connections; they would
        # neither see nor wait for this transaction.
        raise RuntimeError("migrate_villages must run outside a transaction")
    progress = _Progress(pending, log)
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="migrate") as pool:
        by_executor: list[str] = list(irregular)
        for plan, members in sorted(groups.items(), key=lambda item: -len(item[1])):
            names = ", ".join(f"{app}.{name}" for app, name in plan)
            blocker = replay_blocker(loader, plan)
            if blocker or len(members) == 1:
                reason = blocker or "a single village"
                log(f"{len(members)} villages need {names}: Django's executor ({reason})")
                by_executor.extend(members)
                continue
            log(f"{len(members)} villages need {names}: migrating a leader, then replaying")
            remaining = list(members)
            statements: tuple[str, ...] | None = None
            for _ in range(min(LEADER_ATTEMPTS, len(remaining))):
                leader = remaining.pop(0)
                try:
                    outcome, leader_plan = pool.submit(_leader_migrate, leader, timeouts).result()
                except Exception as error:  # noqa: BLE001 - a task blew up: report, go on
                    outcome, leader_plan = (
                        VillageOutcome(leader, "executed", _error_text(error)),
                        (),
                    )
                _record(report, outcome, log)
                progress.add(1)
                if outcome.error:
                    continue
                if leader_plan != plan:
                    log(f"{leader} applied another plan than expected: executor for the group")
                elif any(leader in statement for statement in outcome.statements or ()):
                    log(f"the SQL of {leader} names its schema: executor for the group")
                else:
                    statements = outcome.statements
                break
            if statements is None:
                by_executor.extend(remaining)
                continue
            log(f"replaying {len(statements)} statements in {len(remaining)} villages")
            batches = [
                remaining[start : start + REPLAY_BATCH]
                for start in range(0, len(remaining), REPLAY_BATCH)
            ]
            _collect(
                {
                    pool.submit(_villages_replay, batch, statements, plan, timeouts): batch
                    for batch in batches
                },
                report,
                progress,
                log,
            )
        if by_executor:
            log(f"migrating {len(by_executor)} villages with Django's executor")
            _collect(
                {
                    pool.submit(_village_execute, schema, timeouts): [schema]
                    for schema in by_executor
                },
                report,
                progress,
                log,
            )
    report.migrated.sort()
    report.seconds = time.perf_counter() - started
    return report
