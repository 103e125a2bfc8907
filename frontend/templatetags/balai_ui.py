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


@register.simple_tag(takes_context=True)
def page_url(context, name: str, *args) -> str:
    """The URL of another area's page, or "" when this host has no such page.

    Pages link across areas (the home's service menu, the dashboard's work list); an area
    that is not part of this host, or not built yet, drops out instead of breaking the page.
    """
    request = context.get("request")
    try:
        return reverse(name, args=args, urlconf=getattr(request, "urlconf", None))
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def village_logo_url(context) -> str:
    """The logo of the page's village for the header, "" when it has none.

    Read from the village's cached home data (one cache read per page, no query when
    warm); never outside the village's own schema, e.g. on the routing error pages.
    """
    from django.db import connection

    from services.village.home import village_home

    request = context.get("request")
    village = getattr(request, "village", None)
    if village is None or connection.schema_name != village.schema_name:
        return ""
    return (village_home().get("profile") or {}).get("logo_url") or ""
