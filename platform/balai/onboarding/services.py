"""Onboarding villages: one service function behind the command, the API and the admin.

``village_onboard`` is idempotent (the same village twice returns the existing one) and
atomic: the schema (renamed from the pool or replayed from the template), the tenant row,
its domain, its seeded defaults and its first admin are made in one transaction, so a
failure midway leaves neither an orphan schema nor a village row without its schema.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User
from balai.accounts.services import membership_grant, user_get_or_create
from balai.errors import BalaiError, FieldError
from balai.onboarding.models import BulkOnboardingJob, PlatformAuditEvent
from balai.regions.models import VILLAGE_LEVELS, Region
from services.village.services import village_defaults_seed
from tenants.models import Domain, Village
from tenants.provisioning import (
    REGION_CODE_PATTERN,
    schema_name_for_region,
    schema_provision,
    template_get_or_build,
)
from tenants.routing import routing_cache_clear, village_host

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = {
    "www",
    "api",
    "admin",
    "static",
    "media",
    "mail",
    "smtp",
    "app",
    "balai",
    "public",
    "status",
    "help",
    "docs",
    "bulk",  # /api/platform/villages/bulk/ would shadow a village of that slug
}
# Advisory lock classes (pg_advisory_xact_lock(class, key)) for onboarding.
REGION_LOCK = 0x6261_6C63
SLUG_LOCK = 0x6261_6C64
LOCAL_TERMS = {"desa", "kampung", "nagari", "gampong", "lembang", "kelurahan", "pekon", "tiyuh"}
BULK_COLUMNS = [
    "region_code",
    "slug",
    "name",
    "local_term",
    "admin_username",
    "admin_email",
    "admin_password",
]


@dataclass
class OnboardingResult:
    village: Village
    created: bool
    schema_method: str = ""
    admin: User | None = None
    admin_password: str | None = None
    seconds: float = 0.0
    host: str = field(default="")


def _validate(
    region_code: str, slug: str, local_term: str
) -> tuple[Region | None, list[FieldError]]:
    errors: list[FieldError] = []
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is not None and region.level not in VILLAGE_LEVELS:
        # A kecamatan or kabupaten code is a common slip: say so rather than "bad format".
        errors.append(
            FieldError(
                "region_code",
                "not_a_village",
                f"Kode wilayah {region_code} adalah {region.level}, bukan desa/kelurahan.",
                f"Region code {region_code} is a {region.level}, not a desa/kelurahan.",
            )
        )
        region = None
    elif not REGION_CODE_PATTERN.match(region_code):
        errors.append(
            FieldError(
                "region_code",
                "invalid_format",
                "Kode wilayah harus berbentuk PP.KK.CC.VVVV.",
                "The region code must look like PP.KK.CC.VVVV.",
            )
        )
    elif region is None:
        errors.append(
            FieldError(
                "region_code",
                "unknown_region",
                f"Kode wilayah {region_code} tidak dikenal.",
                f"Unknown region code {region_code}.",
            )
        )
    if not SLUG_PATTERN.match(slug):
        errors.append(
            FieldError(
                "slug",
                "invalid_slug",
                "Slug hanya huruf kecil, angka dan tanda hubung (maks. 63).",
                "The slug takes lower-case letters, digits and hyphens (at most 63).",
            )
        )
    elif slug in RESERVED_SLUGS:
        errors.append(
            FieldError(
                "slug",
                "reserved_slug",
                f"Slug {slug} dicadangkan.",
                f"The slug {slug} is reserved.",
            )
        )
    if local_term not in LOCAL_TERMS:
        errors.append(
            FieldError(
                "local_term",
                "invalid_local_term",
                "Sebutan desa tidak dikenal.",
                f"Unknown local term; use one of {sorted(LOCAL_TERMS)}.",
            )
        )
    return region, errors


def _lock_region_and_slug(region_code: str, slug: str) -> None:
    """Serialise onboardings of one region or one slug until the transaction ends.

    Without it two onboardings of the same village (a retried job, a double submit) both
    pass the existence checks below, and the second dies on the schema or slug unique
    index with a 500. Waiting here, the second sees the first's committed village and
    answers "exists" (or 409). Region before slug, always, so two onboardings never wait
    on each other in a cycle.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [REGION_LOCK, region_code])
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [SLUG_LOCK, slug])


