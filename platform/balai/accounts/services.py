"""Writes for global accounts and roles."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, SupervisorScope, User, VillageMembership
from balai.errors import BalaiError
from balai.regions.models import SUPERVISED_LEVELS, Region
from services.audit.models import AuditAction
from services.audit.services import audit_record
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


# --- A village's staff, managed from the village office -----------------------------------
# Memberships live in the public schema; the audit row about each change lives in the
# village's own log, so these functions switch to the village schema explicitly for it.

MEMBERSHIP_OBJECT = "staff_membership"


def _membership_get(*, village: Village, membership_id: int) -> VillageMembership:
    # Scoped by the village: another village's membership id answers "not found".
    membership = (
        VillageMembership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership_id, village=village)
        .first()
    )
    if membership is None:
        raise BalaiError.single(
            "membership",
            "not_found",
            "Staf tidak ditemukan di desa ini.",
            "Staff member not found in this village.",
            status=404,
        )
    return membership


def _role_check(role: str) -> None:
    if role not in StaffRole.values:
        raise BalaiError.single(
            "role", "invalid_role", "Pilih peran yang tersedia.", "Choose one of the roles."
        )


def _last_head_guard(*, village: Village, membership: VillageMembership) -> None:
    """A village always keeps one kepala desa: nobody else can manage its staff."""
    if membership.role != StaffRole.KEPALA_DESA:
        return
    # The heads are locked, so two heads demoting each other at once cannot both pass.
    heads = list(
        VillageMembership.objects.select_for_update()
        .filter(village=village, role=StaffRole.KEPALA_DESA)
        .values_list("pk", flat=True)
    )
    if heads == [membership.pk]:
        raise BalaiError.single(
            "role",
            "last_head",
            "Desa harus tetap punya satu kepala desa: tunjuk kepala desa lain dahulu.",
            "The village must keep one village head: appoint another one first.",
        )


def _password_problems(password: str, language: str) -> str:
    # The validators format their messages when they fail: run them in each language.
    with translation.override(language):
        try:
            validate_password(password)
        except ValidationError as error:
            return " ".join(error.messages)
    return ""


def _new_password_check(password: str) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), in both languages."""
    message = _password_problems(password, "id")
    if message:
        raise BalaiError.single(
            "password", "weak_password", message, _password_problems(password, "en")
        )


def _membership_audit(
    *, actor: User, village: Village, action: str, membership: VillageMembership, detail: dict
) -> None:
    with schema_context(village.schema_name):
        audit_record(
            actor=actor,
            action=action,
            object_type=MEMBERSHIP_OBJECT,
            object_id=membership.user_id,
            fields=["role"],
            detail=detail,
        )


@transaction.atomic
def staff_member_add(
    *,
    actor: User,
    village: Village,
    username: str,
    role: str,
    password: str = "",
    first_name: str = "",
) -> tuple[VillageMembership, str | None]:
    """Give a new or existing account a role in the village.

    Returns (membership, generated_password); the password is set only for a new account
    created without one, to be handed to the person once.
    """
    _role_check(role)
    username = (username or "").strip()
    existing = User.objects.filter(username=username).first() if username else None
    if existing is not None and existing.is_platform_admin:
        raise BalaiError.single(
            "username",
            "platform_admin",
            "Akun admin platform tidak dapat dijadikan staf desa.",
            "A platform admin account cannot be village staff.",
        )
    if existing is not None and existing.memberships.filter(village=village).exists():
        raise BalaiError.single(
            "username",
            "already_staff",
            "Akun ini sudah menjadi staf desa ini; ubah perannya di daftar.",
            "This account is already staff of this village; change its role in the list.",
        )
    if existing is None and password:
        _new_password_check(password)
    try:
        user, generated = user_get_or_create(
            username=username, password=password or None, first_name=first_name
        )
    except BalaiError as error:
        for field_error in error.errors:
            field_error.field = "username"
        raise
    membership = VillageMembership.objects.create(user=user, village=village, role=role)
    _membership_audit(
        actor=actor,
        village=village,
        action=AuditAction.CREATE,
        membership=membership,
        detail={"role": role, "new_account": existing is None},
    )
    return membership, generated


@transaction.atomic
def staff_member_role_change(
    *, actor: User, village: Village, membership_id: int, role: str
) -> VillageMembership:
    _role_check(role)
    membership = _membership_get(village=village, membership_id=membership_id)
    previous = membership.role
    if previous == role:
        return membership
    _last_head_guard(village=village, membership=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    _membership_audit(
        actor=actor,
        village=village,
        action=AuditAction.UPDATE,
        membership=membership,
        detail={"role": role, "previous_role": previous},
    )
    return membership


@transaction.atomic
def staff_member_remove(*, actor: User, village: Village, membership_id: int) -> None:
    """Take the account's role in this village away; the account itself stays."""
    membership = _membership_get(village=village, membership_id=membership_id)
    _last_head_guard(village=village, membership=membership)
    _membership_audit(
        actor=actor,
        village=village,
        action=AuditAction.UPDATE,
        membership=membership,
        detail={"role": None, "previous_role": membership.role, "removed": True},
    )
    membership.delete()
