"""A crawl of every main page, for each kind of visitor, in a real Chromium at phone width.

Each page must answer 200 with one <h1> and a <title>, fit 360 px without scrolling sideways,
have no "serious" or "critical" axe-core violation, and load nothing from another host.
Every problem of a role's pages is collected and reported together, so one run lists them
all. The screenshots (360 and 1280 px) and a gallery page listing them go to
test-artifacts/screenshots/ for reviewers.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from balai.accounts.models import StaffRole, User
from services.audit.models import AuditEntry
from services.economy.models import Business
from services.events.models import DomainEvent
from services.letters.services import letter_request
from services.news.models import Article
from services.notifications.models import InboxItem, Message
from services.programmes.models import Programme
from services.residents.models import Family, Resident
from tenants.models import Village
from tests.complaints_support import complaint_make, rate_limits_clear
from tests.conftest import PASSWORD, RESIDENT_PIN
from tests.e2e.conftest import SCREENSHOTS, WIDTHS, BalaiServer

VILLAGE_A, VILLAGE_B = "negarabatin", "purwaagung"
BLOCKING_IMPACTS = {"serious", "critical"}
# Rules of lesser impact that fail the crawl all the same: headings in order (common.md).
BLOCKING_RULES = {"heading-order"}

ANONYMOUS_VILLAGE_PAGES = [
    "/",
    "/masuk/",
    "/berita/",
    "/pengumuman/",
    "/anggaran/",
    "/pengaduan/",
    "/pengaduan/lacak/",
    "/umkm/",
    "/produk/",
    "/bumdes/",
    "/potensi/",
    "/pelatihan/",
    "/materi/",
    # One detail page per area, of the seed below.
    "/berita/{article_slug}/",
    "/pengaduan/lacak/?kode={complaint}",
    "/umkm/{business}/",
    "/pelatihan/{programme}/",
]
ANONYMOUS_PUBLIC_PAGES = ["/", "/masuk/", "/katalog/", "/katalog/18.08.11/"]
RESIDENT_PAGES = [
    "/warga/",
    "/warga/data/",
    "/warga/surat/",
    "/warga/surat/baru/",
    "/warga/surat/baru/domisili/",
    "/warga/pengaduan/",
    "/warga/notifikasi/",
    "/warga/notifikasi/pengaturan/",
    "/warga/usaha/",
    "/warga/usaha/baru/",
    "/warga/pelatihan/",
    "/warga/surat/{letter}/",
    "/warga/usaha/{business}/",
]
STAFF_PAGES = [
    "/kantor/",
    "/kantor/penduduk/",
    "/kantor/penduduk/baru/",
    "/kantor/keluarga/",
    "/kantor/impor/",
    "/kantor/surat/",
    "/kantor/surat/arsip/",
    "/kantor/surat/templat/",
    "/kantor/surat/templat/domisili/pratinjau/",
    "/kantor/surat/baru/",
    "/kantor/pengaduan/",
    "/kantor/pengaduan/pengaturan/",
    "/kantor/notifikasi/",
    "/kantor/berita/",
    "/kantor/berita/baru/",
    "/kantor/anggaran/",
    "/kantor/statistik/",
    "/kantor/ekonomi/",
    "/kantor/ekonomi/produk/",
    "/kantor/ekonomi/bumdes/",
    "/kantor/ekonomi/potensi/",
    "/kantor/ekonomi/usaha/baru/",
    "/kantor/pelatihan/",
    "/kantor/pelatihan/baru/",
    "/kantor/pelatihan/materi/",
    "/kantor/wilayah/",
]
# The kepala desa's own pages besides every staff member's, and one detail page per area
# of the seed in village A.
HEAD_PAGES = [
    "/kantor/staf/",
    "/kantor/audit/",
    "/kantor/profil/",
    "/kantor/perangkat/",
    "/kantor/surat/templat/domisili/",
    "/kantor/surat/templat/domisili/isian/",
    "/kantor/surat/pengaturan/",
    "/kantor/surat/baru/{resident}/",
    "/kantor/surat/baru/{resident}/domisili/",
    "/kantor/penduduk/{resident}/",
    "/kantor/penduduk/{resident}/ubah/",
    "/kantor/keluarga/{family}/",
    "/kantor/surat/{letter}/",
    "/kantor/pengaduan/{complaint}/",
    "/kantor/berita/{article}/",
    "/kantor/pelatihan/{programme}/",
]
SUPERVISOR_PAGES = [
    "/pengawas/",
    "/pengawas/desa/",
    "/pengawas/perbandingan/",
    "/pengawas/pengaduan-terlambat/",
    "/pengawas/nik-ganda/",
    "/pengawas/desa/18.08.11.2001/",
]
PLATFORM_PAGES = [
    "/platform/desa/",
    "/platform/desa/baru/",
    "/platform/desa/massal/",
    "/platform/desa/negarabatin/",
    "/platform/kesehatan/",
]


@dataclass(frozen=True)
class Role:
    name: str
    village: str | None  # the village host's slug, or None for the public host
    login: str | None  # a username, "resident", or None for anonymous
    pages: list[str]
    language: str = "id"


ROLES = [
    Role("anonim-desa", VILLAGE_A, None, ANONYMOUS_VILLAGE_PAGES),
    Role("anonim-publik", None, None, ANONYMOUS_PUBLIC_PAGES),
    Role("warga", VILLAGE_A, "resident", RESIDENT_PAGES),
    Role("alice", VILLAGE_A, "alice", STAFF_PAGES + HEAD_PAGES),
    Role("bob", VILLAGE_B, "bob", STAFF_PAGES),
    Role("carol", None, "carol", SUPERVISOR_PAGES),
    Role("erin", None, "erin", SUPERVISOR_PAGES),
    Role("pat", None, "pat", PLATFORM_PAGES),
    # English strings run longer: the pages must still fit a phone.
    Role("anonim-desa-en", VILLAGE_A, None, ANONYMOUS_VILLAGE_PAGES, "en"),
    Role("warga-en", VILLAGE_A, "resident", RESIDENT_PAGES, "en"),
    Role("alice-en", VILLAGE_A, "alice", STAFF_PAGES + HEAD_PAGES, "en"),
]
# Forms sent empty: the page comes back with the errors on the fields, and still fits.
FORMS_SENT_EMPTY = {
    "anonim-desa": ["/pengaduan/"],
    "warga": ["/warga/surat/baru/domisili/"],
    "alice": [
        "/kantor/penduduk/baru/",
        "/kantor/keluarga/",
        "/kantor/berita/baru/",
        "/kantor/pelatihan/baru/",
    ],
    "pat": ["/platform/desa/baru/"],
}
# Per role: (path, screenshot name, notes to show beside the screenshots).
GALLERY: dict[str, list[tuple[str, str, list[str]]]] = {}


def _log_in(page: Page, server: BalaiServer, role: Role, resident_nik: str) -> None:
    page.goto(server.url("/masuk/", village_slug=role.village))
    if role.login == "resident":
        page.fill("#id_resident-nik", resident_nik)
        page.fill("#id_resident-pin", RESIDENT_PIN)
        button = page.locator("form:has(#id_resident-nik) button[type=submit]")
    else:
        page.fill("#id_user-username", role.login)
        page.fill("#id_user-password", PASSWORD)
        button = page.locator("form:has(#id_user-username) button[type=submit]")
    with page.expect_navigation():
        button.click()
    assert "/masuk/" not in page.url, f"{role.name} could not log in"


def _shot_name(role: Role, path: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "beranda"
    return f"sitewide-{role.name}-{slug}"


def _axe_violations(axe: Axe, page: Page) -> tuple[list[str], list[str]]:
    """axe-core's violations on the page: (serious, critical or a BLOCKING_RULES one; the rest)."""
    blocking, advisory = [], []
    for violation in axe.run(page).response["violations"]:
        text = f"axe {violation['id']} ({violation['impact']}): " + ", ".join(
            " ".join(node["target"]) for node in violation["nodes"][:5]
        )
        blocks = violation["impact"] in BLOCKING_IMPACTS or violation["id"] in BLOCKING_RULES
        (blocking if blocks else advisory).append(text)
    return blocking, advisory


