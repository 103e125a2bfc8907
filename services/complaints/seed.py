"""Default complaint categories of a new village, with their target times.

Targets follow the national channel LAPOR! SP4N (verified within 3 working days, answered
within 5) for administrative matters, and are longer for physical works.
"""

from __future__ import annotations

from django.db import transaction

from services.complaints.models import ComplaintCategory, ComplaintSettings

DAY = 24

_ROAD_DAMAGE = {
    "variable": True,
    "code": "tingkat_kerusakan",
    "datatype": "singlevaluelist",
    "required": True,
    "datatype_description": "",
    "order": 1,
    "description": "Tingkat kerusakan",
    "values": [
        {"key": "ringan", "name": "Ringan"},
        {"key": "sedang", "name": "Sedang"},
        {"key": "berat", "name": "Berat (tidak bisa dilalui)"},
    ],
}
_AID_PROGRAMME = {
    "variable": True,
    "code": "program",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": "",
    "order": 1,
    "description": "Program bantuan",
    "values": [
        {"key": "pkh", "name": "PKH"},
        {"key": "blt_dd", "name": "BLT Dana Desa"},
        {"key": "bpnt", "name": "BPNT / Sembako"},
        {"key": "lainnya", "name": "Lainnya"},
    ],
}

DEFAULT_CATEGORIES = [
    # code, name, English name, group, target hours, attributes
    ("jalan", "Jalan dan jembatan", "Roads and bridges", "Infrastruktur", 14 * DAY, [_ROAD_DAMAGE]),
    ("air-bersih", "Air bersih", "Clean water", "Infrastruktur", 3 * DAY, []),
    ("penerangan", "Penerangan jalan", "Street lighting", "Infrastruktur", 7 * DAY, []),
    ("sampah", "Kebersihan dan sampah", "Waste and cleanliness", "Lingkungan", 3 * DAY, []),
    ("bantuan-sosial", "Bantuan sosial", "Social assistance", "Sosial", 5 * DAY, [_AID_PROGRAMME]),
    ("layanan", "Pelayanan administrasi", "Administrative services", "Layanan", 5 * DAY, []),
    ("keamanan", "Keamanan dan ketertiban", "Safety and order", "Lingkungan", 2 * DAY, []),
    ("lainnya", "Lainnya", "Other", "Lainnya", 5 * DAY, []),
]


@transaction.atomic
def complaints_defaults_seed() -> None:
    """Seed the categories and settings of a new village. Safe to run twice; keeps edits."""
    ComplaintSettings.objects.get_or_create(id=1)
    for order, (code, name, name_en, group, hours, attributes) in enumerate(DEFAULT_CATEGORIES):
        ComplaintCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "target_hours": hours,
                "attributes": attributes,
                "order": order,
            },
        )
