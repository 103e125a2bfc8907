"""The catalog kept current by a real Celery worker against the test database and Redis.

These tests commit their data (a worker cannot see a test's open transaction) and remove it
afterwards; they use neither ``db`` nor ``transactional_db``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.celery_app import app
from balai.marketplace.models import Listing, VillageEconomySummary
from balai.marketplace.tasks import resync_all
from services.economy import services
from services.economy.models import Business, BusinessStatus
from services.residents.models import Resident
from tenants.models import Village
from tests.factories import ResidentFactory

pytestmark = pytest.mark.worker

REPO = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 90  # a deadline for a slow shared machine, not a performance assertion


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(check: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"the worker did not {what} within {WAIT_SECONDS} s")


@pytest.fixture
def worker(django_db_setup, django_db_blocker, tmp_path) -> Iterator[subprocess.Popen]:
    """`balai worker --pool solo -Q default,platform` on the test database; stopped after."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    app.control.purge()  # stale messages of an earlier, interrupted run
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "BALAI_ENV": "test",
        "DEBUG": "false",
        "BALAI_DATA_DIR": str(tmp_path / "data"),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(REPO / ".venv/bin/balai"),
                "worker",
                "--pool",
                "solo",
                "-Q",
                "default,platform",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: process.poll() is not None or b"ready." in log_path.read_bytes(),
            "start",
        )
        assert process.poll() is None, log_path.read_text(errors="replace")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def village_a(django_db_setup, django_db_blocker) -> Iterator[Village]:
    """Village A, with what the test commits there removed afterwards."""
    with django_db_blocker.unblock():
        village = Village.objects.get(region_id="18.08.11.2001")
        with tenant_context(village):
            before = set(Business.objects.values_list("pk", flat=True))
        yield village
        with tenant_context(village):
            made = Business.objects.exclude(pk__in=before)
            owners = list(made.values_list("owner_id", flat=True))
            made.delete()  # their products go with them
            Resident.objects.filter(pk__in=owners).delete()
        connection.set_schema_to_public()
        Listing.objects.all().delete()
        VillageEconomySummary.objects.all().delete()


def _listing(village: Village, product_id: int) -> Listing | None:
    return Listing.objects.filter(village_code=village.region_id, product_id=product_id).first()


def test_the_publish_tasks_go_to_queues_the_worker_consumes(db):
    # Also the one test here that asks for ``db``: pytest-django creates the test database
    # only when some collected test does, and the worker tests below must not (they commit).
    from services.economy import tasks

    for task in (tasks.products_publish, tasks.business_publish, tasks.village_publish):
        assert task.queue == "default"
    assert resync_all.queue == "platform"


def test_a_product_change_reaches_the_catalog_through_the_worker(worker, village_a):
    # given a verified business, made and committed in village A
    with tenant_context(village_a):
        owner = ResidentFactory()
        business = services.business_register(
            owner=owner,
            data={"name": "Madu Way Kanan", "sector": "peternakan", "whatsapp": "081311112222"},
        )
        services.business_submit(business=business)
        services.business_verify(business=business, by_user_id=0)

        # when the owner lists a product (each service commits, then queues its publish)
        product = services.product_create(
            business=business,
            data={"name": "Madu hutan", "price": "85000", "unit": "liter", "category": "makanan"},
        )
    connection.set_schema_to_public()

    # then the worker publishes it under village A's codes
    row = wait_for(lambda: _listing(village_a, product.pk), "publish the new product")
    assert (row.kecamatan_code, row.business_name) == ("18.08.11", "Madu Way Kanan")
    assert row.contact_url.startswith("https://wa.me/6281311112222?text=")

    # when the price changes, the row follows
    with tenant_context(village_a):
        services.product_update(product=product, data={"price": "90000"})
    connection.set_schema_to_public()
    wait_for(
        lambda: getattr(_listing(village_a, product.pk), "price", None) == Decimal("90000"),
        "publish the new price",
    )

    # when staff hide it, it leaves the catalog, and the summary counts no product
    with tenant_context(village_a):
        services.product_hide(product=product, reason="Perlu dicek", by_user_id=0)
    connection.set_schema_to_public()
    wait_for(lambda: _listing(village_a, product.pk) is None, "withdraw the hidden product")
    summary = wait_for(
        lambda: VillageEconomySummary.objects.filter(
            village_code=village_a.region_id, products_listed=0, businesses_verified=1
        ).first(),
        "refresh the summary",
    )
    assert summary.businesses_total == 1


def test_the_nightly_resync_fans_out_and_every_village_publishes(worker, village_a):
    # given a product that was never published (its message was lost, say)
    with tenant_context(village_a):
        business = Business.objects.create(
            owner=ResidentFactory(),
            name="Kebun Karet Pak Harjo",
            sector="perkebunan",
            whatsapp="6281234567890",
            status=BusinessStatus.VERIFIED,
        )
        product = business.products.create(
            name="Getah karet", price=Decimal("9500"), unit="kg", category="hasil_kebun"
        )
    connection.set_schema_to_public()
    started = timezone.now()

    # when the nightly resync runs
    resync_all.apply_async()

    # then the lost product is published and every village has fresh figures
    wait_for(lambda: _listing(village_a, product.pk), "publish the product by resync")
    codes = {"18.08.11.2001", "18.08.11.2002", "18.08.01.2006"}
    wait_for(
        lambda: (
            set(
                VillageEconomySummary.objects.filter(
                    village_code__in=codes, refreshed_at__gte=started
                ).values_list("village_code", flat=True)
            )
            == codes
        ),
        "refresh every village's summary",
    )
