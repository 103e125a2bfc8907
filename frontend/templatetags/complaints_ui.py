"""Template helpers of the complaint pages."""

from __future__ import annotations

from django import template

from services.complaints.models import ComplaintStatus

register = template.Library()


@register.filter
def complaint_status_label(value: str) -> str:
    """The words for a status code stored without choices (a history row's to_status)."""
    try:
        return str(ComplaintStatus(value).label)
    except ValueError:
        return value
