"""Web session login and logout for residents (NIK + PIN) and global users."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest

from balai.accounts.principals import RESIDENT_SESSION_KEY
from balai.accounts.selectors import staff_role, supervisor_region_codes
from balai.errors import BalaiError
from services.residents.services import resident_authenticate


def resident_session_login(*, request: HttpRequest, nik: str, pin: str) -> None:
    """Log a resident in on the village host of the request; the session names the village."""
    account = resident_authenticate(nik=nik, pin=pin)
    logout(request)  # one kind of principal per session
    request.session.cycle_key()
    request.session[RESIDENT_SESSION_KEY] = {
        "schema": request.village.schema_name,
        "account": account.pk,
        "resident": account.resident_id,
    }


def user_session_login(*, request: HttpRequest, username: str, password: str) -> str:
    """Log a global user in. On a village host only its staff; on the public host only
    platform admins and supervisors. Returns the user's role there."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise BalaiError.single(
            "password",
            "invalid_login",
            "Nama pengguna atau kata sandi salah.",
            "Wrong username or password.",
        )
    village = getattr(request, "village", None)
    if village is not None:
        role = staff_role(user=user, village=village)
        if role is None:
            raise BalaiError.single(
                "username",
                "not_village_staff",
                "Akun ini bukan perangkat desa ini.",
                "This account is not staff of this village.",
                status=403,
            )
    elif user.is_platform_admin:
        role = "platform_admin"
    elif supervisor_region_codes(user=user):
        role = "supervisor"
    else:
        raise BalaiError.single(
            "username",
            "no_platform_role",
            "Akun ini tidak punya akses di sini. Masuk lewat alamat desa Anda.",
            "This account has no access here. Log in on your village's address.",
            status=403,
        )
    request.session.pop(RESIDENT_SESSION_KEY, None)
    login(request, user)
    return role


def session_logout(*, request: HttpRequest) -> None:
    logout(request)
