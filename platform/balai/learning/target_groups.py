"""Who a programme is for: the target group enforced at registration, for village and
kecamatan programmes alike.

The village side describes the resident as a :class:`Person` (from its register); the
kecamatan side never reads a village schema, so the village host builds the Person before
calling it. The age bounds come from the law that names each group:
- pemuda: 16 to 30 years old (UU 40/2009 tentang Kepemudaan, Pasal 1 angka 1);
- lansia: 60 years or older (UU 13/1998 tentang Kesejahteraan Lanjut Usia, Pasal 1 angka 2).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from balai.errors import BalaiError
from balai.learning.models import TargetGroup

YOUTH_AGES = (16, 30)
ELDERLY_FROM = 60
# Occupations of the register (services.residents.reference.Occupation) that count.
UMKM_OCCUPATIONS = frozenset({"wiraswasta", "perdagangan"})
STAFF_OCCUPATIONS = frozenset({"perangkat_desa", "kepala_desa"})


@dataclass(frozen=True)
class Person:
    sex: str  # "L" or "P"
    birth_date: datetime.date | None
    occupation: str = ""
    owns_business: bool = False  # an UMKM of the village register, not rejected


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _refused(code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single("target_group", code, message, message_en, status=400)


def target_group_check(*, target_group: str, person: Person, on_date: datetime.date) -> None:
    """Refuse, naming ``target_group``, a person outside the programme's group (ages are
    counted on the programme's first day)."""
    if target_group == TargetGroup.WOMEN and person.sex != "P":
        raise _refused(
            "target_group_women",
            "Program ini khusus untuk perempuan.",
            "This programme is for women only.",
        )
    if target_group in (TargetGroup.YOUTH, TargetGroup.ELDERLY):
        if person.birth_date is None:
            raise _refused(
                "target_group_age_unknown",
                "Tanggal lahir warga belum tercatat; usia untuk program ini tidak bisa "
                "diperiksa. Hubungi kantor desa.",
                "The resident's birth date is not recorded, so the age this programme "
                "requires cannot be checked. Contact the village office.",
            )
        age = age_on(person.birth_date, on_date)
        low, high = YOUTH_AGES
        if target_group == TargetGroup.YOUTH and not low <= age <= high:
            raise _refused(
                "target_group_youth",
                f"Program ini untuk pemuda berusia {low}–{high} tahun.",
                f"This programme is for young people aged {low} to {high}.",
            )
        if target_group == TargetGroup.ELDERLY and age < ELDERLY_FROM:
            raise _refused(
                "target_group_elderly",
                f"Program ini untuk lansia berusia {ELDERLY_FROM} tahun ke atas.",
                f"This programme is for older people aged {ELDERLY_FROM} and over.",
            )
    if target_group == TargetGroup.UMKM and not (
        person.owns_business or person.occupation in UMKM_OCCUPATIONS
    ):
        raise _refused(
            "target_group_umkm",
            "Program ini untuk pelaku UMKM: warga yang usahanya terdaftar di UMKM desa atau "
            "yang pekerjaannya wiraswasta/perdagangan.",
            "This programme is for UMKM owners: residents with a business in the village's "
            "UMKM register or whose occupation is self-employed/trade.",
        )
    if target_group == TargetGroup.STAFF and person.occupation not in STAFF_OCCUPATIONS:
        raise _refused(
            "target_group_staff",
            "Program ini untuk perangkat desa (pekerjaan di data penduduk: perangkat desa "
            "atau kepala desa).",
            "This programme is for village officials (occupation in the register: village "
            "official or village head).",
        )