def village_onboard(
    *,
    region_code: str,
    slug: str,
    name: str = "",
    admin_username: str,
    admin_email: str = "",
    admin_password: str = "",
    admin_role: str = StaffRole.KEPALA_DESA,
    local_term: str = "desa",
    dusun_names: list[str] | None = None,
    actor: User | None = None,
) -> OnboardingResult:
    """Onboard one village, or return it unchanged if this exact village is already on."""
    started = time.perf_counter()
    region_code = (region_code or "").strip()
    # Refused rather than silently lower-cased: the host made from it must be the one asked for.
    slug = (slug or "").strip()
    local_term = (local_term or "desa").strip().lower()
    region, errors = _validate(region_code, slug, local_term)
    if errors:
        raise BalaiError(errors=errors)
    assert region is not None

    if not connection.in_atomic_block:
        # Built (once per migration state) before the transaction: pg_dump must see it.
        template_get_or_build()
    with transaction.atomic():
        _lock_region_and_slug(region_code, slug)
        existing = Village.objects.select_for_update().filter(region_id=region_code).first()
        if existing is not None:
            if existing.slug != slug:
                raise BalaiError.single(
                    "region_code",
                    "region_taken",
                    f"Wilayah {region_code} sudah dipakai oleh {existing.slug}.",
                    f"Region {region_code} is already onboarded as {existing.slug}.",
                    status=409,
                )
            # Already on: nothing changes, not even the staff. Granting a role to whoever the
            # repeated request names would let a retry hand a village to another person.
            return OnboardingResult(
                village=existing,
                created=False,
                host=village_host(slug),
                seconds=time.perf_counter() - started,
            )
        if (
            Village.objects.filter(slug=slug).exists()
            or Domain.objects.filter(domain=village_host(slug)).exists()
        ):
            raise BalaiError.single(
                "slug",
                "slug_taken",
                f"Slug {slug} sudah dipakai.",
                f"The slug {slug} is already taken.",
                status=409,
            )

        schema_name = schema_name_for_region(region_code)
        method = schema_provision(schema_name)
        village = Village.objects.create(
            schema_name=schema_name,
            region=region,
            slug=slug,
            name=name or region.name,
            local_term=local_term,
            kecamatan_code=region.kecamatan_code,
            kabupaten_code=region.kabupaten_code,
        )
        Domain.objects.create(domain=village_host(slug), tenant=village, is_primary=True)
        with schema_context(schema_name):
            village_defaults_seed(
                name=village.name,
                region_code=region_code,
                local_term=local_term,
                dusun_names=dusun_names,
            )
        admin, password = user_get_or_create(
            username=admin_username, email=admin_email, password=admin_password
        )
        membership_grant(user=admin, village=village, role=admin_role)
        PlatformAuditEvent.objects.create(
            actor=actor,
            action="village_onboarded",
            village_code=region_code,
            detail={"slug": slug, "schema_method": method},
        )
        transaction.on_commit(_after_onboarding)
    routing_cache_clear()
    seconds = time.perf_counter() - started
    logger.info(
        "village onboarded",
        extra={"region_code": region_code, "method": method, "seconds": round(seconds, 3)},
    )
    return OnboardingResult(
        village=village,
        created=True,
        schema_method=method,
        admin=admin,
        admin_password=password,
        seconds=seconds,
        host=village_host(slug),
    )


def _after_onboarding() -> None:
    """Top the schema pool up again in a worker; the beat schedule catches up if Redis is down."""
    from tenants.tasks import refill_schema_pool  # tasks import services: avoid the cycle

    if settings.BALAI_SCHEMA_POOL_SIZE <= 0:
        return
    try:
        refill_schema_pool.delay()
    except Exception as error:  # noqa: BLE001 - a broker outage must not fail onboarding
        logger.warning("could not queue the schema pool refill", extra={"error": str(error)})


def parse_bulk_csv(text: str) -> list[dict[str, str]]:
    """Rows of a bulk onboarding CSV; raises BalaiError naming a missing column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("region_code", "slug", "admin_username") if c not in columns]
    if missing:
        raise BalaiError.single(
            "file",
            "missing_columns",
            f"Kolom wajib tidak ada: {', '.join(missing)}.",
            f"Required columns missing: {', '.join(missing)}.",
        )
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def villages_onboard_bulk(
    *, rows: list[dict[str, str]], actor: User | None = None, progress=None
) -> list[dict]:
    """Onboard each row in its own transaction; return one result per row (row 2 = first)."""
    results = []
    for index, row in enumerate(rows):
        line = index + 2
        try:
            result = village_onboard(
                region_code=row.get("region_code", ""),
                slug=row.get("slug", ""),
                name=row.get("name", ""),
                local_term=row.get("local_term") or "desa",
                admin_username=row.get("admin_username", ""),
                admin_email=row.get("admin_email", ""),
                admin_password=row.get("admin_password", ""),
                actor=actor,
            )
        except BalaiError as error:
            results.append(
                {
                    "row": line,
                    "region_code": row.get("region_code", ""),
                    "slug": row.get("slug", ""),
                    "status": "error",
                    "errors": [e.as_dict() for e in error.errors],
                }
            )
        else:
            results.append(
                {
                    "row": line,
                    "region_code": result.village.region_id,
                    "slug": result.village.slug,
                    "status": "created" if result.created else "exists",
                    "host": result.host,
                    "errors": [],
                }
            )
        if progress is not None:
            progress(index + 1, len(rows))
    return results


MAX_BULK_BYTES = 2 * 1024 * 1024


def bulk_onboarding_start(*, content: bytes, actor: User | None) -> BulkOnboardingJob:
    """Check a bulk onboarding CSV and queue it for a worker; the job reports each row."""
    # The task imports this module: imported here to break that cycle.
    from balai.onboarding.tasks import onboard_villages_bulk

    if len(content) > MAX_BULK_BYTES:
        raise BalaiError.single(
            "file",
            "too_large",
            "Berkas terlalu besar (maks. 2 MB).",
            "The file is too large (at most 2 MB).",
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BalaiError.single(
            "file", "not_utf8", "Berkas harus CSV UTF-8.", "The file must be UTF-8 CSV."
        ) from error
    rows = parse_bulk_csv(text)
    with transaction.atomic():
        job = BulkOnboardingJob.objects.create(created_by=actor, csv_text=text, total=len(rows))
        # After commit: the worker must find the job row it is handed.
        transaction.on_commit(lambda: onboard_villages_bulk.delay(job.pk))
    return job
