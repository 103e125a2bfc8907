"""Who may see what. Every access decision in Balai goes through these few functions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from balai.accounts.models import StaffRole, SupervisorScope, User, VillageMembership
from tenants.models import Village


def staff_role(*, user: User, village: Village) -> str | None:
    """The user's role in this village, or None. One indexed query."""
    if not user.is_authenticated or getattr(user, "is_resident", False):
        return None
    return (
        VillageMembership.objects.filter(user_id=user.pk, village_id=village.pk)
        .values_list("role", flat=True)
        .first()
    )


def supervisor_region_codes(*, user: User) -> list[str]:
    if not user.is_authenticated or getattr(user, "is_resident", False):
        return []
    return list(SupervisorScope.objects.filter(user_id=user.pk).values_list("region_id", flat=True))


def villages_under(code: str) -> Q:
    """Villages under a region code, on the indexed denormalised kecamatan/kabupaten codes."""
    depth = code.count(".") + 1
    if depth == 3:
        return Q(kecamatan_code=code)
    if depth == 2:
        return Q(kabupaten_code=code)
    if depth == 1:
        return Q(kabupaten_code__startswith=code + ".")
    return Q(region_id=code)


def villages_supervised(*, user: User) -> QuerySet[Village]:
    """Every village under any region the user supervises."""
    codes = supervisor_region_codes(user=user)
    if not codes:
        return Village.objects.none()
    condition = Q()
    for code in codes:
        condition |= villages_under(code)
    return Village.objects.filter(condition)


def region_is_supervised(*, user: User, region_code: str) -> bool:
    return any(
        region_code == code or region_code.startswith(code + ".")
        for code in supervisor_region_codes(user=user)
    )


def villages_staffed(*, user: User) -> QuerySet[Village]:
    return Village.objects.filter(memberships__user_id=user.pk)


STAFF_ROLES = tuple(StaffRole.values)


def village_staff(*, village: Village) -> QuerySet[VillageMembership]:
    """The village's staff with their accounts, heads first."""
    return (
        VillageMembership.objects.filter(village=village)
        .select_related("user")
        .order_by("role", "user__username")
    )
