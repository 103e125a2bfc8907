"""The Celery app. Tasks are tenant-aware through tenant-schemas-celery.

Two kinds of task, and every task is one of them:
- ``VillageTask``: runs inside the schema of the village it was queued from. It refuses to
  be queued from the public schema and fails loudly when it arrives without its village
  (tenant-schemas-celery alone would silently run it in the public schema).
- ``PlatformTask``: always runs in the public schema, wherever it was queued from.
"""

from __future__ import annotations

import os

from celery import Task
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")

SCHEMA_HEADER = "_schema_name"
PUBLIC_SCHEMA = "public"


class VillageContextMissingError(RuntimeError):
    """A village task was queued or received without its village."""


def _header_schema(task: Task) -> str | None:
    request = task.request
    headers = request.headers or {}
    return headers.get(SCHEMA_HEADER) or request.get(SCHEMA_HEADER)


class VillageTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        from django.db import connection

        headers = options.get("headers") or {}
        schema = headers.get(SCHEMA_HEADER) or connection.schema_name
        if not schema or schema == PUBLIC_SCHEMA:
            raise VillageContextMissingError(
                f"{self.name} is a village task: queue it with a village schema active"
            )
        options["headers"] = {**headers, SCHEMA_HEADER: schema}
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        from django.db import connection

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


app = CeleryApp("balai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_tenant_cache_seconds = 30
app.autodiscover_tasks()
