"""Fan-out of one announcement to 10,000 residents, through a real worker to a local gateway.

One village with N residents, each with a phone number; WhatsApp configured to a local
HTTP server that plays the gateway (tests/notifications_support.FakeGateway: answers 200
with an id, deduplicates by Idempotency-Key). The clock starts before the transaction that
publishes the announcement (the event and its N outbox rows commit together) and stops
when the database says all N messages are sent. Measured: the outbox write, the time to
the first and last message sent, messages per second end to end, and how many requests
the gateway received (it must be N: none lost, none twice).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_notify \
    REDIS_URL=redis://127.0.0.1:6379/11 BALAI_ENV=development \
    .venv/bin/python bench/bench_notify_fanout.py [--residents 10000] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import (
    REPO_DIR,
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    results_write,
    seconds_text,
)

sys.path.insert(0, str(REPO_DIR))

SLUG = "bench-notify"
REGION_CODE = "18.08.11.2003"


def database_create() -> None:
    """Create the scratch database named by DATABASE_URL when it does not exist yet."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def village_get():
    from balai.onboarding.services import village_onboard
    from tenants.models import Village

    village = Village.objects.filter(slug=SLUG).first()
    if village:
        return village
    return village_onboard(
        region_code=REGION_CODE,
        slug=SLUG,
        name="Bench Notifikasi",
        local_term="kampung",
        admin_username="bench-notify-admin",
        admin_password="kata-sandi-bench-123",  # noqa: S106 - a scratch database
    ).village


def residents_fill(count: int) -> None:
    from services.residents.models import Resident

    have = Resident.objects.count()
    Resident.objects.bulk_create(
        [
            Resident(
                nik=f"3{i:015d}",
                full_name=f"Warga Bench {i}",
                sex="L" if i % 2 else "P",
                phone=f"0812{i:08d}",
            )
            for i in range(have, count)
        ],
        batch_size=2000,
    )


def outbox_empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_inboxitem, notifications_message, events_domainevent "
            "RESTART IDENTITY CASCADE"
        )


def worker_start(concurrency: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "False", "LOG_LEVEL": "WARNING"}
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "balai.celery_app", "worker",
                "-Q", "default", "--pool=prefork", f"--concurrency={concurrency}",
                "--loglevel=WARNING", "--purge", "--without-gossip", "--without-mingle",
            ],
            env=env, cwd=str(REPO_DIR), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rate", type=int, default=100_000, help="gateway rate limit /s")
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()

    django_setup()
    database_create()
    database_prepare()
    import signal

    from django.db import transaction
    from django_tenants.utils import schema_context

    from balai.celery_app import app
    from services.events.services import event_record
    from services.notifications.models import Channel, ChannelConfig, Message, MessageStatus
    from tests.notifications_support import FakeGateway

    machine = machine_describe()
    village = village_get()
    gateway = FakeGateway().start()
    log_path = Path(tempfile.gettempdir()) / "bench_notify_worker.log"
    app.control.purge()
    worker = worker_start(args.concurrency, log_path)
    try:
        with schema_context(village.schema_name):
            residents_fill(args.residents)
            outbox_empty()
            ChannelConfig.objects.update_or_create(
                name="wa-bench",
                defaults={
                    "channel": Channel.WHATSAPP,
                    "kind": "webhook",
                    "url": gateway.url,
                    "rate_per_second": args.rate,
                    "timeout_seconds": 10,
                },
            )
            time.sleep(5)  # the worker's processes start (not measured)
            log(f"publishing an announcement to {args.residents} residents")
            started = time.perf_counter()
            with transaction.atomic():
                event = event_record(name="announcement.published", payload={"article_id": 0})
            written = time.perf_counter() - started
            total = Message.objects.filter(event_id=event.pk).count()
            first_sent = None
            while True:
                sent = Message.objects.filter(event_id=event.pk, status=MessageStatus.SENT).count()
                if sent and first_sent is None:
                    first_sent = time.perf_counter() - started
                if sent >= total:
                    break
                if worker.poll() is not None:
                    raise SystemExit(f"worker died:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            failed = Message.objects.filter(event_id=event.pk, status=MessageStatus.FAILED).count()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        gateway.stop()
    machine.finish()
    requests = Counter(gateway.keys())
    twice = sum(1 for n in requests.values() if n > 1)
    asked = sum(requests.values())
    rate = total / elapsed
    log(f"{total} messages in {elapsed:.1f} s: {rate:.0f} messages/s")
    text = f"""# Notifications: fan-out of one announcement

Command: `{command_line()}`

{machine.markdown()}

## Setup

- One village, {args.residents:,} residents, each with a phone number; WhatsApp over the
  generic JSON webhook provider to a local HTTP gateway (Python `ThreadingHTTPServer` in
  the bench process, answering 200 at once).
- One `balai` Celery worker, prefork, concurrency {args.concurrency}, against Redis and
  PostgreSQL on the same machine; tasks of 100 messages; provider rate limit
  {args.rate:,}/s (effectively unlimited: this measures our own throughput).
- The clock starts before the transaction that records "announcement.published" (the
  event and all outbox rows commit together) and stops when every message is `sent`.

## Results

| What | Value |
|---|---|
| Outbox rows written in the event's transaction | {total:,} in {seconds_text(written)} |
| First message sent after | {seconds_text(first_sent or float("nan"))} |
| All messages sent after (total) | {seconds_text(elapsed)} |
| Throughput end to end | **{rate:,.0f} messages/s** |
| Gateway requests / distinct keys / keys asked twice | {asked:,} / {len(requests):,} / {twice} |
| Failed messages | {failed} |

Per task of 100 messages the worker claims them in one UPDATE ... RETURNING and loads
them in one SELECT; per message it takes a rate-limit token (one Redis Lua call), POSTs
to the gateway and records the outcome (one UPDATE, committed).
"""
    results_write("notify_fanout", text, write=not args.print)


if __name__ == "__main__":
    main()
