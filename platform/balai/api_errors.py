"""DRF exception handler: every error answers as ``{"errors": [{field, code, message, ...}]}``."""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation
from rest_framework import exceptions, fields, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from balai.errors import BalaiError

GENERIC_MESSAGES = {
    status.HTTP_401_UNAUTHORIZED: ("Silakan masuk terlebih dahulu.", "Please log in first."),
    status.HTTP_403_FORBIDDEN: (
        "Anda tidak berhak melakukan ini.",
        "You are not allowed to do this.",
    ),
    status.HTTP_404_NOT_FOUND: ("Data tidak ditemukan.", "Not found."),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("Metode tidak diizinkan.", "Method not allowed."),
    status.HTTP_429_TOO_MANY_REQUESTS: (
        "Terlalu banyak permintaan, coba lagi nanti.",
        "Too many requests, try again later.",
    ),
}


def _flatten(detail, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = key if not prefix else f"{prefix}.{key}"
            out.extend(_flatten(value, "" if key == "non_field_errors" and not prefix else name))
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and not isinstance(item, str):
                out.extend(_flatten(item, f"{prefix}[{index}]"))
            else:
                out.extend(_flatten(item, prefix))
        return out
    code = getattr(detail, "code", "invalid")
    message, message_en = _in_both_languages(str(detail), code)
    return [
        {
            "field": prefix or "non_field_errors",
            "code": code,
            "message": message,
            "message_en": message_en,
        }
    ]


@lru_cache(maxsize=1)
def _field_messages_by_code() -> dict[str, list]:
    """DRF's own field messages (lazy, untranslated), by error code."""
    found: dict[str, list] = {}
    pending = [fields.Field]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for code, template in getattr(cls, "default_error_messages", {}).items():
            if template not in found.setdefault(code, []):
                found[code].append(template)
    return found


def _in_both_languages(text: str, code: str) -> tuple[str, str]:
    """(Indonesian, English) for a DRF validation message rendered in the request language.

    DRF formats its messages in the active language before we see them, so the English
    twin is recovered by matching the text against DRF's template for that code (which
    also recovers parameters such as ``max_length``) and formatting it again in English.
    A message that matches no template is returned as it is in both places.
    """
    for template in _field_messages_by_code().get(code, []):
        localized = re.escape(str(template))
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", localized)
        try:
            match = re.fullmatch(pattern, text)
        except re.error:  # a template naming one parameter twice
            continue
        if match:
            params = match.groupdict()
            with translation.override("id"):
                message = str(template).format(**params)
            with translation.override("en"):
                return message, str(template).format(**params)
    return text, text


def exception_handler(exc, context):
    if isinstance(exc, BalaiError):
        return Response(exc.as_dict(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(exc.detail)}
        return response
    message, message_en = GENERIC_MESSAGES.get(response.status_code, (str(exc), str(exc)))
    code = getattr(exc, "default_code", "error")
    response.data = {
        "errors": [
            {
                "field": "non_field_errors",
                "code": code,
                "message": message,
                "message_en": message_en,
            }
        ]
    }
    return response
