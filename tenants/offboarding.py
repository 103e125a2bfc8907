"""Offboarding villages: export one village to one archive, restore it, delete it.

An export is a ``.tar.gz`` of three parts:

- ``schema.sql``: a plain ``pg_dump`` of the village schema (structure and rows);
- ``public.json``: its rows in the public schema (the village, its domains, its staff and
  their roles; never password hashes);
- ``manifest.json``: format version, region code, slug, schema name, the village
  migrations fingerprint, when it was made, and the sha256 of each part.

The dump and the public rows are read from one exported snapshot, so they agree with each
other even while the village is in use.

A restore replays the dump on Django's own connection, inside the same transaction that
recreates the village, domain and membership rows: a failure anywhere leaves neither a
schema nor a row behind, also when the process dies halfway (loading with ``psql`` would
commit the schema on another connection first and leave it orphaned by a crash).

Archives are trusted input from platform admins: the checksums catch a corrupted or
edited part, not an attacker who rewrites the manifest too. Deleting needs the village's
slug (or region code) typed back, and leaves its audit rows behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import get_public_schema_name, schema_context

from balai.accounts.models import StaffRole, User, VillageMembership
from balai.accounts.services import membership_grant
from balai.errors import BalaiError
from balai.onboarding.models import PlatformAuditEvent
from balai.onboarding.services import RESERVED_SLUGS, SLUG_PATTERN
from balai.regions.models import VILLAGE_LEVELS, Region
from tenants.models import Domain, Village, VillageStatus
from tenants.provisioning import (
    REGION_CODE_PATTERN,
    _libpq_args,
    find_pg_dump,
    migrations_fingerprint,
    schema_drop,
    schema_exists,
    schema_name_for_region,
)
from tenants.routing import routing_cache_clear, village_host

logger = logging.getLogger(__name__)

ARCHIVE_FORMAT = "balai.village-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCHEMA_PART = "schema.sql"
PUBLIC_PART = "public.json"
# Upper bounds on what a restore unpacks, so a damaged archive cannot fill the disk.
PART_LIMITS = {MANIFEST: 1 << 20, PUBLIC_PART: 64 << 20, SCHEMA_PART: 8 << 30}
RESTORE_LOCK_PREFIX = "balai.village_restore:"
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")

EXPORT_JOB_TTL = 7 * 24 * 3600


class OffboardingError(RuntimeError):
    """A misuse by the calling code (not something a user can fix)."""


def _archive_error(code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single("archive", code, message, message_en)


# --- export ------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _schema_dump(*, schema_name: str, snapshot: str, target: Path) -> str:
    """pg_dump one schema as plain SQL into ``target``, reading the given snapshot."""
    pg_dump = find_pg_dump()
    args, env = _libpq_args()
    with target.open("wb") as out:
        result = subprocess.run(
            [
                pg_dump.path,
                *args,
                "--schema",
                schema_name,
                "--snapshot",
                snapshot,
                "--no-owner",
                "--no-privileges",
                "--no-tablespaces",
                "--encoding",
                "UTF8",
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            timeout=3600,
            check=False,
        )
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip()[:2000]
        raise OffboardingError(f"pg_dump failed: {stderr}")
    return pg_dump.version


def _public_rows(village: Village) -> dict:
    memberships = (
        VillageMembership.objects.filter(village=village)
        .select_related("user")
        .order_by("user__username")
    )
    return {
        "village": {
            "region_code": village.region_id,
            "slug": village.slug,
            "name": village.name,
            "local_term": village.local_term,
            "status": village.status,
            "status_reason": village.status_reason,
            "created_at": village.created_at.isoformat(),
        },
        "domains": [
            {"domain": domain.domain, "is_primary": domain.is_primary}
            for domain in Domain.objects.filter(tenant=village).order_by("domain")
        ],
        # Who had which role; passwords stay behind (a restored account that is missing
        # on the target is made inactive and needs a password reset).
        "memberships": [
            {
                "username": m.user.username,
                "email": m.user.email,
                "first_name": m.user.first_name,
                "last_name": m.user.last_name,
                "role": m.role,
            }
            for m in memberships
        ],
    }


def _archive_path(*, region_code: str, created: datetime) -> Path:
    """A new, unused file name made only from the region code and the time."""
    export_dir = Path(settings.BALAI_EXPORT_DIR)
    export_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"{schema_name_for_region(region_code)}-{created:%Y%m%dT%H%M%SZ}"
    for attempt in range(100):
        path = export_dir / (f"{stem}.tar.gz" if attempt == 0 else f"{stem}-{attempt}.tar.gz")
        try:
            # Exclusive create: two exports in the same second get two files, not one.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        return path
    raise OffboardingError(f"no free export file name for {stem}")


def _archive_write(*, path: Path, parts: dict[str, Path], manifest: dict) -> None:
    with tarfile.open(path, "w:gz") as archive:
        manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest_bytes)
        info.mtime = int(time.time())
        info.mode = 0o600
        archive.addfile(info, io.BytesIO(manifest_bytes))
        for name, part in parts.items():
            info = archive.gettarinfo(str(part), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            with part.open("rb") as handle:
                archive.addfile(info, handle)


def village_export(*, village: Village, actor: User | None = None) -> Path:
    """Write one village (schema dump, public rows, manifest) to one archive; audited.

    Runs outside any transaction: pg_dump reads over its own connection, and only what is
    committed is in the snapshot it shares with this function's reads.
    """
    if connection.in_atomic_block:
        raise OffboardingError("village_export must run outside a transaction")
    started = time.perf_counter()
    created = timezone.now()
    Path(settings.BALAI_EXPORT_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    path: Path | None = None
    try:
        with tempfile.TemporaryDirectory(dir=settings.BALAI_EXPORT_DIR, prefix=".export-") as work:
            workdir = Path(work)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # One snapshot for pg_dump and for the rows read here, so the archive
                    # is a consistent picture of the village.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                    # A delete waits for the export to finish instead of racing it.
                    cursor.execute(
                        f"SELECT 1 FROM {Village._meta.db_table} WHERE id = %s FOR SHARE",
                        [village.pk],
                    )
                    if cursor.fetchone() is None:
                        raise BalaiError.single(
                            "village",
                            "not_found",
                            "Desa tidak ditemukan.",
                            "The village does not exist.",
                            status=404,
                        )
                village = Village.objects.get(pk=village.pk)
                pg_dump_version = _schema_dump(
                    schema_name=village.schema_name,
                    snapshot=snapshot,
                    target=workdir / SCHEMA_PART,
                )
                (workdir / PUBLIC_PART).write_text(
                    json.dumps(_public_rows(village), indent=2, ensure_ascii=False),
                    encoding="utf-8",
                )
                parts = {name: workdir / name for name in (SCHEMA_PART, PUBLIC_PART)}
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "format_version": FORMAT_VERSION,
                    "region_code": village.region_id,
                    "slug": village.slug,
                    "schema_name": village.schema_name,
                    "migrations_fingerprint": migrations_fingerprint(),
                    "pg_dump_version": pg_dump_version,
                    "created_at": created.isoformat(),
                    "parts": {
                        name: {"sha256": _sha256_file(part), "bytes": part.stat().st_size}
                        for name, part in parts.items()
                    },
                }
                path = _archive_path(region_code=village.region_id, created=created)
                _archive_write(path=path, parts=parts, manifest=manifest)
                archive_sha256 = _sha256_file(path)
                PlatformAuditEvent.objects.create(
                    actor=actor,
                    action="village_exported",
                    village_code=village.region_id,
                    detail={
                        "slug": village.slug,
                        "file": path.name,
                        "sha256": archive_sha256,
                        "bytes": path.stat().st_size,
                        "memberships": VillageMembership.objects.filter(village=village).count(),
                    },
                )
    except BaseException:
        # An archive without its audit row must not stay: it is personal data nobody
        # can account for.
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    logger.info(
        "village exported",
        extra={
            "region_code": village.region_id,
            "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return path


# --- restore -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnpackedArchive:
    manifest: dict
    public: dict
    schema_sql: Path
    sha256: str


def _archive_unpack(*, archive: Path, workdir: Path) -> _UnpackedArchive:
    """Copy the three known parts out of the archive and check them against the manifest.

    Member names are only compared, never used as paths.
    """
    if not archive.is_file():
        raise _archive_error(
            "not_found", f"Berkas arsip {archive} tidak ada.", f"No archive file at {archive}."
        )
    seen: dict[str, tuple[Path, str]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name not in PART_LIMITS or member.name in seen:
                    raise _archive_error(
                        "unexpected_member",
                        f"Arsip berisi bagian yang tidak dikenal: {member.name!r}.",
                        f"The archive holds an unexpected part: {member.name!r}.",
                    )
                if not member.isfile() or member.size > PART_LIMITS[member.name]:
                    raise _archive_error(
                        "invalid_member",
                        f"Bagian {member.name} bukan berkas biasa atau terlalu besar.",
                        f"Part {member.name} is not a regular file or is too large.",
                    )
                source = tar.extractfile(member)
                assert source is not None
                target = workdir / member.name
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    for chunk in iter(lambda: source.read(1 << 20), b""):  # noqa: B023
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = (target, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise _archive_error(
            "unreadable",
            "Arsip rusak atau bukan .tar.gz.",
            f"The archive is damaged or not a .tar.gz: {error}.",
        ) from error
    missing = sorted(set(PART_LIMITS) - set(seen))
    if missing:
        raise _archive_error(
            "incomplete",
            f"Arsip tidak lengkap, tidak ada: {', '.join(missing)}.",
            f"The archive is incomplete; missing: {', '.join(missing)}.",
        )
    try:
        manifest = json.loads(seen[MANIFEST][0].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _archive_error(
            "invalid_manifest", "Manifes arsip tidak terbaca.", "The manifest is unreadable."
        ) from error
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != ARCHIVE_FORMAT
        or not isinstance(manifest.get("parts"), dict)
    ):
        raise _archive_error(
            "invalid_manifest",
            "Ini bukan arsip ekspor desa Balai.",
            "This is not a Balai village export.",
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _archive_error(
            "unsupported_format",
            f"Versi format arsip {manifest.get('format_version')!r} tidak didukung.",
            f"Archive format version {manifest.get('format_version')!r} is not supported "
            f"(this version reads {FORMAT_VERSION}).",
        )
    for name in (SCHEMA_PART, PUBLIC_PART):
        expected = (manifest["parts"].get(name) or {}).get("sha256")
        if expected != seen[name][1]:
            raise _archive_error(
                "checksum_mismatch",
                f"Checksum {name} tidak cocok: arsip rusak atau telah diubah.",
                f"The sha256 of {name} does not match the manifest: the archive is damaged "
                "or was altered.",
            )
    try:
        public = json.loads(seen[PUBLIC_PART][0].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _archive_error(
            "invalid_public_rows", "Data publik arsip tidak terbaca.", "public.json is unreadable."
        ) from error
    return _UnpackedArchive(
        manifest=manifest,
        public=public,
        schema_sql=seen[SCHEMA_PART][0],
        sha256=_sha256_file(archive),
    )


def _check_manifest_target(manifest: dict) -> tuple[str, str]:
    """The region code and the schema name, both checked; the name derived, not trusted."""
    region_code = str(manifest.get("region_code") or "")
    if not REGION_CODE_PATTERN.match(region_code):
        raise _archive_error(
            "invalid_region_code",
            "Kode wilayah dalam manifes tidak sah.",
            "The manifest's region code is not a village code.",
        )
    schema_name = schema_name_for_region(region_code)
    if manifest.get("schema_name") != schema_name:
        raise _archive_error(
            "schema_name_mismatch",
            f"Nama skema dalam manifes harus {schema_name}.",
            f"The manifest's schema name must be {schema_name} for region {region_code}.",
        )
    fingerprint = migrations_fingerprint()
    if manifest.get("migrations_fingerprint") != fingerprint:
        raise _archive_error(
            "migrations_mismatch",
            "Arsip dibuat dengan versi migrasi skema desa yang berbeda; pemulihan lintas "
            "versi migrasi belum didukung.",
            "The archive was made with different village migrations "
            f"({str(manifest.get('migrations_fingerprint'))[:12]}, here {fingerprint[:12]}); "
            "restoring across migration versions is not supported yet.",
        )
    return region_code, schema_name


_DUMP_HEADER = re.compile(
    r"^-- (?:Data for )?Name: .*; Type: (?P<type>[A-Z ]+); Schema: (?P<schema>[^;]+);"
)
_COPY_LINE = re.compile(r"^COPY [^\n]+ FROM stdin;$")
_SET_LINE = re.compile(r"^SET (\w+) = (.+);$")
_RESTRICT_LINE = re.compile(r"^\\(un)?restrict [A-Za-z0-9]+$")
COPY_CHUNK_BYTES = 1 << 20


def _check_dump_schemas(path: Path, schema_name: str) -> None:
    """Every object in the dump must belong to the village's own schema."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            match = _DUMP_HEADER.match(line)
            if match is None:
                continue
            schema = match.group("schema")
            if schema == "-" and match.group("type") == "SCHEMA":
                if not line.startswith(f"-- Name: {schema_name}; "):
                    raise _archive_error(
                        "foreign_schema",
                        "Dump memuat skema lain.",
                        f"The dump creates a schema other than {schema_name}.",
                    )
            elif schema != schema_name:
                raise _archive_error(
                    "foreign_schema",
                    "Dump memuat objek di luar skema desa ini.",
                    f"The dump holds objects outside {schema_name} (in {schema}).",
                )


