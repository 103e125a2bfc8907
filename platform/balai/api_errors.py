"""DRF exception handler: every error answers as ``{"errors": [{field, code, message, ...}]}``."""

from __future__ import annotations

from rest_framework import exceptions, status
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
    text = str(detail)
    return [
        {"field": prefix or "non_field_errors", "code": code, "message": text, "message_en": text}
    ]


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
