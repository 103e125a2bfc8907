"""The public village home data: one cached answer in a fixed number of SQL statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from services.village.home_cache import HOME_CACHE_SECONDS, home_cache_key
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOME = "/api/village/home/"


@pytest.fixture(autouse=True)
def _fresh_cache(cast):
    keys = [home_cache_key(v.schema_name) for v in (cast.village_a, cast.village_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def publish(client, title, **data):
    data = {"title": title, "status": "published", "summary": f"Ringkasan {title}", **data}
    response = client.post("/api/village/news/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def village_a_filled(cast):
    """Village A with officials, 7 news, 6 announcements, a draft and this year's budget."""
    alice = client_for(cast.village_a, user=cast.alice)
    alice.patch("/api/village/profile/", {"vision": "Maju bersama"}, "application/json")
    for number in range(3):
        alice.post("/api/village/officials/", {"name": f"P{number}", "position": "Kasi"})
    for number in range(7):
        publish(alice, f"Berita {number}", category="pembangunan")
    for number in range(6):
        publish(alice, f"Pengumuman {number}", kind="pengumuman")
    publish(alice, "Draf rahasia", status="draft")
    year = timezone.localdate().year
    for kind, sector, budget, realised in (
        ("pendapatan", "dana_desa", "1000", "500"),
        ("belanja", "pembangunan", "800", "200"),
    ):
        alice.post(
            f"/api/village/budget/{year}/lines/",
            {
                "kind": kind,
                "sector": sector,
                "description": "x",
                "budget": budget,
                "realised": realised,
            },
            content_type="application/json",
        )
    cache.delete(home_cache_key(cast.village_a.schema_name))
    return alice


def test_anonymous_visitors_get_profile_officials_latest_items_and_the_budget(cast):
    # given
    village_a_filled(cast)
    # when
    data = client_for(cast.village_a).get(HOME).json()
    # then
    assert data["profile"]["name"] == "Negara Batin"
    assert data["profile"]["vision"] == "Maju bersama"
    assert [o["name"] for o in data["officials"]] == ["P0", "P1", "P2"]
    assert [a["title"] for a in data["news"]] == [f"Berita {n}" for n in (6, 5, 4, 3, 2)]
    assert [a["title"] for a in data["announcements"]][0] == "Pengumuman 5"
    assert len(data["announcements"]) == 5
    assert data["news"][0]["category"] == "Pembangunan"
    assert data["budget"]["income"]["percent_realised"] == "50.00"
    assert data["budget"]["spending"]["percent_realised"] == "25.00"
    assert "Draf rahasia" not in str(data)


def test_the_home_data_takes_at_most_8_statements_cold_and_none_warm(
    cast, django_assert_max_num_queries
):
    village_a_filled(cast)
    anonymous = client_for(cast.village_a)
    anonymous.get("/healthz")  # the host -> village routing cache is not what is counted
    with django_assert_max_num_queries(8):
        cold = anonymous.get(HOME)
    with django_assert_max_num_queries(1):  # at most the SET search_path of the village
        warm = anonymous.get(HOME)
    assert cold.json() == warm.json()
    assert "public" in warm["Cache-Control"]


def test_a_new_article_shows_at_once_because_writes_forget_the_cache(cast):
    alice = village_a_filled(cast)
    anonymous = client_for(cast.village_a)
    anonymous.get(HOME)
    publish(alice, "Berita terbaru")
    assert anonymous.get(HOME).json()["news"][0]["title"] == "Berita terbaru"


def test_profile_and_budget_edits_also_forget_the_cache(cast):
    alice = village_a_filled(cast)
    anonymous = client_for(cast.village_a)
    anonymous.get(HOME)
    alice.patch("/api/village/profile/", {"vision": "Visi baru"}, "application/json")
    year = timezone.localdate().year
    lines = alice.get(f"/api/village/budget/{year}/lines/").json()
    line = next(line for line in lines if line["kind"] == "pendapatan")
    alice.patch(
        f"/api/village/budget/{year}/lines/{line['id']}/",
        {"realised": "1000"},
        content_type="application/json",
    )
    data = anonymous.get(HOME).json()
    assert data["profile"]["vision"] == "Visi baru"
    assert data["budget"]["income"]["realised"] == "1000.00"


def test_the_cache_does_not_outlive_the_next_scheduled_item(cast, settings):
    # given an announcement due in 20 seconds
    alice = client_for(cast.village_a, user=cast.alice)
    soon = timezone.now() + timedelta(seconds=20)
    publish(alice, "Segera terbit", kind="pengumuman", publish_at=soon.isoformat())
    # when the home data is cached
    client_for(cast.village_a).get(HOME)
    # then it expires by the time the announcement is due, not after the usual minute
    raw_key = cache.make_key(home_cache_key(cast.village_a.schema_name))
    ttl = redis.Redis.from_url(settings.REDIS_URL).ttl(raw_key)
    assert 0 < ttl <= 21 < HOME_CACHE_SECONDS


def test_each_village_gets_its_own_home(cast):
    village_a_filled(cast)
    data_b = client_for(cast.village_b).get(HOME).json()
    assert data_b["profile"]["name"] == "Purwa Agung"
    assert data_b["news"] == [] and data_b["officials"] == [] and data_b["budget"] is None


def test_the_home_data_is_read_only(cast):
    for client in (client_for(cast.village_a), client_for(cast.village_a, user=cast.alice)):
        assert client.post(HOME, {}).status_code == 405