def _copy_chunks(lines: Iterator[str]) -> Iterator[str]:
    r"""The data of one COPY block in ~1 MB pieces; stops after its ``\.`` line."""
    chunk: list[str] = []
    size = 0
    for data in lines:
        if data.rstrip("\n") == "\\.":
            yield "".join(chunk)
            return
        chunk.append(data)
        size += len(data)
        if size >= COPY_CHUNK_BYTES:
            yield "".join(chunk)
            chunk, size = [], 0
    raise _archive_error("invalid_dump", "Dump terpotong.", "The dump ends inside a COPY block.")


def _dump_statements(path: Path) -> Iterator[tuple[str, Iterator[str] | None]]:
    r"""Split a plain pg_dump into SQL text and COPY statements with their data.

    Yields ``(sql, None)`` or ``(copy_statement, data_chunks)``; consume the chunks before
    asking for the next item. Session settings become transaction-local (``SET LOCAL``),
    so they end with the restore instead of staying on a pooled connection. Data rows can
    hold any text, but COPY escapes newlines, so ``\.`` alone on a line always ends a block.
    """
    buffer: list[str] = []
    after_data_header = False
    with path.open(encoding="utf-8") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if line.startswith("-- Data for Name: "):
                after_data_header = True
            elif after_data_header and _COPY_LINE.match(line):
                after_data_header = False
                if "".join(buffer).strip():
                    yield "\n".join(buffer), None
                buffer = []
                yield line, _copy_chunks(lines)
                continue
            if _RESTRICT_LINE.match(line):
                continue
            if line.startswith("\\"):
                raise _archive_error(
                    "invalid_dump",
                    "Dump memuat perintah psql yang tidak dikenal.",
                    f"The dump holds an unexpected psql command: {line[:40]!r}.",
                )
            set_line = _SET_LINE.match(line)
            if set_line:
                line = f"SET LOCAL {set_line.group(1)} = {set_line.group(2)};"
            elif line == "SELECT pg_catalog.set_config('search_path', '', false);":
                line = "SELECT pg_catalog.set_config('search_path', '', true);"
            buffer.append(line)
    if "".join(buffer).strip():
        yield "\n".join(buffer), None


