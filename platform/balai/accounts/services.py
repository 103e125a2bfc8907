"""Writes for global accounts and roles."""

from __future__ import annotations

import secrets

from django.db import transaction

from balai.accounts.models import StaffRole, SupervisorScope, User, VillageMembership
from balai.errors import BalaiError
from balai.regions.models import SUPERVISED_LEVELS, Region
from tenants.models import Village


def user_get_or_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    is_platform_admin: bool = False,
) -> tuple[User, str | None]:
    """Return (user, new_password). new_password is set only when one was generated."""
    username = (username or "").strip()
    if not username:
        raise BalaiError.single(
            "admin_username", "required", "Nama pengguna wajib diisi.", "A username is required."
        )
    if len(username) > 150:
        raise BalaiError.single(
            "admin_username",
            "too_long",
            "Nama pengguna paling panjang 150 karakter.",
            "The username is at most 150 characters.",
        )
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = User(
        username=username,
        email=email or "",
        first_name=first_name,
        is_platform_admin=is_platform_admin,
        is_staff=is_platform_admin,
    )
    user.set_password(password)
    user.save()
    return user, generated


@transaction.atomic
def membership_grant(*, user: User, village: Village, role: str) -> VillageMembership:
    if role not in StaffRole.values:
        raise BalaiError.single(
            "role", "invalid_role", f"Peran tidak dikenal: {role}.", f"Unknown role: {role}."
        )
    membership, _ = VillageMembership.objects.update_or_create(
        user=user, village=village, defaults={"role": role}
    )
    return membership


@transaction.atomic
def supervisor_assign(*, user: User, region_code: str) -> SupervisorScope:
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level not in SUPERVISED_LEVELS:
        raise BalaiError.single(
            "region_code",
            "not_supervisable",
            "Wilayah harus kecamatan, kabupaten/kota atau provinsi.",
            "The region must be a kecamatan, kabupaten/kota or provinsi.",
        )
    scope, _ = SupervisorScope.objects.get_or_create(user=user, region=region)
    return scope
