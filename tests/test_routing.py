"""Host routing: villages by subdomain, the public host, unknown and suspended hosts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.services import village_reactivate, village_suspend
from tests.conftest import client_for, host_of

pytestmark = pytest.mark.django_db


def test_village_host_serves_that_villages_schema(cast):
    response = client_for(cast.village_a).get("/healthz")
    assert response.status_code == 200
    assert response.json()["schema"] == cast.village_a.schema_name


def test_village_home_shows_the_village_name_and_its_local_term(cast):
    response = client_for(cast.village_a).get("/")
    assert response.status_code == 200
    assert "Kampung Negara Batin" in response.content.decode()


def test_public_host_serves_the_public_schema(public_client):
    response = public_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["schema"] == "public"


def test_unknown_host_gets_a_404_page_not_a_500(client, settings):
    response = client.get("/", HTTP_HOST=f"tidakada.{settings.BALAI_BASE_DOMAIN}")
    assert response.status_code == 404
    assert "Desa tidak ditemukan" in response.content.decode()


def test_unknown_host_on_an_api_path_gets_json(client, settings):
    host = f"tidakada.{settings.BALAI_BASE_DOMAIN}"
    response = client.get("/api/village/profile/", HTTP_HOST=host)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "village_not_found"


def test_suspended_village_gets_a_suspended_page_and_comes_back(cast):
    village_suspend(village=cast.village_a, reason="Tunggakan")
    page = client_for(cast.village_a).get("/")
    api = client_for(cast.village_a).get("/api/village/profile/")
    assert page.status_code == 403
    assert "ditangguhkan" in page.content.decode()
    assert api.json()["error"]["code"] == "village_suspended"

    village_reactivate(village=cast.village_a)
    assert client_for(cast.village_a).get("/").status_code == 200


def test_warm_routing_costs_no_database_query_for_the_domain(cast):
    client = client_for(cast.village_a)
    client.get("/api/village/profile/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/village/profile/")
    assert response.status_code == 200
    domain_queries = [q for q in queries.captured_queries if "tenants_domain" in q["sql"]]
    assert domain_queries == []


def test_host_with_port_and_upper_case_routes_to_the_same_village(cast, client):
    response = client.get("/healthz", HTTP_HOST=host_of(cast.village_b).upper() + ":8000")
    assert response.json()["schema"] == cast.village_b.schema_name


def test_a_suspension_made_by_another_process_is_seen_without_waiting_for_expiry(cast, settings):
    from django.core.cache import cache

    from tenants.models import Village, VillageStatus
    from tenants.routing import GENERATION_KEY

    # given: this process has village A cached as active
    settings.BALAI_ROUTING_SYNC_SECONDS = 0
    client = client_for(cast.village_a)
    assert client.get("/healthz").status_code == 200

    # when: "another process" suspends it (a direct write, then the generation bump it makes)
    Village.objects.filter(pk=cast.village_a.pk).update(status=VillageStatus.SUSPENDED)
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        cache.incr(GENERATION_KEY)

    # then
    assert client.get("/healthz").status_code == 403


def test_without_a_broadcast_the_cached_route_holds_until_it_expires(cast, settings):
    from tenants.models import Village, VillageStatus

    settings.BALAI_ROUTING_SYNC_SECONDS = 0
    client = client_for(cast.village_a)
    assert client.get("/healthz").status_code == 200
    Village.objects.filter(pk=cast.village_a.pk).update(status=VillageStatus.SUSPENDED)
    assert client.get("/healthz").status_code == 200
