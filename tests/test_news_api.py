"""News and announcements: staff write, everyone reads what is published and due."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant
from balai.celery_app import app as celery_app
from services.news.models import Article
from services.news.tasks import announcements_announce_due, announcements_fan_out
from services.village.home_cache import home_cache_key
from tenants.models import Village
from tenants.services import village_suspend
from tests.conftest import RESIDENT_PIN, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/village/news/"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path, cast):
    settings.MEDIA_ROOT = tmp_path
    keys = [home_cache_key(v.schema_name) for v in (cast.village_a, cast.village_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def staff_of_a(cast, role: str):
    user = UserFactory(username=f"{role}_a")
    membership_grant(user=user, village=cast.village_a, role=role)
    return user


def resident_client(cast):
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    return client


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def publish(client, **data):
    data.setdefault("title", "Gotong royong bersih kampung")
    data.setdefault("body", "Sabtu pagi seluruh warga bekerja bakti.")
    data.setdefault("status", "published")
    return client.post(URL, data, content_type="application/json")


def field_of(response) -> str:
    return response.json()["errors"][0]["field"]


# -- states and visibility ------------------------------------------------------------------


def test_staff_publish_an_article_and_anonymous_visitors_read_it(cast):
    # given
    alice = client_for(cast.village_a, user=cast.alice)
    # when
    created = publish(alice, category="pembangunan")
    # then
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]
    assert slug == "gotong-royong-bersih-kampung"
    assert created.json()["state"] == "published"
    assert created.json()["category"]["slug"] == "pembangunan"
    public = client_for(cast.village_a).get(f"{URL}{slug}/")
    assert public.status_code == 200
    assert public.json()["body"].startswith("Sabtu")
    listed = client_for(cast.village_a).get(URL).json()["results"]
    assert [row["slug"] for row in listed] == [slug]


def test_drafts_and_scheduled_items_are_404_to_the_public_but_staff_see_them(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    draft = publish(alice, title="Draf rapat", status="draft").json()
    later = (timezone.now() + timedelta(days=2)).isoformat()
    scheduled = publish(alice, title="Jadwal posyandu", publish_at=later).json()
    assert draft["state"] == "draft"
    assert scheduled["state"] == "scheduled"

    anonymous = client_for(cast.village_a)
    for slug in (draft["slug"], scheduled["slug"]):
        assert anonymous.get(f"{URL}{slug}/").status_code == 404
        assert alice.get(f"{URL}{slug}/").status_code == 200
    assert anonymous.get(URL).json()["results"] == []
    assert {row["state"] for row in alice.get(URL).json()["results"]} == {"draft", "scheduled"}


def test_a_scheduled_article_becomes_visible_at_its_time_without_a_job(cast):
    # given an article scheduled a minute from now
    alice = client_for(cast.village_a, user=cast.alice)
    soon = timezone.now() + timedelta(minutes=1)
    slug = publish(alice, publish_at=soon.isoformat()).json()["slug"]
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 404
    # when its time has come (moved into the past, as the clock would)
    with schema_context(cast.village_a.schema_name):
        from services.news.models import Article

        Article.objects.filter(slug=slug).update(publish_at=timezone.now() - timedelta(seconds=1))
    # then it is public, with nothing run in between
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 200


def test_publishing_a_scheduled_item_without_a_time_publishes_it_now(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    later = (timezone.now() + timedelta(days=3)).isoformat()
    slug = publish(alice, publish_at=later).json()["slug"]
    assert alice.post(f"{URL}{slug}/publish/").json()["state"] == "published"
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 200


def test_unpublishing_hides_the_article_again(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    slug = publish(alice).json()["slug"]
    response = alice.post(f"{URL}{slug}/unpublish/")
    assert response.json()["state"] == "draft"
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 404


def test_a_draft_is_published_later_through_the_publish_action(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    slug = publish(alice, status="draft").json()["slug"]
    response = alice.post(f"{URL}{slug}/publish/")
    assert response.json()["state"] == "published"
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 200


def test_listing_filters_by_kind(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    publish(alice, title="Berita panen")
    publish(alice, title="Pengumuman pemadaman", kind="pengumuman")
    rows = client_for(cast.village_a).get(URL, {"kind": "pengumuman"}).json()["results"]
    assert [row["title"] for row in rows] == ["Pengumuman pemadaman"]


def test_the_public_list_costs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    alice = client_for(cast.village_a, user=cast.alice)
    for number in range(12):
        publish(alice, title=f"Berita {number}", category="kesehatan")
    anonymous = client_for(cast.village_a)
    anonymous.get(URL)  # routing cache warm
    with django_assert_max_num_queries(3):
        response = anonymous.get(URL)
    assert len(response.json()["results"]) == 12


# -- slugs ----------------------------------------------------------------------------------


def test_same_title_gets_a_numbered_slug(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    first = publish(alice).json()["slug"]
    second = publish(alice).json()["slug"]
    assert (first, second) == ("gotong-royong-bersih-kampung", "gotong-royong-bersih-kampung-2")


def test_a_chosen_slug_already_used_in_the_village_is_refused(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    publish(alice, slug="rapat-desa")
    response = publish(alice, title="Lain", slug="rapat-desa")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("slug", "duplicate")
    assert error["message"] != error["message_en"]


def test_the_same_slug_in_another_village_is_fine(cast):
    bob = client_for(cast.village_b, user=cast.bob)
    assert publish(client_for(cast.village_a, user=cast.alice), slug="rapat").status_code == 201
    assert publish(bob, slug="rapat").status_code == 201


def test_a_slug_that_would_shadow_the_feed_is_refused(cast):
    response = publish(client_for(cast.village_a, user=cast.alice), slug="feed")
    assert (response.status_code, field_of(response)) == (400, "slug")


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "gosip"}, "kind"),
        ({"status": "archived"}, "status"),
        ({"category": "tidak-ada"}, "category"),
        ({"publish_at": "besok pagi"}, "publish_at"),
        ({"slug": "Bukan Slug!"}, "slug"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(cast, data, field):
    alice = client_for(cast.village_a, user=cast.alice)
    response = publish(alice, **data)
    assert response.status_code == 400
    assert field_of(response) == field
    assert alice.get(URL).json()["results"] == []


# -- cover images ---------------------------------------------------------------------------


def test_cover_is_re_encoded_and_stored_under_the_village_with_a_random_name(cast, settings):
    alice = client_for(cast.village_a, user=cast.alice)
    upload = SimpleUploadedFile("../../etc/passwd.png", png_bytes(), content_type="image/png")
    response = alice.post(URL, {"title": "Dengan foto", "cover": upload, "status": "published"})
    assert response.status_code == 201, response.content
    url = response.json()["cover_url"]
    prefix = f"/media/villages/{cast.village_a.schema_name}/news/"
    assert url.startswith(prefix) and url.endswith(".jpg") and "passwd" not in url
    stored = Path(settings.MEDIA_ROOT) / url.removeprefix("/media/")
    with Image.open(stored) as image:
        assert image.format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(cast, settings):
    alice = client_for(cast.village_a, user=cast.alice)
    upload = SimpleUploadedFile("cover.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
    response = alice.post(URL, {"title": "Palsu", "cover": upload})
    assert response.status_code == 400
    assert field_of(response) == "cover"
    assert alice.get(URL).json()["results"] == []
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_replacing_the_cover_deletes_the_old_file_after_commit(
    cast, settings, django_capture_on_commit_callbacks
):
    alice = client_for(cast.village_a, user=cast.alice)
    first = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    created = alice.post(URL, {"title": "Foto", "cover": first}).json()
    old = Path(settings.MEDIA_ROOT) / created["cover_url"].removeprefix("/media/")
    second = SimpleUploadedFile("b.png", png_bytes((50, 50)), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.patch(
            f"{URL}{created['slug']}/",
            encode_multipart(BOUNDARY, {"cover": second}),
            content_type=MULTIPART_CONTENT,
        )
    assert response.status_code == 200, response.content
    assert response.json()["cover_url"] != created["cover_url"]
    assert not old.exists()


# -- announcements and the domain event -----------------------------------------------------


def _events(village, name="announcement.published"):
    with schema_context(village.schema_name):
        from services.events.models import DomainEvent

        return list(DomainEvent.objects.filter(name=name).values_list("payload", flat=True))


def test_publishing_an_announcement_records_the_event_once(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    created = publish(alice, title="Pemadaman listrik", kind="pengumuman").json()
    alice.patch(f"{URL}{created['slug']}/", {"summary": "Ubah"}, content_type="application/json")
    alice.post(f"{URL}{created['slug']}/publish/")
    assert [e["article_id"] for e in _events(cast.village_a)] == [created["id"]]
    assert _events(cast.village_b) == []


def test_news_articles_record_no_announcement_event(cast):
    publish(client_for(cast.village_a, user=cast.alice))
    assert _events(cast.village_a) == []


def test_a_scheduled_announcement_is_announced_by_the_periodic_task_once_due(cast):
    # given an announcement scheduled for later
    alice = client_for(cast.village_a, user=cast.alice)
    later = timezone.now() + timedelta(hours=1)
    created = publish(alice, kind="pengumuman", publish_at=later.isoformat()).json()
    assert _events(cast.village_a) == []
    with schema_context(cast.village_a.schema_name):
        # when the task runs before its time, nothing happens
        assert announcements_announce_due() == 0
        # and once its time has passed it is announced, exactly once
        Article.objects.filter(pk=created["id"]).update(
            publish_at=timezone.now() - timedelta(seconds=1)
        )
        assert announcements_announce_due() == 1
        assert announcements_announce_due() == 0
    assert [e["article_id"] for e in _events(cast.village_a)] == [created["id"]]


def test_the_fan_out_queues_the_village_task_for_every_active_village(cast):
    # given village C suspended
    village_suspend(village=cast.village_c, reason="Uji")
    sent = []
    original = celery_app.send_task

    def record(name, *args, **kwargs):
        sent.append((name, kwargs["headers"]["_schema_name"]))

    # The broker is not what is tested here: catch the messages instead of sending them.
    celery_app.send_task = record
    try:
        # when
        announcements_fan_out()
    finally:
        celery_app.send_task = original
    # then one message per active village, each carrying its village
    active = set(Village.objects.filter(status="active").values_list("schema_name", flat=True))
    assert {name for name, _ in sent} == {"balai.news.announcements_announce_due"}
    assert sorted(schema for _, schema in sent) == sorted(active)
    assert cast.village_a.schema_name in active and cast.village_c.schema_name not in active


# -- the feed -------------------------------------------------------------------------------


def test_the_atom_feed_lists_only_published_items_of_this_village(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    publish(alice, title="Panen raya kampung")
    publish(alice, title="Rahasia draf", status="draft")
    publish(client_for(cast.village_b, user=cast.bob), title="Berita desa tetangga")
    response = client_for(cast.village_a).get(f"{URL}feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Panen raya kampung" in body
    assert "Rahasia draf" not in body and "desa tetangga" not in body
    assert "Negara Batin" in body


# -- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS, StaffRole.OPERATOR])
def test_every_staff_role_of_the_village_may_write(cast, role):
    user = cast.alice if role == StaffRole.KEPALA_DESA else staff_of_a(cast, role)
    assert publish(client_for(cast.village_a, user=user)).status_code == 201


def test_staff_of_another_village_cannot_write_or_see_drafts_here(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    slug = publish(alice, status="draft").json()["slug"]
    bob_on_a = client_for(cast.village_a, user=cast.bob)
    assert publish(bob_on_a).status_code == 403
    assert bob_on_a.get(f"{URL}{slug}/").status_code == 404
    assert bob_on_a.patch(f"{URL}{slug}/", {"title": "x"}, "application/json").status_code == 403
    assert bob_on_a.delete(f"{URL}{slug}/").status_code == 403
    assert client_for(cast.village_a, user=cast.alice).get(f"{URL}{slug}/").json()["title"] != "x"


def test_an_article_of_village_a_does_not_exist_on_village_b(cast):
    slug = publish(client_for(cast.village_a, user=cast.alice)).json()["slug"]
    assert client_for(cast.village_b).get(f"{URL}{slug}/").status_code == 404
    assert client_for(cast.village_b, user=cast.bob).get(f"{URL}{slug}/").status_code == 404


def test_residents_and_anonymous_visitors_cannot_write(cast):
    slug = publish(client_for(cast.village_a, user=cast.alice)).json()["slug"]
    for client in (resident_client(cast), client_for(cast.village_a)):
        assert publish(client).status_code in (401, 403)
        assert client.post(f"{URL}{slug}/unpublish/").status_code in (401, 403)
        assert client.delete(f"{URL}{slug}/").status_code in (401, 403)
        assert client.post(f"{URL}categories/", {"name": "X"}).status_code in (401, 403)
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 200


def test_supervisors_have_no_write_access_on_a_village_host(cast):
    assert publish(client_for(cast.village_a, user=cast.carol)).status_code == 403


def test_staff_delete_an_article(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    slug = publish(alice).json()["slug"]
    assert alice.delete(f"{URL}{slug}/").status_code == 204
    assert client_for(cast.village_a).get(f"{URL}{slug}/").status_code == 404


def test_categories_are_seeded_and_staff_add_more(cast):
    alice = client_for(cast.village_a, user=cast.alice)
    response = alice.post(f"{URL}categories/", {"name": "Pertanian"})
    assert response.status_code == 201
    slugs = {row["slug"] for row in client_for(cast.village_a).get(f"{URL}categories/").json()}
    assert {"pembangunan", "kesehatan", "pertanian"} <= slugs
    duplicate = alice.post(f"{URL}categories/", {"name": "Pertanian"})
    assert (duplicate.status_code, field_of(duplicate)) == (400, "slug")
