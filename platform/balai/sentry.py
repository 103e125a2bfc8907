"""Sentry: village tags on every event, personal data scrubbed before anything is sent.

NIK and KK numbers (16 digits), phone numbers, names, addresses, PINs, passwords and
tokens are removed from request data, extra data, breadcrumbs, frame variables and
messages. The scrubbing runs in ``before_send`` so it also covers events from Celery.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk

FILTERED = "[Filtered]"
SENSITIVE_KEYS = re.compile(
    r"(^|_)(nik|kk|no_kk|nomor_kk|pin|password|passwd|secret|token|phone|telepon|hp|"
    r"nama|name|full_name|alamat|address|email|authorization|cookie|sessionid|csrftoken)($|_)",
    re.IGNORECASE,
)
# Keys that end in "name" but describe code, not people.
SAFE_KEYS = {
    "schema_name",
    "village_schema",
    "module_name",
    "app_name",
    "task_name",
    "logger_name",
    "name_of_task",
    "filename",
    "function",
    "hostname",
    "server_name",
    "model_name",
    "url_name",
    "view_name",
    "type",
    "module",
}
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
PHONE = re.compile(r"(?<!\d)(?:\+?62|0)8\d{7,11}(?!\d)")


def scrub_text(text: str) -> str:
    return PHONE.sub("[phone]", SIXTEEN_DIGITS.sub("[nik/kk]", text))


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return value
    if isinstance(value, dict):
        return {
            key: (
                FILTERED
                if isinstance(key, str) and key not in SAFE_KEYS and SENSITIVE_KEYS.search(key)
                else _scrub(item, depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    tags = event.get("tags")
    scrubbed = _scrub({k: v for k, v in event.items() if k != "tags"})
    if tags is not None:
        scrubbed["tags"] = tags
    return scrubbed


def init_sentry(
    *, dsn: str, environment: str, traces_sample_rate: float = 0.0, transport: Any = None
) -> None:
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=lambda crumb, hint: _scrub(crumb),
        transport=transport,
    )


def tag_village(village: Any) -> None:
    """Tag the current scope with the village (or the public host) being served."""
    scope = sentry_sdk.get_isolation_scope()
    if village is None:
        scope.set_tag("village_schema", "public")
        scope.remove_tag("region_code")
        scope.remove_tag("kecamatan_code")
        scope.remove_tag("kabupaten_code")
        return
    scope.set_tag("village_schema", village.schema_name)
    scope.set_tag("region_code", village.region_id)
    scope.set_tag("kecamatan_code", village.kecamatan_code)
    scope.set_tag("kabupaten_code", village.kabupaten_code)
