"""Village host pages: the public home, the staff dashboard, the resident's landing, the
language switch and the weight of a first visit."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django_tenants.utils import schema_context

from services.village.services import village_profile_update
from tests.conftest import RESIDENT_PIN, client_for

pytestmark = pytest.mark.django_db

# The budget for a first, uncached visit (HTML, CSS, scripts and fonts).
FIRST_VISIT_BUDGET = 200 * 1024


def test_the_village_home_shows_its_name_local_term_and_profile(cast):
    # Through the service, which forgets the cached home data (a queryset update would not).
    with schema_context(cast.village_a.schema_name):
        village_profile_update(changes={"address": "Jl. Lintas Sumatra 1"})
    page = client_for(cast.village_a).get("/").content.decode()
    assert "<h1>Kampung Negara Batin</h1>" in page
    assert "Jl. Lintas Sumatra 1" in page
    assert "18.08.11.2001" in page


def test_the_staff_dashboard_names_the_role_and_links_the_sections(cast):
    alice = client_for(cast.village_a, user=cast.alice).get("/kantor/")
    bob = client_for(cast.village_b, user=cast.bob).get("/kantor/")
    assert "Kepala desa" in alice.content.decode()
    assert "Operator" in bob.content.decode()
    assert "/kantor/penduduk/" in alice.content.decode()
    # The profile is edited by the kepala desa and sekretaris only.
    assert "/kantor/profil/" in alice.content.decode()
    assert "/kantor/profil/" not in bob.content.decode()
    assert alice.context["resident_count"] == 1


def test_the_resident_lands_on_a_page_with_their_own_name(cast):
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    page = client.get("/warga/").content.decode()
    assert "Halo, Siti Aminah" in page
    assert cast.resident_a_nik in page


def test_indonesian_by_default_and_english_after_the_language_switch(cast):
    client = client_for(cast.village_a, user=cast.alice)
    assert "Anda masuk sebagai alice" in client.get("/kantor/").content.decode()
    # when: the header's language form posts to Django's set_language view
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/kantor/"})
    # then
    assert response["Location"] == "/kantor/"
    page = client.get("/kantor/").content.decode()
    assert "You are signed in as alice" in page
    assert '<html lang="en">' in page


def test_every_page_asset_is_served_by_balai_itself(cast, public_client):
    public_client.force_login(cast.pat)
    pages = [
        client_for(cast.village_a).get("/"),
        client_for(cast.village_a).get("/masuk/"),
        public_client.get("/"),
        public_client.get("/platform/desa/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), "an asset from elsewhere"


def _asset_bytes(html: str) -> int:
    total = 0
    # Stylesheets and scripts; a feed's <link rel="alternate"> is not loaded by the page.
    for url in re.findall(r'<(?:link rel="stylesheet"|script)[^>]+(?:href|src)="([^"]+)"', html):
        assert url.startswith(settings.STATIC_URL), url
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        with open(path, "rb") as asset:
            total += len(asset.read())
    return total


@pytest.mark.parametrize("path", ["/", "/masuk/"])
def test_a_first_visit_to_the_village_stays_under_200_kb(cast, path):
    html = client_for(cast.village_a).get(path).content
    assert len(html) + _asset_bytes(html.decode()) < FIRST_VISIT_BUDGET


def test_a_staff_page_with_htmx_stays_under_200_kb(cast):
    html = client_for(cast.village_a, user=cast.alice).get("/kantor/").content
    assert "htmx.min.js" in html.decode()
    assert len(html) + _asset_bytes(html.decode()) < FIRST_VISIT_BUDGET


def test_the_login_page_shows_no_errors_before_anything_is_sent(cast):
    page = client_for(cast.village_a).get("/masuk/").content.decode()
    assert "errorlist" not in page
