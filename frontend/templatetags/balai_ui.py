"""Template tags of the design system: the role navigation and status badges."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from frontend.navigation import NavLink, nav_links

register = template.Library()

# Status words shown in badges; the CSS class is the status code itself.
STATUS_LABELS = {
    "active": _("Aktif"),
    "suspended": _("Ditangguhkan"),
    "queued": _("Antre"),
    "running": _("Berjalan"),
    "finished": _("Selesai"),
    "failed": _("Gagal"),
    "created": _("Dibuat"),
    "exists": _("Sudah ada"),
    "error": _("Galat"),
    "ok": _("Berjalan baik"),
    "down": _("Tidak menjawab"),
}


@register.simple_tag(takes_context=True)
def role_navigation(context) -> list[NavLink]:
    request = context.get("request")
    # Error pages rendered by the routing middleware come before authentication.
    if request is None or not hasattr(request, "user"):
        return []
    return nav_links(request)


@register.inclusion_tag("balai/_badge.html")
def status_badge(status: str, label: str = "") -> dict:
    return {"status": status, "label": label or STATUS_LABELS.get(status, status)}


@register.simple_tag(takes_context=True)
def village_url(context, host: str, path: str = "/") -> str:
    """A link to a village host with the scheme and port this page was served on."""
    request = context["request"]
    _, colon, port = request.get_host().rpartition(":")
    suffix = f":{port}" if colon and port.isdigit() else ""
    return f"{request.scheme}://{host}{suffix}{path}"


@register.filter
def region_label(region) -> str:
    """Kecamatan Negara Batin, Kabupaten Way Kanan: the level named once, never twice."""
    level = region.get_level_display()
    if region.name.lower().startswith(level.lower()):
        return region.name
    return f"{level} {region.name}"


@register.simple_tag
def page_url(name, *args) -> str:
    """The URL of another area's page, or "" while that page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
