"""Village lifecycle after onboarding: suspend, reactivate."""

from __future__ import annotations

from django.db import transaction

from balai.errors import BalaiError
from balai.onboarding.models import PlatformAuditEvent
from tenants.models import Village, VillageStatus
from tenants.routing import routing_cache_clear


def _set_status(*, village: Village, status: str, reason: str, actor, action: str) -> Village:
    with transaction.atomic():
        village = Village.objects.select_for_update().get(pk=village.pk)
        if village.status != status:
            village.status = status
            village.status_reason = reason
            village.save(update_fields=["status", "status_reason", "updated_at"])
            PlatformAuditEvent.objects.create(
                actor=actor,
                action=action,
                village_code=village.region_id,
                detail={"reason": reason},
            )
    routing_cache_clear()
    return village


def village_suspend(*, village: Village, reason: str, actor=None) -> Village:
    reason = (reason or "").strip()
    if not reason:
        raise BalaiError.single(
            "reason",
            "required",
            "Alasan penangguhan wajib diisi.",
            "A reason for the suspension is required.",
        )
    return _set_status(
        village=village,
        status=VillageStatus.SUSPENDED,
        reason=reason[:300],
        actor=actor,
        action="village_suspended",
    )


def village_reactivate(*, village: Village, actor=None) -> Village:
    return _set_status(
        village=village,
        status=VillageStatus.ACTIVE,
        reason="",
        actor=actor,
        action="village_reactivated",
    )
