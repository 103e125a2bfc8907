"""Keeping the public duplicate-NIK index (NikFingerprint) in step with village registers.

Called from a village's resident services inside their transaction: the public schema is
on the search_path of a village connection, so the index row commits with the change.
Only real NIKs of people currently in the register are indexed; temporary identifiers
(0-prefixed) are village-local and people who died or moved away are not duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from balai.supervision.models import NikFingerprint
from services.residents.models import Resident
from services.residents.reference import ResidentStatus


def nik_hash(nik: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def nik_mask(nik: str) -> str:
    """1808**********01: the region part and the last two digits, nothing that dates a person."""
    return nik[:4] + "*" * 10 + nik[-2:]


def _indexable(nik: str) -> bool:
    return len(nik) == 16 and nik.isdigit() and not nik.startswith("0")


def _current_village_code() -> str:
    tenant = getattr(connection, "tenant", None)
    code = getattr(tenant, "region_id", None)
    if code is None:
        # schema_context() sets a FakeTenant without the region: derive it from the name.
        from tenants.models import Village

        code = Village.objects.filter(schema_name=connection.schema_name).values_list(
            "region_id", flat=True
        )[0]
    return code


def nik_index_add(*, niks: Iterable[str], village_code: str | None = None) -> int:
    """Index these NIKs for the current village (or ``village_code``). Idempotent."""
    code = village_code or _current_village_code()
    rows = [
        NikFingerprint(
            nik_hash=nik_hash(nik),
            masked_nik=nik_mask(nik),
            village_code=code,
            kecamatan_code=code[:8],
            kabupaten_code=code[:5],
        )
        for nik in set(niks)
        if _indexable(nik)
    ]
    # ON CONFLICT DO NOTHING: re-imports and retries add nothing twice.
    NikFingerprint.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def nik_index_remove(*, niks: Iterable[str], village_code: str | None = None) -> int:
    code = village_code or _current_village_code()
    hashes = [nik_hash(nik) for nik in set(niks) if _indexable(nik)]
    if not hashes:
        return 0
    deleted, _ = NikFingerprint.objects.filter(village_code=code, nik_hash__in=hashes).delete()
    return deleted


def nik_index_rebuild(*, village_code: str | None = None) -> int:
    """Make the current village's index rows match its register exactly.

    For after a bulk import that wrote residents directly, or after SECRET_KEY changed
    (every hash changes with it). Run inside a transaction with the village schema active.
    """
    code = village_code or _current_village_code()
    niks = Resident.objects.filter(status=ResidentStatus.ALIVE).values_list("nik", flat=True)
    NikFingerprint.objects.filter(village_code=code).delete()
    return nik_index_add(niks=niks.iterator(chunk_size=5000), village_code=code)
