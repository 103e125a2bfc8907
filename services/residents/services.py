"""Residents' self-service accounts: NIK + PIN login. Run with the village schema active."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from balai.errors import BalaiError
from services.residents.models import Resident, ResidentAccount, ResidentToken

NIK_PATTERN = re.compile(r"^[1-9]\d{15}$")
PIN_PATTERN = re.compile(r"^\d{6}$")
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)


def nik_check(nik: str, *, field: str = "nik") -> str:
    nik = (nik or "").strip()
    if not NIK_PATTERN.match(nik):
        raise BalaiError.single(
            field,
            "invalid_nik",
            "NIK harus 16 angka dan tidak diawali 0.",
            "NIK must be 16 digits and must not start with 0.",
        )
    return nik


def _invalid_login() -> BalaiError:
    # One message for unknown NIK and wrong PIN, so the form cannot be used to probe NIKs.
    return BalaiError.single(
        "pin", "invalid_login", "NIK atau PIN salah.", "Wrong NIK or PIN.", status=400
    )


@transaction.atomic
def resident_account_set_pin(*, resident: Resident, pin: str) -> ResidentAccount:
    if not PIN_PATTERN.match(pin or ""):
        raise BalaiError.single(
            "pin", "invalid_pin", "PIN harus 6 angka.", "The PIN must be 6 digits."
        )
    account, _ = ResidentAccount.objects.update_or_create(
        resident=resident,
        defaults={"pin_hash": make_password(pin), "failed_attempts": 0, "locked_until": None},
    )
    return account


def resident_authenticate(*, nik: str, pin: str) -> ResidentAccount:
    """Check NIK + PIN; lock the account for a while after repeated wrong PINs."""
    nik = nik_check(nik)
    account = ResidentAccount.objects.select_related("resident").filter(resident__nik=nik).first()
    if account is None:
        make_password(pin)  # same work as a real check, so timing does not reveal NIKs
        raise _invalid_login()
    now = timezone.now()
    if account.locked_until and account.locked_until > now:
        raise BalaiError.single(
            "pin",
            "locked",
            "Terlalu banyak PIN salah. Coba lagi 15 menit lagi.",
            "Too many wrong PINs. Try again in 15 minutes.",
            status=429,
        )
    if not check_password(pin or "", account.pin_hash):
        ResidentAccount.objects.filter(pk=account.pk).update(
            failed_attempts=F("failed_attempts") + 1
        )
        account.refresh_from_db(fields=["failed_attempts"])
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            ResidentAccount.objects.filter(pk=account.pk).update(
                locked_until=now + LOCKOUT, failed_attempts=0
            )
        raise _invalid_login()
    ResidentAccount.objects.filter(pk=account.pk).update(failed_attempts=0, last_login=now)
    return account


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def resident_token_create(*, account: ResidentAccount) -> str:
    key = secrets.token_urlsafe(32)
    ResidentToken.objects.create(account=account, key_hash=token_hash(key))
    return key
