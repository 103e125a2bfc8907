"""The header navigation for each kind of visitor.

Pages of later services add themselves by appending a ``NavItem`` to the list of their
role here; the header shows an item only when its URL name exists in the host's URL
configuration, so a village host never links to a public-host page and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontend.access import (
    request_is_platform_admin,
    request_staff_role,
    request_supervised_codes,
)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # Other pages of the same section: the item is current on them and under them too
    # (/kantor/impor/ belongs to "Penduduk", not to "Kantor" at /kantor/).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


PLATFORM_ADMIN = [
    NavItem(_("Desa"), "page-platform-village-list"),
    NavItem(_("Onboarding"), "page-platform-onboard"),
    NavItem(_("Onboarding massal"), "page-platform-bulk"),
    NavItem(_("Kesehatan sistem"), "page-platform-health"),
]
SUPERVISOR = [
    NavItem(_("Dasbor wilayah"), "supervisor-dashboard"),
    NavItem(_("Desa di wilayah"), "supervisor-village-list"),
    NavItem(_("Perbandingan desa"), "page-supervisor-compare"),
    NavItem(_("Pengaduan terlambat"), "page-supervisor-overdue"),
    NavItem(_("NIK ganda"), "page-supervisor-duplicates"),
]
VILLAGE_STAFF = [
    NavItem(_("Kantor"), "staff-dashboard"),
    NavItem(_("Penduduk"), "page-resident-list", also=("page-family-list", "page-import")),
    NavItem(_("Surat"), "page-letter-queue"),
    NavItem(_("Beranda desa"), "village-home"),
    NavItem(_("Pengaduan"), "page-complaint-queue", also=("page-notification-log",)),
    NavItem(_("Ekonomi"), "page-staff-economy"),
]
RESIDENT = [
    NavItem(_("Beranda saya"), "resident-home"),
    NavItem(_("Data saya"), "page-my-data"),
    NavItem(_("Surat saya"), "page-my-letters"),
    NavItem(_("Beranda desa"), "village-home", also=("page-budget",)),
    NavItem(
        _("Pengaduan saya"),
        "page-my-complaints",
        also=("page-complaint-file", "page-complaint-track"),
    ),
    NavItem(_("Notifikasi"), "page-notification-inbox"),
    NavItem(_("Usaha saya"), "page-my-business"),
    NavItem(
        _("Produk desa"),
        "page-product-catalog",
        also=("page-umkm-list", "page-bumdes", "page-potential"),
    ),
    NavItem(_("Pelatihan saya"), "page-my-programmes", also=("page-programmes", "page-materials")),
    NavItem(_("Berita"), "page-news-list", also=("page-announcement-list",)),
]
ANONYMOUS_VILLAGE = [
    NavItem(_("Beranda"), "village-home"),
    NavItem(_("Berita"), "page-news-list", also=("page-announcement-list",)),
    NavItem(_("Anggaran"), "page-budget"),
    NavItem(_("Pengaduan"), "page-complaint-file"),
    NavItem(_("Lacak pengaduan"), "page-complaint-track"),
    NavItem(
        _("Produk desa"),
        "page-product-catalog",
        also=("page-umkm-list", "page-bumdes", "page-potential"),
    ),
    NavItem(_("Pelatihan"), "page-programmes", also=("page-materials",)),
]
ANONYMOUS_PUBLIC = [
    NavItem(_("Beranda"), "public-home"),
    NavItem(_("Katalog produk"), "page-regional-catalog"),
]


def nav_items(request: HttpRequest) -> list[NavItem]:
    if getattr(request, "village", None) is not None:
        if request_staff_role(request):
            return VILLAGE_STAFF
        if getattr(request, "resident", None) is not None:
            return RESIDENT
        return ANONYMOUS_VILLAGE
    items: list[NavItem] = []
    if request_is_platform_admin(request):
        items += PLATFORM_ADMIN
    if request_supervised_codes(request):
        items += SUPERVISOR
    return items or ANONYMOUS_PUBLIC


def _reverse(name: str, urlconf: str | None) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _match_length(path: str, url: str) -> int:
    """How much of ``path`` the section at ``url`` claims: all of it under the url, nothing
    otherwise. The home "/" claims only itself, or it would claim every page."""
    if path == url or (url != "/" and path.startswith(url)):
        return len(url)
    return 0


def nav_links(request: HttpRequest) -> list[NavLink]:
    """The header's links; the current one is the item whose own or ``also`` page is the
    longest prefix of the path, so exactly one item (or none) is current."""
    urlconf = getattr(request, "urlconf", None)
    found: list[tuple[NavItem, str, int]] = []
    for item in nav_items(request):
        url = _reverse(item.url_name, urlconf)
        if url is None:
            continue
        claims = [url, *filter(None, (_reverse(name, urlconf) for name in item.also))]
        found.append((item, url, max(_match_length(request.path, claim) for claim in claims)))
    best = max((length for _, _, length in found), default=0)
    current = next((item for item, _, length in found if best and length == best), None)
    return [
        NavLink(label=str(item.label), url=url, current=item is current) for item, url, _ in found
    ]
