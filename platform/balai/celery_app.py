"""The Celery app. Tasks are tenant-aware through tenant-schemas-celery.

Two kinds of task, and every task is one of them:
- ``VillageTask``: runs inside the schema of the village it was queued from. It refuses to
  be queued from the public schema and fails loudly when it arrives without its village
  (tenant-schemas-celery alone would silently run it in the public schema).
- ``PlatformTask``: always runs in the public schema, wherever it was queued from.
"""

from __future__ import annotations

import functools
import os

from celery import Task
from celery.signals import task_prerun
from django.db import connection, transaction
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

from balai.sentry import tag_village

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")

SCHEMA_HEADER = "_schema_name"
PUBLIC_SCHEMA = "public"


class VillageContextMissingError(RuntimeError):
    """A village task was queued or received without its village."""


def _header_schema(task: Task) -> str | None:
    # With the Redis transport the custom headers end up merged into the request itself.
    request = task.request
    headers = request.headers or {}
    return headers.get(SCHEMA_HEADER) or request.get(SCHEMA_HEADER)


def _village_headers(task: Task, headers: dict | None) -> dict:
    """The message headers with the village schema: given explicitly, or the active one."""
    headers = headers or {}
    schema = headers.get(SCHEMA_HEADER) or connection.schema_name
    if not schema or schema == PUBLIC_SCHEMA:
        raise VillageContextMissingError(
            f"{task.name} is a village task: queue it with a village schema active"
        )
    return {**headers, SCHEMA_HEADER: schema}


class VillageTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        options["headers"] = _village_headers(self, options.get("headers"))
        return super().apply_async(args, kwargs, **options)

    def apply(self, args=None, kwargs=None, *rest, **options):
        # TenantTask.apply would stamp "public" and let the task fail later; refuse now,
        # exactly as apply_async does.
        options["headers"] = _village_headers(self, options.get("headers"))
        return super().apply(args, kwargs, *rest, **options)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        # The village is read now, not when the transaction commits: by then the
        # connection may serve another village, or the public schema.
        options["headers"] = _village_headers(self, options.get("headers"))
        transaction.on_commit(functools.partial(self.apply_async, args, kwargs, **options))

    def delay_on_commit(self, *args, **kwargs) -> None:
        self.apply_async_on_commit(args, kwargs)

    def __call__(self, *args, **kwargs):
        if self.request_stack.top is None:
            # Called as a plain function, not by a worker or apply(): it runs in whatever
            # schema is active, so that has to be a village.
            _village_headers(self, None)
            return super().__call__(*args, **kwargs)
        # By now tenant-schemas-celery's task_prerun handler has switched the connection
        # to the header's schema, or to public when the header is missing. It also
        # swallows its own errors (an unknown schema leaves the connection on public),
        # hence the comparison with the connection.
        schema = _header_schema(self)
        if not schema or schema == PUBLIC_SCHEMA or connection.schema_name != schema:
            raise VillageContextMissingError(
                f"{self.name} arrived without its village (schema header {schema!r}); "
                "refusing to run it in the public schema"
            )
        return super().__call__(*args, **kwargs)


class PlatformTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        options["headers"] = {**(options.get("headers") or {}), SCHEMA_HEADER: PUBLIC_SCHEMA}
        return super().apply_async(args, kwargs, **options)

    def apply(self, args=None, kwargs=None, *rest, **options):
        options["headers"] = {**(options.get("headers") or {}), SCHEMA_HEADER: PUBLIC_SCHEMA}
        return super().apply(args, kwargs, *rest, **options)


@task_prerun.connect(dispatch_uid="balai_sentry_tag_village")
def _tag_sentry_scope_with_village(task: Task | None = None, **kwargs) -> None:
    # Connected after tenant-schemas-celery's switch_schema (imported above), so the
    # connection already serves the task's schema. Sentry's Celery integration gives each
    # task its own isolation scope, so the tags do not outlive the task.
    schema = connection.schema_name
    if schema == PUBLIC_SCHEMA:
        tag_village(None)
        return
    village = connection.tenant
    if not hasattr(village, "region_id") and isinstance(task, TenantTask):
        # schema_context() leaves a stand-in tenant, and switch_schema keeps it when the
        # task's schema is already active (eager apply() inside a village).
        village = task.get_tenant_for_schema(schema_name=schema)
    tag_village(village)


app = CeleryApp("balai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_tenant_cache_seconds = 30
# Celery's Django fixup closes the database connection around every task unless told to
# reuse it: that cost two new PostgreSQL connections per village task (bench/catalog).
# Reusing it lets the catalog cache grow with each village served, which the worker
# child recycling (CELERY_WORKER_MAX_TASKS_PER_CHILD) bounds.
app.conf.CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "200"))
app.autodiscover_tasks()
# balai.diagnostics is not a tasks module, so name it for the workers to import.
app.autodiscover_tasks(["balai"], related_name="diagnostics")
