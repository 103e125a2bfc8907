"""Template filters of the village site pages: rupiah amounts and realisation shares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """ "1023456000.50" -> "Rp 1.023.456.000,50"; whole amounts lose the ",00"."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    text = whole.replace(",", ".") + ("" if cents == "00" else f",{cents}")
    return f"{'-' if amount < 0 else ''}Rp {text}"


@register.filter
def percent_text(value) -> str:
    """ "78.50" -> "78,50 %"; nothing budgeted -> "–"."""
    if value in (None, ""):
        return "–"
    return f"{str(value).replace('.', ',')} %"


@register.filter
def iso_datetime(value: str):
    """The cached home data keeps times as ISO 8601 text; templates format datetimes."""
    try:
        return timezone.localtime(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None
