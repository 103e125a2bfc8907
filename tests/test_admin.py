"""Onboarding from the Django admin on the public host."""

import pytest
from django.db import connection

from tenants.models import Village

pytestmark = pytest.mark.django_db

ONBOARD_URL = "/admin/tenants/village/onboard/"


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_platform_admin_onboards_a_village_from_the_admin(cast, public_client):
    # given
    public_client.force_login(cast.pat)
    # when
    response = public_client.post(
        ONBOARD_URL,
        {
            "region_code": "18.08.11.2007",
            "slug": "karta-jaya",
            "local_term": "kampung",
            "admin_username": "kakam-karta",
            "admin_password": "sandi-panjang-1",
            "name": "",
            "admin_role": "kepala_desa",
        },
    )
    # then
    assert response.status_code == 302
    village = Village.objects.get(slug="karta-jaya")
    assert village.name == "Karta Jaya"
    assert _schema_exists(village.schema_name)


def test_admin_form_names_the_field_of_bad_input(cast, public_client):
    public_client.force_login(cast.pat)
    response = public_client.post(
        ONBOARD_URL,
        {
            "region_code": "18.08.11",
            "slug": "Bad_Slug",
            "local_term": "desa",
            "admin_username": "x",
            "admin_role": "kepala_desa",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "region_code" in form.errors
    assert "slug" in form.errors
    assert not Village.objects.filter(slug="Bad_Slug").exists()


def test_add_village_button_leads_to_the_onboarding_form(cast, public_client):
    public_client.force_login(cast.pat)
    response = public_client.get("/admin/tenants/village/add/")
    assert response.status_code == 302
    assert response["Location"].endswith(ONBOARD_URL)


@pytest.mark.parametrize("username", ["alice", "carol", None])
def test_admin_onboarding_is_refused_to_everyone_but_platform_admins(cast, public_client, username):
    if username:
        user = getattr(cast, username)
        public_client.force_login(user)
    response = public_client.get(ONBOARD_URL)
    # The admin site sends non-staff users to its login page.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]


def test_admin_is_not_served_on_village_hosts(cast):
    from tests.conftest import client_for

    response = client_for(cast.village_a, user=cast.pat).get("/admin/")
    assert response.status_code == 404
