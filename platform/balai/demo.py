"""Demo data: the villages of Kecamatan Negara Batin, Way Kanan, with staff and residents.

Made through the same service functions as production onboarding, so the demo exercises
the real paths. Safe to run again: every step is idempotent.
"""

from __future__ import annotations

import datetime
import random
import re

from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole
from balai.accounts.services import membership_grant, supervisor_assign, user_get_or_create
from balai.onboarding.services import village_onboard
from balai.regions.models import Region
from services.residents.models import Resident
from services.residents.services import resident_account_set_pin

DEMO_KECAMATAN = "18.08.11"  # Negara Batin, Kabupaten Way Kanan, Lampung
DEMO_PASSWORD = "balai-demo-2026"  # noqa: S105 - printed demo credentials
DEMO_PIN = "123456"
FIRST_NAMES_F = ["Siti", "Sri", "Dewi", "Nur", "Rina", "Wati", "Ani", "Lestari"]
FIRST_NAMES_M = ["Budi", "Agus", "Joko", "Slamet", "Hendra", "Rudi", "Wahyu", "Bambang"]
LAST_NAMES = ["Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Kusuma"]


def slug_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _nik(region_code: str, birth: datetime.date, female: bool, serial: int) -> str:
    kecamatan = region_code.replace(".", "")[:6]
    day = birth.day + (40 if female else 0)
    return f"{kecamatan}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def demo_seed(*, residents_per_village: int = 20, port: str = "8000", log=print) -> list[dict]:
    """Onboard every village of the demo kecamatan with staff, residents and supervisors."""
    admin, _ = user_get_or_create(username="admin", password=DEMO_PASSWORD, is_platform_admin=True)
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    camat, _ = user_get_or_create(
        username="camat", password=DEMO_PASSWORD, first_name="Camat Negara Batin"
    )
    supervisor_assign(user=camat, region_code=DEMO_KECAMATAN)
    bupati, _ = user_get_or_create(
        username="bupati", password=DEMO_PASSWORD, first_name="Bupati Way Kanan"
    )
    supervisor_assign(user=bupati, region_code=DEMO_KECAMATAN.rsplit(".", 1)[0])

    rows = []
    villages = Region.objects.filter(parent_id=DEMO_KECAMATAN).order_by("code")
    for index, region in enumerate(villages):
        slug = slug_for(region.name)
        result = village_onboard(
            region_code=region.code,
            slug=slug,
            name=region.name,
            local_term="kampung",
            admin_username=f"kakam-{slug}",
            admin_password=DEMO_PASSWORD,
        )
        operator, _ = user_get_or_create(username=f"operator-{slug}", password=DEMO_PASSWORD)
        membership_grant(user=operator, village=result.village, role=StaffRole.OPERATOR)
        _seed_residents(result.village, residents_per_village, seed=index)
        rows.append(
            {
                "name": region.name,
                "host": result.host,
                "created": result.created,
                "seconds": result.seconds,
            }
        )
        log(
            f"  {region.code} {region.name:<16} http://{result.host}:{port}/ "
            f"({'onboarded' if result.created else 'already there'})"
        )
    return rows


def _seed_residents(village, count: int, *, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    with schema_context(village.schema_name):
        if Resident.objects.exists():
            return
        people = []
        for serial in range(1, count + 1):
            female = rng.random() < 0.5
            birth = datetime.date(rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28))
            first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            people.append(
                Resident(
                    nik=_nik(village.region_id, birth, female, serial),
                    full_name=f"{first} {rng.choice(LAST_NAMES)}",
                    birth_date=birth,
                    sex="P" if female else "L",
                )
            )
        Resident.objects.bulk_create(people)
        first_resident = Resident.objects.order_by("id").first()
        resident_account_set_pin(resident=first_resident, pin=DEMO_PIN)
