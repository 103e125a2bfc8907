"""Field checks for complaints: phone numbers, locations, category attributes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from balai.errors import FieldError

# Indonesian mobile numbers: 08xx..., +628xx... or 628xx..., 10 to 13 digits in the
# national form (operator prefixes 0811-0899).
_MOBILE = re.compile(r"^08[1-9][0-9]{7,10}$")
# Indonesia's bounding box, with a little margin: Sabang to Merauke, Miangas to Rote.
LATITUDE_RANGE = (Decimal("-11.2"), Decimal("6.3"))
LONGITUDE_RANGE = (Decimal("94.7"), Decimal("141.1"))


def phone_normalise(value: str, *, field: str = "phone") -> tuple[str, FieldError | None]:
    """Return the number as +628..., or an error naming the field."""
    digits = re.sub(r"[\s().-]", "", value or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        return "", FieldError(
            field,
            "invalid_phone",
            "Nomor HP tidak valid (contoh: 0812xxxxxxxx).",
            "Not a valid Indonesian mobile number (e.g. 0812xxxxxxxx).",
        )
    return "+62" + digits[1:], None


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def location_check(latitude, longitude) -> tuple[Decimal | None, Decimal | None, list[FieldError]]:
    """Both or neither, numeric, and inside Indonesia."""
    blank = (latitude in (None, ""), longitude in (None, ""))
    if all(blank):
        return None, None, []
    if any(blank):
        missing = "latitude" if blank[0] else "longitude"
        return (
            None,
            None,
            [
                FieldError(
                    missing,
                    "required",
                    "Lintang dan bujur harus diisi keduanya.",
                    "Give both latitude and longitude.",
                )
            ],
        )
    errors = []
    lat, lon = _decimal(latitude), _decimal(longitude)
    for name, number, (low, high) in (
        ("latitude", lat, LATITUDE_RANGE),
        ("longitude", lon, LONGITUDE_RANGE),
    ):
        if number is None or not low <= number <= high:
            errors.append(
                FieldError(
                    name,
                    "outside_indonesia",
                    "Lokasi harus berada di wilayah Indonesia.",
                    "The location must be inside Indonesia.",
                )
            )
    if errors:
        return None, None, errors
    return round(lat, 6), round(lon, 6), []


def attributes_check(definition: list[dict], given: dict) -> tuple[dict, list[FieldError]]:
    """Check answers against the category's Open311 attributes; unknown codes are dropped."""
    clean: dict = {}
    errors: list[FieldError] = []
    for attribute in definition:
        if not attribute.get("variable", True):
            continue
        code = attribute["code"]
        field = f"attributes.{code}"
        value = given.get(code)
        if value in (None, "", []):
            if attribute.get("required"):
                errors.append(
                    FieldError(
                        field,
                        "required",
                        f"Isian '{attribute.get('description', code)}' wajib diisi.",
                        f"'{attribute.get('description', code)}' is required.",
                    )
                )
            continue
        keys = {v["key"] for v in attribute.get("values", [])}
        datatype = attribute.get("datatype", "string")
        if datatype == "singlevaluelist" and value not in keys:
            errors.append(
                FieldError(field, "invalid_choice", "Pilihan tidak dikenal.", "Unknown choice.")
            )
            continue
        if datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not set(values) <= keys:
                errors.append(
                    FieldError(field, "invalid_choice", "Pilihan tidak dikenal.", "Unknown choice.")
                )
                continue
            value = values
        if datatype in ("string", "text") and len(str(value)) > 500:
            errors.append(
                FieldError(field, "too_long", "Isian terlalu panjang.", "The answer is too long.")
            )
            continue
        clean[code] = value
    return clean, errors