def _check_page(
    page: Page, axe: Axe, url: str, name: str, requested: list[str]
) -> tuple[list[str], list[str]]:
    """Visit ``url`` at phone width; return what is wrong with it, and axe's lesser notes."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    requested.clear()
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        return [f"did not load: {error.message.splitlines()[0]}"], []
    page.wait_for_load_state("networkidle")
    problems = []
    if response is None or response.status != 200:
        problems.append(f"status {response.status if response else 'none'}")
    return _check_loaded_page(page, axe, name, problems)


def _check_loaded_page(
    page: Page, axe: Axe, name: str, problems: list[str]
) -> tuple[list[str], list[str]]:
    h1_count = page.locator("h1").count()
    if h1_count != 1:
        problems.append(f"{h1_count} <h1>")
    if not page.title().strip():
        problems.append("no <title>")
    current = page.locator('header nav [aria-current="page"]').count()
    if current > 1:
        problems.append(f"{current} header links marked current")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        problems.append(f"scrolls sideways by {overflow} px at 360 px ({', '.join(wide)})")
    blocking, advisory = _axe_violations(axe, page)
    problems += blocking
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    return problems, advisory


def _write_gallery() -> None:
    sections = []
    for role, shots in GALLERY.items():
        items = "".join(
            f"<li><h3>{html.escape(path)}</h3>"
            + "".join(f"<p>{html.escape(note)}</p>" for note in notes)
            + "".join(
                f'<a href="{name}-{width}.png"><img src="{name}-{width}.png"'
                f' width="{min(width, 360)}" alt="{html.escape(path)} {width} px"'
                ' loading="lazy"></a>'
                for width in WIDTHS
            )
            + "</li>"
            for path, name, notes in shots
        )
        sections.append(f"<h2>{html.escape(role)}</h2><ul>{items}</ul>")
    (SCREENSHOTS / "index.html").write_text(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Balai screenshots</title>'
        "<style>body{font-family:sans-serif}ul{list-style:none;padding:0}li{margin:1em 0}"
        "img{border:1px solid #ccc;margin-right:8px;vertical-align:top}</style>"
        "<h1>Balai: every page, at 360 and 1280 px</h1>" + "".join(sections) + "</html>",
        encoding="utf-8",
    )


def _seed_village_a(village: Village, made: dict) -> None:
    """Make the seed, noting each object in ``made`` as soon as it exists."""
    alice = User.objects.get(username="alice")
    made["complaint"] = complaint_make(village)
    now = timezone.now()
    with tenant_context(village):
        siti = Resident.objects.get(full_name="Siti Aminah")
        made["family"] = Family.objects.create(
            kk_number="1808111705900001", head=siti, address="Jalan Poros Kampung No. 12"
        )
        made["letter"] = letter_request(
            actor=alice,
            role=StaffRole.KEPALA_DESA,
            letter_type_code="domisili",
            field_values={"keperluan": "Melamar pekerjaan di Kota Bandar Lampung"},
            resident_id=siti.pk,
        )
        made["article"] = Article.objects.create(
            title="Gotong royong membersihkan saluran irigasi Kampung Negara Batin",
            slug="gotong-royong-irigasi",
            summary="Warga empat dusun bekerja bersama sebelum musim tanam.",
            body="Kegiatan dimulai pukul tujuh pagi di balai kampung.",
            status="published",
            publish_at=now,
            author_id=alice.pk,
            author_name="alice",
        )
        made["business"] = Business.objects.create(
            owner=siti,
            name="Keripik Singkong Bu Siti",
            sector="kuliner",
            whatsapp="6281234567890",
            description="Keripik singkong pedas manis, dibuat setiap hari.",
            status="verified",
            verified_at=now,
        )
        start = now + datetime.timedelta(days=7)
        made["programme"] = Programme.objects.create(
            title="Kelas literasi digital untuk pelaku UMKM",
            description="Berjualan daring dengan aman.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            place="Balai Kampung Negara Batin",
            capacity=20,
            target_group="semua",
            status="open",
        )
        made["resident"] = siti


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """One object per area in village A, committed for the server, so the lists have a row
    and the detail pages exist; removed after the crawl, with what the services logged."""
    started = timezone.now()
    made: dict = {}
    with django_db_blocker.unblock():
        village = Village.objects.get(slug=VILLAGE_A)
        rate_limits_clear()
    try:
        with django_db_blocker.unblock():
            _seed_village_a(village, made)
            connection.set_schema_to_public()
        yield {
            **{name: obj.pk for name, obj in made.items()},
            "complaint": made["complaint"].tracking_code,
            "article_slug": made["article"].slug,
        }
    finally:
        with django_db_blocker.unblock():
            with tenant_context(village):
                # Letters and complaints first: they hold the resident the others name.
                for name in ("letter", "complaint", "business", "article", "programme", "family"):
                    if name in made:
                        type(made[name]).objects.filter(pk=made[name].pk).delete()
                for model in (AuditEntry, DomainEvent, InboxItem, Message):
                    model.objects.filter(created_at__gte=started).delete()
            connection.set_schema_to_public()
            rate_limits_clear()


def _start(page: Page, server: BalaiServer, role: Role, resident_nik: str) -> list[str]:
    """Set the role's language and log in; return the list the page's requests go to."""
    requested: list[str] = []
    page.on(
        "request",
        lambda request: (
            requested.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https")
            else None
        ),
    )
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    hosts = ("localhost", *(f"{slug}.localhost" for slug in (VILLAGE_A, VILLAGE_B)))
    page.context.add_cookies(
        [
            {"name": "django_language", "value": role.language, "domain": h, "path": "/"}
            for h in hosts
        ]
    )
    if role.login:
        _log_in(page, server, role, resident_nik)
    return requested


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_every_page_of_the_role_works_at_phone_width(
    balai_server: BalaiServer, page: Page, role: Role, cast, seed
):
    requested = _start(page, balai_server, role, cast.resident_a_nik)
    axe = Axe()
    found: dict[str, list[str]] = {}
    shots = GALLERY.setdefault(role.name, [])
    for path in role.pages:
        path = path.format(**seed)
        url = balai_server.url(path, village_slug=role.village)
        name = _shot_name(role, path)
        problems, advisory = _check_page(page, axe, url, name, requested)
        # The page's own host only: a village page must not load from the public host either.
        host = urlsplit(url).hostname
        problems += [
            f"request to another host: {request}"
            for request in requested
            if urlsplit(request).hostname != host
        ]
        if problems:
            found[path] = problems
        shots.append((path, name, problems + advisory))
    _write_gallery()
    assert not found, "\n".join(
        f"{role.name} {path}: {problem}" for path, problems in found.items() for problem in problems
    )


FORM_ROLES = [role for role in ROLES if role.name in FORMS_SENT_EMPTY]


@pytest.mark.parametrize("role", FORM_ROLES, ids=[role.name for role in FORM_ROLES])
def test_a_form_sent_empty_shows_its_errors_and_fits_a_phone(
    balai_server: BalaiServer, page: Page, role: Role, cast, seed
):
    _start(page, balai_server, role, cast.resident_a_nik)
    axe = Axe()
    found: dict[str, list[str]] = {}
    shots = GALLERY.setdefault(f"{role.name}: form errors", [])
    for path in FORMS_SENT_EMPTY[role.name]:
        page.goto(balai_server.url(path, village_slug=role.village))
        with page.expect_response(lambda response: response.request.method == "POST") as sent:
            page.locator("main form[method=post] button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        status = sent.value.status
        problems = [] if 400 <= status < 500 else [f"status {status}, not 4xx"]
        if page.locator("[aria-invalid=true]").count() == 0:
            problems.append("no field is marked aria-invalid")
        name = _shot_name(role, path) + "-errors"
        problems, advisory = _check_loaded_page(page, axe, name, problems)
        if problems:
            found[path] = problems
        shots.append((path, name, problems + advisory))
    _write_gallery()
    assert not found, "\n".join(
        f"{role.name} {path}: {problem}" for path, problems in found.items() for problem in problems
    )
