"""Reads for supervisors, always bounded by the regions they supervise."""

from __future__ import annotations

from django.db.models import QuerySet

from balai.accounts.models import User
from balai.accounts.selectors import region_is_supervised, villages_supervised, villages_under
from balai.errors import BalaiError
from tenants.models import Village


def supervised_villages_in(*, user: User, region_code: str | None = None) -> QuerySet[Village]:
    """The villages the user supervises, optionally narrowed to one region inside the scope.

    Asking for a region outside the scope is an error, not an empty list, so a supervisor
    cannot tell an unknown region from one they may not see.
    """
    villages = villages_supervised(user=user).select_related("region")
    if region_code:
        if not region_is_supervised(user=user, region_code=region_code):
            raise BalaiError.single(
                "region", "not_found", "Wilayah tidak ditemukan.", "Region not found.", status=404
            )
        villages = villages.filter(villages_under(region_code))
    return villages.order_by("region_id")
