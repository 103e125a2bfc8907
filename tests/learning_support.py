"""Test helpers of Smart People shared by the API and page tests: a kecamatan programme on the
public schema, and the registrations of a village programme read from its schema."""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from balai.learning.models import KecamatanProgramme
from services.programmes.models import Registration


def make_kecamatan_programme(kecamatan_code="18.08.11", **fields) -> KecamatanProgramme:
    """An open programme of the kecamatan, five days ahead, two seats, for everyone."""
    start = timezone.now() + datetime.timedelta(days=5)
    values = {
        "title": "Pelatihan admin media sosial kampung",
        "place": "Aula kecamatan",
        "capacity": 2,
        "target_group": "semua",
        "status": "open",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=4),
    }
    values.update(fields)
    return KecamatanProgramme.objects.create(kecamatan_code=kecamatan_code, **values)


def registrations_of(village, programme) -> list[tuple[int, str]]:
    """(resident id, status) of the programme's registrations, oldest first."""
    with tenant_context(village):
        rows = list(
            Registration.objects.filter(programme=programme)
            .order_by("created_at", "id")
            .values_list("resident_id", "status")
        )
    connection.set_schema_to_public()
    return rows
