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
    NavItem(_("Penduduk"), "page-resident-list"),
    NavItem(_("Surat"), "page-letter-queue"),
    NavItem(_("Beranda desa"), "village-home"),
    NavItem(_("Pengaduan"), "page-complaint-queue"),
    NavItem(_("Ekonomi"), "page-staff-economy"),
]
RESIDENT = [
    NavItem(_("Beranda saya"), "resident-home"),
    NavItem(_("Data saya"), "page-my-data"),
    NavItem(_("Surat saya"), "page-my-letters"),
    NavItem(_("Beranda desa"), "village-home"),
    NavItem(_("Pengaduan saya"), "page-my-complaints"),
    NavItem(_("Notifikasi"), "page-notification-inbox"),
    NavItem(_("Usaha saya"), "page-my-business"),
    NavItem(_("Produk desa"), "page-product-catalog"),
    NavItem(_("Pelatihan saya"), "page-my-programmes"),
    NavItem(_("Berita"), "page-news-list"),
]
ANONYMOUS_VILLAGE = [
    NavItem(_("Beranda"), "village-home"),
    NavItem(_("Berita"), "page-news-list"),
    NavItem(_("Anggaran"), "page-budget"),
    NavItem(_("Pengaduan"), "page-complaint-file"),
    NavItem(_("Lacak pengaduan"), "page-complaint-track"),
    NavItem(_("Produk desa"), "page-product-catalog"),
    NavItem(_("Pelatihan"), "page-programmes"),
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


def nav_links(request: HttpRequest) -> list[NavLink]:
    links = []
    for item in nav_items(request):
        try:
            url = reverse(item.url_name, urlconf=getattr(request, "urlconf", None))
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        links.append(NavLink(label=str(item.label), url=url, current=current))
    # Only the longest matching prefix is the current page (/platform/desa/ vs .../baru/).
    currents = [link for link in links if link.current]
    if len(currents) > 1:
        longest = max(currents, key=lambda link: len(link.url))
        links = [
            NavLink(link.label, link.url, link is longest) if link.current else link
            for link in links
        ]
    return links