def _schema_load(path: Path) -> None:
    """Replay a plain pg_dump on this connection, inside the caller's transaction."""
    try:
        with connection.cursor() as cursor:
            for statement, chunks in _dump_statements(path):
                if chunks is None:
                    cursor.execute(statement)
                    continue
                with cursor.cursor.copy(statement) as copy:  # psycopg's own cursor for COPY
                    for chunk in chunks:
                        copy.write(chunk)
    except (DatabaseError, psycopg.Error) as error:
        raise _archive_error(
            "load_failed",
            "Dump skema gagal dimuat.",
            f"The schema dump failed to load: {str(error).strip()[:500]}",
        ) from error
    finally:
        # The dump cleared search_path for this transaction; the next query sets it again.
        connection.search_path_set_schemas = None


def _restore_user(row: dict) -> tuple[User, bool]:
    """The user with this username, or a new inactive one that cannot log in yet."""
    username = str(row.get("username") or "").strip()
    if not username or len(username) > 150:
        raise _archive_error(
            "invalid_public_rows",
            "Nama pengguna dalam arsip tidak sah.",
            "A membership in the archive has no valid username.",
        )
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(
        username=username,
        email=str(row.get("email") or "")[:254],
        first_name=str(row.get("first_name") or "")[:150],
        last_name=str(row.get("last_name") or "")[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user, True


def _restore_domains(public: dict, *, old_slug: str, slug: str) -> list[dict]:
    domains = []
    for row in public.get("domains") or []:
        domain = str(row.get("domain") or "").lower()
        if domain == village_host(old_slug):
            domain = village_host(slug)
        if not HOST_PATTERN.match(domain):
            raise _archive_error(
                "invalid_public_rows",
                "Domain dalam arsip tidak sah.",
                f"The archive holds an invalid domain {domain[:80]!r}.",
            )
        domains.append({"domain": domain, "is_primary": bool(row.get("is_primary"))})
    if not any(d["domain"] == village_host(slug) for d in domains):
        domains.append({"domain": village_host(slug), "is_primary": not domains})
    return domains


def _check_target_free(*, region_code: str, schema_name: str, slug: str, domains: list[dict]):
    existing = Village.objects.filter(region_id=region_code).first()
    if existing is not None:
        raise BalaiError.single(
            "region_code",
            "region_taken",
            f"Wilayah {region_code} sudah ada sebagai {existing.slug}; hapus dulu untuk "
            "memulihkan.",
            f"Region {region_code} is already onboarded as {existing.slug}; delete it first "
            "to restore this archive.",
            status=409,
        )
    if schema_exists(schema_name):
        raise BalaiError.single(
            "region_code",
            "schema_exists",
            f"Skema {schema_name} sudah ada tanpa desa; periksa basis data.",
            f"Schema {schema_name} exists without a village; inspect the database first.",
            status=409,
        )
    if Village.objects.filter(slug=slug).exists():
        raise BalaiError.single(
            "slug", "slug_taken", f"Slug {slug} sudah dipakai.", f"The slug {slug} is taken.", 409
        )
    taken = Domain.objects.filter(domain__in=[d["domain"] for d in domains]).first()
    if taken is not None:
        raise BalaiError.single(
            "domain",
            "domain_taken",
            f"Domain {taken.domain} sudah dipakai.",
            f"The domain {taken.domain} is already in use.",
            status=409,
        )


def village_restore(*, archive: Path, slug: str | None = None, actor: User | None = None):
    """Recreate a village from an export: its schema, domains and staff, all or nothing.

    Refuses a damaged archive, one made with other village migrations, and a region that
    is already onboarded. ``slug`` gives the village a new subdomain.
    """
    started = time.perf_counter()
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="balai-restore-") as work:
        unpacked = _archive_unpack(archive=archive, workdir=Path(work))
        manifest, public = unpacked.manifest, unpacked.public
        region_code, schema_name = _check_manifest_target(manifest)
        village_row = public.get("village") or {}
        if village_row.get("region_code") != region_code:
            raise _archive_error(
                "region_mismatch",
                "Kode wilayah di data publik tidak cocok dengan manifes.",
                "public.json names another region than the manifest.",
            )
        region = Region.objects.filter(code=region_code).first()
        if region is None or region.level not in VILLAGE_LEVELS:
            raise BalaiError.single(
                "region_code",
                "unknown_region",
                f"Kode wilayah {region_code} tidak dikenal di sini.",
                f"Region {region_code} is not a known village here.",
            )
        old_slug = str(village_row.get("slug") or "")
        slug = (slug or old_slug).strip().lower()
        if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
            raise BalaiError.single(
                "slug",
                "invalid_slug",
                "Slug hanya huruf kecil, angka dan tanda hubung (maks. 63).",
                f"The slug {slug[:70]!r} is not allowed.",
            )
        domains = _restore_domains(public, old_slug=old_slug, slug=slug)
        _check_dump_schemas(unpacked.schema_sql, schema_name)
        status = village_row.get("status") or VillageStatus.ACTIVE
        memberships = public.get("memberships") or []
        if status not in VillageStatus.values or any(
            row.get("role") not in StaffRole.values for row in memberships
        ):
            raise _archive_error(
                "invalid_public_rows",
                "Status desa atau peran staf dalam arsip tidak dikenal.",
                "The archive holds an unknown village status or staff role.",
            )
        created_users: list[str] = []

        # Tenant rows are made from the public schema only (django-tenants insists).
        with schema_context(get_public_schema_name()), transaction.atomic():
            # Two restores of one region queue up here; the second then finds it taken.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    [RESTORE_LOCK_PREFIX + region_code],
                )
            _check_target_free(
                region_code=region_code, schema_name=schema_name, slug=slug, domains=domains
            )
            _schema_load(unpacked.schema_sql)
            village = Village.objects.create(
                schema_name=schema_name,
                region=region,
                slug=slug,
                name=str(village_row.get("name") or region.name)[:120],
                local_term=str(village_row.get("local_term") or "desa")[:30],
                status=status,
                status_reason=str(village_row.get("status_reason") or "")[:300],
                kecamatan_code=region.kecamatan_code,
                kabupaten_code=region.kabupaten_code,
            )
            original_created = parse_datetime(str(village_row.get("created_at") or ""))
            if original_created is not None:
                Village.objects.filter(pk=village.pk).update(created_at=original_created)
            for row in domains:
                Domain.objects.create(tenant=village, **row)
            for row in memberships:
                user, created = _restore_user(row)
                if created:
                    created_users.append(user.username)
                membership_grant(user=user, village=village, role=row["role"])
            PlatformAuditEvent.objects.create(
                actor=actor,
                action="village_restored",
                village_code=region_code,
                detail={
                    "slug": slug,
                    "file": archive.name,
                    "sha256": unpacked.sha256,
                    "exported_at": manifest.get("created_at"),
                    "memberships": len(memberships),
                    "created_inactive_users": created_users,
                },
            )
    routing_cache_clear()
    logger.info(
        "village restored",
        extra={"region_code": region_code, "seconds": round(time.perf_counter() - started, 3)},
    )
    return village


