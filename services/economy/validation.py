"""Field rules of the economy register: NIB, WhatsApp numbers, prices. Each raises a
BalaiError naming the field, in Indonesian and English."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from balai.errors import BalaiError

NIB_PATTERN = re.compile(r"^[0-9]{13}$")
# Indonesian mobile numbers: 08xx / +628xx / 628xx, 10 to 13 digits in the 08 form.
MOBILE_PATTERN = re.compile(r"^628[0-9]{7,11}$")
PRICE_MAX = Decimal("999999999999.99")


def nib_check(value: str | None) -> str:
    """A Nomor Induk Berusaha (OSS) is 13 digits; empty means the business has none."""
    value = re.sub(r"[\s.-]", "", value or "")
    if value and not NIB_PATTERN.match(value):
        raise BalaiError.single(
            "nib",
            "invalid_nib",
            "NIB harus 13 angka.",
            "The NIB (business number) must be 13 digits.",
        )
    return value


def whatsapp_normalise(value: str | None, *, field: str = "whatsapp") -> str:
    """An Indonesian mobile number in the 62... form wa.me links need."""
    digits = re.sub(r"[\s().-]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("08"):
        digits = "62" + digits[1:]
    if not digits.isdigit() or not MOBILE_PATTERN.match(digits):
        raise BalaiError.single(
            field,
            "invalid_whatsapp",
            "Nomor WhatsApp harus nomor HP Indonesia, misalnya 0812xxxxxxxx.",
            "The WhatsApp number must be an Indonesian mobile number, e.g. 0812xxxxxxxx.",
        )
    return digits


def price_check(value: object, *, field: str = "price") -> Decimal:
    """A price in rupiah: a number above zero, at most two decimals."""
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        price = None
    if price is None or not price.is_finite():
        raise BalaiError.single(
            field, "invalid_price", "Harga harus berupa angka.", "The price must be a number."
        )
    if price <= 0:
        raise BalaiError.single(
            field,
            "price_not_positive",
            "Harga harus lebih dari nol.",
            "The price must be more than zero.",
        )
    if price > PRICE_MAX or price != price.quantize(Decimal("0.01")):
        raise BalaiError.single(
            field,
            "invalid_price",
            "Harga terlalu besar atau lebih dari dua angka desimal.",
            "The price is too large or has more than two decimals.",
        )
    return price


def choice_check(value: object, *, field: str, choices: type) -> str:
    if value not in choices.values:
        raise BalaiError.single(
            field,
            "invalid_choice",
            f"Pilihan {field} tidak dikenal.",
            f"Unknown value for {field}.",
        )
    return str(value)


def text_check(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise BalaiError.single(field, "required", f"{field} wajib diisi.", f"{field} is required.")
    if len(text) > max_length:
        raise BalaiError.single(
            field,
            "too_long",
            f"{field} paling banyak {max_length} karakter.",
            f"{field} has at most {max_length} characters.",
        )
    return text


def photo_limit_check(*, current: int, adding: int, limit: int, field: str = "photos") -> None:
    if current + adding > limit:
        raise BalaiError.single(
            field,
            "too_many_photos",
            f"Paling banyak {limit} foto.",
            f"At most {limit} photos.",
        )
