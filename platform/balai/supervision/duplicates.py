"""The duplicate-NIK report: the same person registered in several villages of a region.

Read from the public NikFingerprint index (keyed hashes, masked NIKs, village codes), so
no village schema is read and no resident data leaves one. Bounded by the supervisor's
regions like every supervisor read.
"""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Q, QuerySet

from balai.accounts.models import User
from balai.accounts.selectors import region_is_supervised, supervisor_region_codes
from balai.errors import BalaiError
from balai.supervision.models import NikFingerprint


def _fingerprints_under(code: str) -> Q:
    depth = code.count(".") + 1
    if depth == 3:
        return Q(kecamatan_code=code)
    if depth == 2:
        return Q(kabupaten_code=code)
    if depth == 1:
        return Q(kabupaten_code__startswith=code + ".")
    return Q(village_code=code)


def duplicate_nik_groups(*, user: User, region_code: str | None = None) -> QuerySet:
    """Groups of villages in the user's regions that register the same NIK.

    Only villages inside the scope count: a NIK shared with a village outside it is not
    the supervisor's to see (nor is that village's name). ``region_code`` narrows the scope
    to one region inside it (a kecamatan of a kabupaten supervisor); a region outside the
    scope is "not found", as in balai.supervision.selectors.
    """
    codes = supervisor_region_codes(user=user)
    if region_code:
        if not region_is_supervised(user=user, region_code=region_code):
            raise BalaiError.single(
                "region", "not_found", "Wilayah tidak ditemukan.", "Region not found.", status=404
            )
        codes = [region_code]
    if not codes:
        return NikFingerprint.objects.none().values("nik_hash")
    scope = Q()
    for code in codes:
        scope |= _fingerprints_under(code)
    return (
        NikFingerprint.objects.filter(scope)
        .values("nik_hash")
        .annotate(
            village_count=Count("village_code", distinct=True),
            masked_nik=Max("masked_nik"),
            village_codes=ArrayAgg("village_code", distinct=True, ordering="village_code"),
        )
        .filter(village_count__gt=1)
        .order_by("-village_count", "nik_hash")
    )