# --- delete ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageDeleted:
    region_code: str
    slug: str
    schema_name: str
    domains: int
    memberships: int


def village_delete(*, village: Village, confirm: str, actor: User | None = None) -> VillageDeleted:
    """Drop a village's schema and rows in one transaction; needs its slug typed back.

    The audit row stays (it names the region, not the village row). Export first: this
    cannot be undone without an archive.
    """
    if confirm not in {village.slug, village.region_id}:
        raise BalaiError.single(
            "confirm",
            "confirmation_mismatch",
            f"Ketik slug desa ({village.slug}) untuk mengonfirmasi penghapusan.",
            f"Type the village's slug ({village.slug}) to confirm the deletion.",
        )
    try:
        with schema_context(get_public_schema_name()), transaction.atomic():
            village = Village.objects.select_for_update().get(pk=village.pk)
            deleted = VillageDeleted(
                region_code=village.region_id,
                slug=village.slug,
                schema_name=village.schema_name,
                domains=Domain.objects.filter(tenant=village).count(),
                memberships=VillageMembership.objects.filter(village=village).count(),
            )
            # DROP SCHEMA is transactional: a failure below brings the schema back.
            schema_drop(village.schema_name)
            village.delete()
            PlatformAuditEvent.objects.create(
                actor=actor,
                action="village_deleted",
                village_code=deleted.region_code,
                detail={
                    "slug": deleted.slug,
                    "schema_name": deleted.schema_name,
                    "domains": deleted.domains,
                    "memberships": deleted.memberships,
                },
            )
    except (ProtectedError, RestrictedError) as error:
        raise BalaiError.single(
            "village",
            "still_referenced",
            "Desa masih dirujuk oleh data lain dan tidak dapat dihapus.",
            f"The village is still referenced and cannot be deleted: {error.args[0]}",
            status=409,
        ) from error
    routing_cache_clear()
    logger.info("village deleted", extra={"region_code": deleted.region_code})
    return deleted


