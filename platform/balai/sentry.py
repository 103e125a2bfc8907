"""Sentry: village tags on every event, personal data scrubbed before anything is sent.

NIK and KK numbers (16 digits), phone numbers, names, addresses, PINs, passwords and
tokens are removed from request data, extra data, breadcrumbs, frame variables and
messages. The scrubbing runs in ``before_send`` so it also covers events from Celery.
Tags are set per request (tenants.middleware) and per task (balai.celery_app).
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

FILTERED = "[Filtered]"
SENSITIVE_KEYS = re.compile(
    r"(^|[_-])(nik|kk|no_kk|nomor_kk|pin|phone|telepon|hp|nama|name|full_name|username|"
    r"alamat|address|email|authorization|cookie|sessionid)($|[_-])",
    re.IGNORECASE,
)
# Words that mark a key as secret wherever they appear in it (csrfmiddlewaretoken).
SECRET_KEY_WORDS = re.compile(r"password|passwd|secret|token", re.IGNORECASE)
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
# Top-level event keys that Sentry fills with facts about the process, never user data.
# Scrubbing them would only blank fields like sdk.name that Sentry's server relies on.
UNSCRUBBED_EVENT_KEYS = {
    "tags",
    "sdk",
    "modules",
    "platform",
    "event_id",
    "timestamp",
    "start_timestamp",
    "level",
    "release",
    "environment",
    "server_name",
    "type",
}
UNSCRUBBED_CONTEXTS = {"runtime", "os"}
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
# 08xx / 628xx / +628xx mobile numbers, also written in groups (0812-3456-7890).
PHONE = re.compile(r"(?<![\d+])(?:\+62[ .-]?|62|0)8(?:[ .-]?\d){7,11}(?!\d)")
# key=value pairs in query strings and log lines (pin=246810&nik=...).
KEY_VALUE = re.compile(r"([A-Za-z0-9_-]+)=([^&\s#;,]*)")
# A %-placeholder is kept: the logging filter scrubs format strings before their arguments
# are put in, and "pin=%s" losing its %s would break the formatting of the line.
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[a-zA-Z%]")


def _is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str) or key.lower() in SAFE_KEYS:
        return False
    return bool(SENSITIVE_KEYS.search(key) or SECRET_KEY_WORDS.search(key))


def _scrub_key_value(match: re.Match) -> str:
    key, value = match[1], match[2]
    if not _is_sensitive_key(key) or PLACEHOLDER.fullmatch(value):
        return match[0]
    return f"{key}={FILTERED}"


def scrub_text(text: str) -> str:
    text = KEY_VALUE.sub(_scrub_key_value, text)
    return PHONE.sub("[phone]", SIXTEEN_DIGITS.sub("[nik/kk]", text))


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return value
    if isinstance(value, dict):
        return {
            key: FILTERED if _is_sensitive_key(key) else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    scrubbed = {
        key: value if key in UNSCRUBBED_EVENT_KEYS else _scrub(value)
        for key, value in event.items()
        if key != "contexts"
    }
    if "contexts" in event:
        scrubbed["contexts"] = {
            name: context if name in UNSCRUBBED_CONTEXTS else _scrub(context)
            for name, context in event["contexts"].items()
        }
    return scrubbed


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def init_sentry(
    *, dsn: str, environment: str, traces_sample_rate: float = 0.0, transport: Any = None
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
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
