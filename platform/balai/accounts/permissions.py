"""DRF permissions. The village comes from the host (request.village), never from the URL."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from balai.accounts.selectors import STAFF_ROLES, staff_role, supervisor_region_codes


def request_staff_role(request) -> str | None:
    """The user's role in the request's village, computed once per request."""
    django_request = getattr(request, "_request", request)
    if not hasattr(django_request, "_balai_staff_role"):
        village = getattr(django_request, "village", None)
        role = staff_role(user=request.user, village=village) if village is not None else None
        django_request._balai_staff_role = role
    return django_request._balai_staff_role


class IsVillageStaff(BasePermission):
    roles: tuple[str, ...] = STAFF_ROLES

    def has_permission(self, request, view) -> bool:
        return request_staff_role(request) in self.roles


def staff_with_roles(*roles: str) -> type[IsVillageStaff]:
    return type("IsVillageStaffWithRoles", (IsVillageStaff,), {"roles": roles})


class IsVillageResident(BasePermission):
    def has_permission(self, request, view) -> bool:
        village = getattr(request._request, "village", None)
        user = request.user
        return (
            village is not None
            and getattr(user, "is_resident", False)
            and user.schema_name == village.schema_name
        )


class IsPlatformAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user.is_authenticated
            and not getattr(user, "is_resident", False)
            and user.is_platform_admin
            and user.is_active
        )


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(supervisor_region_codes(user=request.user))
