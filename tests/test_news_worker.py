"""A scheduled announcement is announced by a real Celery worker once it is due: beat's
fan-out (public schema) queues one task per village through Redis, and the worker records
"announcement.published" in that village's schema, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

REPO_DIR = Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db.get('PORT') or 5432}/{db['NAME']}"


def _worker() -> subprocess.Popen:
    env = {**os.environ, "BALAI_ENV": "test", "DATABASE_URL": _test_database_url()}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "balai.celery_app",
            "worker",
            "-Q",
            "default,platform",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        env=env,
        cwd=str(REPO_DIR),
        start_new_session=True,
    )


@pytest.mark.django_db
def test_the_village_task_refuses_to_run_in_the_public_schema():
    # (Also makes this module runnable alone: pytest-django creates the test database only
    # when a collected test carries the django_db mark.)
    from balai.celery_app import VillageContextMissingError
    from services.news.tasks import announcements_announce_due

    connection.set_schema_to_public()
    with pytest.raises(VillageContextMissingError):
        announcements_announce_due()
    with pytest.raises(VillageContextMissingError):
        announcements_announce_due.apply_async()


@pytest.mark.worker
def test_a_real_worker_announces_a_due_scheduled_announcement_once(
    django_db_blocker, django_db_setup
):
    from services.events.models import DomainEvent
    from services.news.models import Article
    from services.news.services import article_create
    from services.news.tasks import announcements_fan_out
    from tenants.models import Village
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        village = Village.objects.get(region_id="18.08.11.2002")
        author = UserFactory(username="news_worker_author")
        # given an announcement that was scheduled and whose time has now passed
        with schema_context(village.schema_name):
            article = article_create(
                data={"kind": "pengumuman", "title": "Vaksinasi ternak"},
                author=author,
                status="published",
                publish_at=timezone.now() + timedelta(hours=1),
            )
            Article.objects.filter(pk=article.pk).update(
                publish_at=timezone.now() - timedelta(minutes=1)
            )
        connection.set_schema_to_public()
        worker = _worker()
        try:
            # when beat's fan-out runs twice (a redelivery, or two beats)
            announcements_fan_out.apply_async()
            announcements_fan_out.apply_async()
            deadline = time.monotonic() + 60
            events = []
            while time.monotonic() < deadline:
                with schema_context(village.schema_name):
                    events = list(
                        DomainEvent.objects.filter(name="announcement.published").values_list(
                            "payload", flat=True
                        )
                    )
                    announced = Article.objects.get(pk=article.pk).announced_at
                if events and announced:
                    time.sleep(2)  # let the second fan-out's task finish too
                    break
                time.sleep(0.5)
            # then the event is recorded once, in that village only
            with schema_context(village.schema_name):
                events = list(
                    DomainEvent.objects.filter(name="announcement.published").values_list(
                        "payload", flat=True
                    )
                )
            assert [event["article_id"] for event in events] == [article.pk]
            with schema_context(Village.objects.get(region_id="18.08.11.2001").schema_name):
                assert not DomainEvent.objects.filter(name="announcement.published").exists()
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            with schema_context(village.schema_name):
                Article.objects.filter(pk=article.pk).delete()
                DomainEvent.objects.filter(name="announcement.published").delete()
            author.delete()
            connection.set_schema_to_public()
