"""The standard cast, made once per test session and committed:

- village A (Negara Batin, 18.08.11.2001) and village B (Purwa Agung, 18.08.11.2002), both
  in Kecamatan Negara Batin; village C (18.08.01.2006) in another kecamatan of Way Kanan;
- alice, kepala desa of A; bob, operator of B; carol, kecamatan supervisor of 18.08.11;
  dave, supervisor of another kecamatan (18.08.01); erin, kabupaten supervisor of 18.08;
  pat, platform admin; warga_a, a resident of A with a PIN.

Tests run inside a transaction on top of it (the ``db`` fixture), so what they write
disappears; tests that need a live worker or server commit and clean up after themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

# The live Celery worker fixtures (live_worker, committed_connection).
pytest_plugins = ["tests.worker", "tests.committed_rows"]

PASSWORD = "kata-sandi-uji-123"
RESIDENT_PIN = "246810"


@dataclass
class Cast:
    village_a: object
    village_b: object
    village_c: object
    alice: object
    bob: object
    carol: object
    dave: object
    erin: object
    pat: object
    resident_a: object
    resident_a_nik: str


def host_of(village) -> str:
    from tenants.routing import village_host

    return village_host(village.slug)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from balai.accounts.models import StaffRole
    from balai.accounts.services import supervisor_assign, user_get_or_create
    from balai.onboarding.services import village_onboard
    from balai.regions.services import BUNDLED_LAMPUNG, regions_load
    from services.residents.services import resident_account_set_pin
    from tenants.provisioning import template_get_or_build
    from tests.factories import ResidentFactory

    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != connection.settings_dict["TEST"]["NAME"]:
            # pytest-django made no test database (no selected test asks for `db`): never
            # write the cast into the database DATABASE_URL names.
            return
        regions_load(path=BUNDLED_LAMPUNG)
        template_get_or_build()
        village_a = village_onboard(
            region_code="18.08.11.2001",
            slug="negarabatin",
            name="Negara Batin",
            local_term="kampung",
            admin_username="alice",
            admin_password=PASSWORD,
        ).village
        village_b = village_onboard(
            region_code="18.08.11.2002",
            slug="purwaagung",
            name="Purwa Agung",
            local_term="kampung",
            admin_username="bob",
            admin_password=PASSWORD,
            admin_role=StaffRole.OPERATOR,
        ).village
        village_onboard(
            region_code="18.08.01.2006",
            slug="desa-c",
            name="Desa C",
            admin_username="charlie_c",
            admin_password=PASSWORD,
        )
        for username, region in (("carol", "18.08.11"), ("dave", "18.08.01"), ("erin", "18.08")):
            user, _ = user_get_or_create(username=username, password=PASSWORD)
            supervisor_assign(user=user, region_code=region)
        user_get_or_create(username="pat", password=PASSWORD, is_platform_admin=True)
        with schema_context(village_a.schema_name):
            resident = ResidentFactory(full_name="Siti Aminah", sex="P")
            resident_account_set_pin(resident=resident, pin=RESIDENT_PIN)
        with schema_context(village_b.schema_name):
            ResidentFactory(full_name="Budi Santoso")
        connection.set_schema_to_public()


@pytest.fixture
def cast(db) -> Cast:
    from balai.accounts.models import User
    from tenants.models import Village

    village_a = Village.objects.get(region_id="18.08.11.2001")
    with schema_context(village_a.schema_name):
        from services.residents.models import Resident

        resident = Resident.objects.get(full_name="Siti Aminah")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["alice", "bob", "carol", "dave", "erin", "pat"])
    }
    return Cast(
        village_a=village_a,
        village_b=Village.objects.get(region_id="18.08.11.2002"),
        village_c=Village.objects.get(region_id="18.08.01.2006"),
        resident_a=resident,
        resident_a_nik=resident.nik,
        **users,
    )


@pytest.fixture
def public_client(settings) -> Client:
    return Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)


def client_for(village, *, user=None) -> Client:
    client = Client(HTTP_HOST=host_of(village))
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_routing_cache():
    from tenants.routing import routing_cache_clear

    routing_cache_clear()
    yield
    connection.set_schema_to_public()
    routing_cache_clear()
