"""Template filters of the economy pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from services.village.images import image_url

register = template.Library()


@register.filter
def photo_src(relative_path: str) -> str:
    """The URL of a stored photo (services.village.images keeps paths under MEDIA_ROOT)."""
    return image_url(relative_path) or ""


@register.filter
def rupiah(value) -> str:
    """Rp 12.500 (Indonesian grouping, decimals only when there are any)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    whole = f"{abs(number):,.0f}" if number == int(number) else f"{abs(number):,.2f}"
    whole = whole.replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")
    # A no-break space: "Rp" never ends a line on its own in a narrow table cell.
    return f"{'-' if number < 0 else ''}Rp\u00a0{whole}"