# --- export jobs -------------------------------------------------------------------------
# A job's state lives in the cache for a week: it is a progress note for the admin who
# asked; the lasting record of an export is its audit row.


def _job_key(job_id: str) -> str:
    return f"offboarding:export-job:{job_id}"


def export_job_create(*, village: Village, actor: User | None = None) -> dict:
    job = {
        "id": uuid.uuid4().hex,
        "status": "queued",
        "village_id": village.pk,
        "slug": village.slug,
        "region_code": village.region_id,
        "actor_id": actor.pk if actor is not None else None,
        "file": "",
        "bytes": 0,
        "sha256": "",
        "error": "",
    }
    cache.set(_job_key(job["id"]), job, EXPORT_JOB_TTL)
    return job


def export_job_get(*, job_id: str) -> dict | None:
    if not re.fullmatch(r"[0-9a-f]{32}", job_id or ""):
        return None
    return cache.get(_job_key(job_id))


def export_job_run(*, job_id: str) -> dict | None:
    """Run a queued export job once; a redelivery of a finished job does nothing."""
    job = export_job_get(job_id=job_id)
    if job is None or job["status"] == "finished":
        return job
    job["status"] = "running"
    cache.set(_job_key(job_id), job, EXPORT_JOB_TTL)
    village = Village.objects.filter(pk=job["village_id"]).first()
    actor = User.objects.filter(pk=job["actor_id"]).first() if job["actor_id"] else None
    try:
        if village is None:
            raise BalaiError.single(
                "village", "not_found", "Desa tidak ditemukan.", "The village no longer exists."
            )
        path = village_export(village=village, actor=actor)
    except BalaiError as error:
        job.update(status="failed", error=str(error))
    except Exception:
        # Record the failure for the admin watching the job, then let Celery see it.
        job.update(status="failed", error="internal error; see the worker log")
        cache.set(_job_key(job_id), job, EXPORT_JOB_TTL)
        raise
    else:
        job.update(
            status="finished", file=path.name, bytes=path.stat().st_size, sha256=_sha256_file(path)
        )
    cache.set(_job_key(job_id), job, EXPORT_JOB_TTL)
    return job


def export_file_move(*, path: Path, output: Path) -> Path:
    """Move a finished archive where an operator asked for it (``--output``)."""
    output = Path(output)
    if output.is_dir():
        output = output / path.name
    shutil.move(str(path), str(output))
    return output
