"""Site-wide behaviour of the pages: which header item is current, and the staff dashboard's
links land on pages that show what the link promised."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from frontend import navigation
from frontend.navigation import NavItem, nav_links
from services.complaints.models import Complaint
from services.letters.services import letter_request, letter_transition
from tests.complaints_support import complaint_make, rate_limits_clear
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CURRENT_LINK = re.compile(r'<a href="([^"]*)" aria-current="page">([^<]*)</a>')


HEADER_NAV = re.compile(r'<nav class="nav".*?</nav>', re.DOTALL)


def current_items(response) -> list[str]:
    """The labels the header's navigation marks current (pages may have their own tabs)."""
    header = HEADER_NAV.search(response.content.decode())
    return [label for _, label in CURRENT_LINK.findall(header[0])] if header else []


# --- The header's current item --------------------------------------------------------------


def _request(path: str):
    request = RequestFactory().get(path)
    request.urlconf = "balai.urls_village"
    return request


def test_the_longest_prefix_across_items_and_their_sub_paths_is_current(monkeypatch):
    # given: "Kantor" at /kantor/, and "Penduduk" which also owns the import page
    items = [
        NavItem("Kantor", "staff-dashboard"),
        NavItem("Penduduk", "page-resident-list", also=("page-import",)),
        NavItem("Beranda", "village-home"),
    ]
    monkeypatch.setattr(navigation, "nav_items", lambda request: items)

    def current(path: str) -> list[str]:
        return [link.label for link in nav_links(_request(path)) if link.current]

    # then: a page under the import page marks "Penduduk" only, however deep
    assert current("/kantor/impor/") == ["Penduduk"]
    assert current("/kantor/impor/12/") == ["Penduduk"]
    assert current("/kantor/penduduk/3/ubah/") == ["Penduduk"]
    # and the office's other pages stay under "Kantor"; the home claims only itself
    assert current("/kantor/staf/") == ["Kantor"]
    assert current("/") == ["Beranda"]
    assert current("/berita/") == []


def test_an_also_page_missing_from_the_host_is_skipped(monkeypatch):
    items = [NavItem("Kantor", "staff-dashboard", also=("page-platform-health",))]
    monkeypatch.setattr(navigation, "nav_items", lambda request: items)

    links = nav_links(_request("/kantor/"))

    assert [(link.label, link.current) for link in links] == [("Kantor", True)]


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/kantor/impor/", "Penduduk"),
        ("/kantor/keluarga/", "Penduduk"),
        ("/kantor/penduduk/baru/", "Penduduk"),
        ("/kantor/surat/arsip/", "Surat"),
        ("/kantor/notifikasi/", "Pengaduan"),
        ("/kantor/ekonomi/produk/", "Ekonomi"),
        ("/kantor/statistik/", "Kantor"),
        ("/kantor/", "Kantor"),
    ],
)
def test_the_staff_header_marks_the_section_of_the_page(cast, path, item):
    response = client_for(cast.village_a, user=cast.alice).get(path)

    assert response.status_code == 200
    assert current_items(response) == [item]


def test_the_public_header_marks_the_deepest_item_only(cast):
    client = client_for(cast.village_a)

    assert current_items(client.get("/pengaduan/lacak/")) == ["Lacak pengaduan"]
    assert current_items(client.get("/pengaduan/")) == ["Pengaduan"]
    assert current_items(client.get("/pengumuman/")) == ["Berita"]
    assert current_items(client.get("/materi/")) == ["Pelatihan"]


# --- The staff dashboard's links ------------------------------------------------------------


def _dashboard_links(response) -> dict[str, str]:
    """The dashboard's work links, by the id of the figure they carry."""
    html = response.content.decode()
    return dict(
        (figure, href)
        for href, figure in re.findall(
            r'<a href="([^"]+)"><span class="stat[^"]*" id="([^"]+)"', html
        )
    )


@pytest.fixture
def complaints_waiting(cast):
    """Village A: a new complaint, and one in progress past its target time."""
    rate_limits_clear()
    new = complaint_make(cast.village_a)
    late = complaint_make(cast.village_a, description="Jalan berlubang di depan balai desa.")
    with schema_context(cast.village_a.schema_name):
        Complaint.objects.filter(pk=late.pk).update(
            status="in_progress", target_at=timezone.now() - datetime.timedelta(days=1)
        )
    yield new.tracking_code, late.tracking_code
    rate_limits_clear()


def test_the_dashboard_complaint_links_open_the_queue_filtered_as_promised(
    cast, complaints_waiting
):
    new_code, late_code = complaints_waiting
    client = client_for(cast.village_a, user=cast.alice)
    links = _dashboard_links(client.get("/kantor/"))

    # when: the kepala desa follows "overdue" and "new"
    overdue_page = client.get(links["complaints-overdue"]).content.decode()
    new_page = client.get(links["complaints-new"]).content.decode()

    # then: each queue lists only the complaints its figure counted
    assert late_code in overdue_page and new_code not in overdue_page
    assert new_code in new_page and late_code not in new_page


def test_the_dashboard_letter_links_land_on_their_section_of_the_queue(cast):
    with schema_context(cast.village_a.schema_name):
        to_sign = letter_request(
            actor=cast.alice,
            role=StaffRole.KEPALA_DESA,
            letter_type_code="domisili",
            field_values={"keperluan": "Melamar pekerjaan"},
            resident_id=cast.resident_a.pk,
        )
        to_verify = letter_request(
            actor=cast.alice,
            role=StaffRole.KEPALA_DESA,
            letter_type_code="domisili",
            field_values={"keperluan": "Sekolah"},
            resident_id=cast.resident_a.pk,
        )
        letter_transition(
            actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=to_sign.pk, action="verify"
        )
    client = client_for(cast.village_a, user=cast.alice)
    links = _dashboard_links(client.get("/kantor/"))

    for figure, letter in (("letters-to-verify", to_verify), ("letters-to-sign", to_sign)):
        path, _, anchor = links[figure].partition("#")
        # The queue has no filter: the link names no query it would ignore, but the
        # section of the queue the figure counts.
        assert "?" not in links[figure] and anchor
        page = client.get(path)
        assert page.status_code == 200
        section = page.content.decode().partition(f'id="{anchor}"')[2].partition("<h2")[0]
        assert f"/kantor/surat/{letter.pk}/" in section
