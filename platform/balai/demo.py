"""Demo data: the villages of Kecamatan Negara Batin, Way Kanan, with staff, families and,
in the first few, the letters, news, budget, complaints and businesses of a village in use.

Made through the same service functions as production onboarding, so the demo exercises
the real paths. Safe to run again: every step is idempotent.
"""

from __future__ import annotations

import datetime
import random
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User
from balai.accounts.services import membership_grant, supervisor_assign, user_get_or_create
from balai.onboarding.services import village_onboard
from balai.regions.models import Region
from services.budget.models import Bidang, BudgetYear, IncomeSource, LineKind
from services.budget.services import LineInput, budget_import
from services.complaints.models import Complaint
from services.complaints.services import complaint_file, complaint_status_change
from services.economy.models import BumdesUnit, Business
from services.economy.services import (
    bumdes_save,
    bumdes_unit_create,
    business_register,
    business_submit,
    business_verify,
    product_create,
)
from services.letters.models import Letter
from services.letters.services import letter_request, letter_sign, letter_transition
from services.news.models import Article, ArticleKind, ArticleStatus
from services.news.services import article_create
from services.programmes.models import Programme
from services.programmes.services import programme_create, registration_create
from services.residents.models import Resident
from services.residents.reference import FamilyRelation, ResidentStatus
from services.residents.services import (
    family_create,
    resident_account_set_pin,
    resident_create,
    resident_record_birth,
    resident_record_death,
)
from services.village.models import AreaLevel, Official, VillageProfile
from services.village.services import area_create, official_create, village_profile_update

DEMO_KECAMATAN = "18.08.11"  # Negara Batin, Kabupaten Way Kanan, Lampung
DEMO_PASSWORD = "balai-demo-2026"  # noqa: S105 - printed demo credentials
DEMO_PIN = "123456"
RICH_VILLAGES = 3  # villages that also get letters, news, budget, complaints, UMKM ...
MILLION = Decimal(1_000_000)
REGISTERED_ON = datetime.date(2025, 1, 15)  # the demo's pendataan (first registration) day
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
    """Onboard every village of the demo kecamatan with staff, families and supervisors;
    the first RICH_VILLAGES villages also get letters, news, a budget, complaints, a UMKM,
    a BUMDes and a programme."""
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
        kakam = User.objects.get(username=f"kakam-{slug}")
        with schema_context(result.village.schema_name):
            _seed_register(result.village, residents_per_village, seed=index, actor=operator)
            if index < RICH_VILLAGES:
                _seed_village_life(region.name, seed=index, operator=operator, kakam=kakam)
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


def _person(
    rng: random.Random, *, female: bool, born_from: int, born_to: int, taken: set[str]
) -> dict:
    birth = datetime.date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
    names = [n for n in (FIRST_NAMES_F if female else FIRST_NAMES_M) if n not in taken]
    first = rng.choice(names)
    taken.add(first)
    return {"female": female, "birth_date": birth, "first": first}


def _seed_areas() -> list:
    """Two dusun, one RW each, two RT per RW: the RTs, in order."""
    rts = []
    for dusun_name in ("Dusun I", "Dusun II"):
        dusun = area_create(level=AreaLevel.DUSUN, name=dusun_name)
        rw = area_create(level=AreaLevel.RW, name="001", parent_id=dusun.pk)
        for rt_name in ("001", "002"):
            rts.append(area_create(level=AreaLevel.RT, name=rt_name, parent_id=rw.pk))
    return rts


def _seed_register(village, count: int, *, seed: int, actor) -> None:
    """Families (KK) of a couple and their children, registered by the operator.

    Everyone goes through resident_create, so each person has a pendataan event, an audit
    row and an entry in the kecamatan's duplicate-NIK index, as with a real clerk.
    """
    if Resident.objects.exists():
        return
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    kecamatan = village.region_id.replace(".", "")[:6]
    serial = 0
    family_serial = 0
    first_resident = None
    with transaction.atomic():
        rts = _seed_areas()
        while serial < count:
            family_serial += 1
            surname = rng.choice(LAST_NAMES)
            kk = f"{kecamatan}{REGISTERED_ON:%d%m%y}{family_serial:04d}"
            rt = rts[family_serial % len(rts)]
            family = family_create(
                actor=actor, kk_number=kk, rt=rt, address=f"Jalan Poros No. {family_serial}"
            )
            taken: set[str] = set()
            head = _person(rng, female=False, born_from=1955, born_to=1988, taken=taken)
            wife = _person(rng, female=True, born_from=1958, born_to=1992, taken=taken)
            members = [(FamilyRelation.HEAD, head), (FamilyRelation.WIFE, wife)]
            # Children born while their mother was 20 to 40, and none after 2022.
            mother_born = wife["birth_date"].year
            for _ in range(rng.randint(0, 3)):
                child = _person(
                    rng,
                    female=rng.random() < 0.5,
                    born_from=mother_born + 20,
                    born_to=min(mother_born + 40, 2022),
                    taken=taken,
                )
                members.append((FamilyRelation.CHILD, child))
            for relation, person in members[: count - serial]:
                serial += 1
                resident = resident_create(
                    actor=actor,
                    data={
                        "nik": _nik(
                            village.region_id, person["birth_date"], person["female"], serial
                        ),
                        "full_name": f"{person['first']} {surname}",
                        "birth_date": person["birth_date"],
                        "birth_place": "Way Kanan",
                        "sex": "P" if person["female"] else "L",
                        "family": family,
                        "family_relation": relation,
                        "address": family.address,
                        "rt": rt,
                    },
                    arrival_date=REGISTERED_ON,
                )
                first_resident = first_resident or resident
        # A baby born a month ago to the youngest mother, and the oldest head's death: the
        # statistics and the population history then show more than registrations.
        mother = Resident.objects.filter(family_relation=FamilyRelation.WIFE).order_by(
            "-birth_date"
        )[0]
        family = mother.family
        born = timezone.localdate() - datetime.timedelta(days=30 + seed)
        serial += 1
        resident_record_birth(
            actor=actor,
            data={
                "nik": _nik(village.region_id, born, True, serial),
                "full_name": f"Putri {family.head.full_name.split()[-1]}",
                "birth_date": born,
                "birth_place": "Way Kanan",
                "sex": "P",
                "family": family,
                "family_relation": FamilyRelation.CHILD,
                "address": family.address,
                "rt": family.rt,
            },
        )
        eldest = (
            Resident.objects.filter(family_relation=FamilyRelation.HEAD)
            .exclude(pk=first_resident.pk)
            .order_by("birth_date")
            .first()
        )
        if eldest is not None:
            resident_record_death(
                actor=actor,
                resident=eldest,
                event_date=REGISTERED_ON + datetime.timedelta(days=200),
                note="Meninggal di rumah",
            )
        resident_account_set_pin(resident=first_resident, pin=DEMO_PIN)


def _seed_village_life(name: str, *, seed: int, operator, kakam) -> None:
    """What a visitor should find in a village that has used Balai for a while.

    Each part is skipped once it exists, so a second run adds nothing and keeps whatever
    a visitor changed in the demo since.
    """
    alive = list(Resident.objects.filter(status=ResidentStatus.ALIVE).order_by("id"))
    with transaction.atomic():
        if not VillageProfile.objects.exclude(vision="").exists():
            _seed_profile(name)
        if not BudgetYear.objects.filter(year=timezone.localdate().year).exists():
            _seed_budget()
        if not Letter.objects.exists():
            _seed_letters(alive, operator=operator, kakam=kakam)
        if not Article.objects.exists():
            _seed_news(name, kakam=kakam)
        if not Complaint.objects.exists():
            _seed_complaints(alive, seed=seed, operator=operator)
        if not Business.objects.exists():
            _seed_business(alive, seed=seed, operator=operator)
        if not Programme.objects.exists():
            _seed_programme(name, alive, operator=operator)
        if not BumdesUnit.objects.exists():
            _seed_bumdes(name)


def _seed_profile(name: str) -> None:
    village_profile_update(
        changes={
            "vision": f"Terwujudnya Kampung {name} yang maju, mandiri dan sejahtera.",
            "mission": (
                "1. Meningkatkan pelayanan publik yang cepat dan terbuka.\n"
                "2. Membangun jalan, air bersih dan penerangan kampung.\n"
                "3. Mengembangkan UMKM dan BUMKam berbasis hasil kebun."
            ),
            "address": f"Jalan Poros Kampung {name}, Negara Batin, Way Kanan",
            "phone": "0728123456",
        }
    )
    if not Official.objects.exists():
        for order, (person, position) in enumerate(
            [("Bambang Hidayat", "Kepala Kampung"), ("Sri Wahyuni", "Sekretaris Kampung")]
        ):
            official_create(data={"name": person, "position": position, "order": order})


# The year's APBKam as (sector, description, budget, realised so far) in millions of rupiah.
INCOME = [
    (IncomeSource.DANA_DESA, "Dana Desa", 950, 570),
    (IncomeSource.ALOKASI_DANA_DESA, "Alokasi Dana Desa", 420, 300),
    (IncomeSource.PENDAPATAN_ASLI_DESA, "Hasil usaha BUMKam", 25, 27.5),
]
SPENDING = [
    (Bidang.PEMERINTAHAN, "Penghasilan tetap aparatur", 380, 285),
    (Bidang.PEMBANGUNAN, "Pengerasan jalan lingkungan", 610, 240),
    (Bidang.KEMASYARAKATAN, "Kegiatan posyandu dan PKK", 95, 60),
    (Bidang.PEMBERDAYAAN, "Pelatihan UMKM", 120, 45),
    (Bidang.BENCANA, "BLT Dana Desa", 190, 135),
]


def _seed_budget() -> None:
    """The year's budget, imported whole as a staff upload of the APBKam workbook would."""
    rows = [(LineKind.INCOME, *line) for line in INCOME]
    rows += [(LineKind.SPENDING, *line) for line in SPENDING]
    budget_import(
        year=timezone.localdate().year,
        lines=[
            LineInput(
                kind=kind,
                sector=sector,
                description=text,
                budget=Decimal(budget) * MILLION,
                realised=Decimal(str(realised)) * MILLION,
                position=position,
            )
            for position, (kind, sector, text, budget, realised) in enumerate(rows, start=1)
        ],
        totals={},
    )


def _seed_letters(alive: list[Resident], *, operator, kakam) -> None:
    """One letter in each state a counter sees: requested, verified, signed, ready."""
    staff = StaffRole.OPERATOR
    requests = [
        ("domisili", {"keperluan": "Pendaftaran sekolah anak"}, []),
        ("pengantar-skck", {"keperluan": "Melamar pekerjaan"}, ["verify"]),
        ("sktm", {"keperluan": "Beasiswa", "jumlah_tanggungan": 3}, ["verify", "sign"]),
        (
            "usaha",
            {
                "nama_usaha": "Warung Sembako",
                "jenis_usaha": "Perdagangan",
                "alamat_usaha": "Jalan Poros",
                "keperluan": "Pengajuan KUR",
            },
            ["verify", "sign", "ready"],
        ),
    ]
    for resident, (code, values, steps) in zip(alive[1:], requests, strict=False):
        letter = letter_request(
            actor=operator,
            role=staff,
            letter_type_code=code,
            field_values=values,
            resident_id=resident.pk,
        )
        for step in steps:
            if step == "sign":
                letter_sign(actor=kakam, role=StaffRole.KEPALA_DESA, letter_id=letter.pk)
            else:
                letter_transition(actor=operator, role=staff, letter_id=letter.pk, action=step)


def _seed_news(name: str, *, kakam) -> None:
    published = ArticleStatus.PUBLISHED
    article_create(
        data={
            "kind": ArticleKind.NEWS,
            "title": f"Pengerasan jalan Kampung {name} dimulai",
            "summary": "Dana Desa tahun ini membiayai 1,2 km pengerasan jalan lingkungan.",
            "body": "Pekerjaan dikerjakan secara padat karya oleh warga kampung sendiri.",
            "category": "pembangunan",
        },
        author=kakam,
        status=published,
    )
    article_create(
        data={
            "kind": ArticleKind.NEWS,
            "title": "Posyandu balita dan lansia bulan ini",
            "summary": "Penimbangan, imunisasi dan pemeriksaan tekanan darah.",
            "body": "Posyandu dibuka di balai kampung mulai pukul 08.00.",
            "category": "kesehatan",
        },
        author=kakam,
        status=published,
    )
    article_create(
        data={
            "kind": ArticleKind.ANNOUNCEMENT,
            "title": "Penyaluran BLT Dana Desa tahap II",
            "summary": "Penerima membawa KTP dan KK asli ke balai kampung.",
            "body": "Penyaluran dilakukan hari Senin pukul 09.00 di balai kampung.",
            "category": "pemerintahan",
        },
        author=kakam,
        status=published,
    )


def _seed_complaints(alive: list[Resident], *, seed: int, operator) -> None:
    anonymous = complaint_file(
        category_code="jalan",
        description="Jalan menuju kebun di RT 02 berlubang besar, motor sulit lewat.",
        phone=f"0812345678{seed:02d}",
        name="Warga RT 02",
        attributes={"tingkat_kerusakan": "berat"},
        filed_via="web",
    )
    complaint_status_change(
        complaint=anonymous, actor=operator, to_status="in_progress", note="Sudah disurvei."
    )
    lamp = complaint_file(
        category_code="penerangan",
        description="Lampu jalan di depan masjid mati sejak seminggu.",
        resident_id=alive[0].pk,
        filed_via="web",
    )
    complaint_status_change(complaint=lamp, actor=operator, to_status="in_progress")
    complaint_status_change(
        complaint=lamp, actor=operator, to_status="resolved", note="Lampu sudah diganti."
    )


def _seed_programme(name: str, alive: list[Resident], *, operator) -> None:
    starts = timezone.localtime() + datetime.timedelta(days=14)
    starts = starts.replace(hour=9, minute=0, second=0, microsecond=0)
    programme = programme_create(
        data={
            "title": "Pelatihan pemasaran daring untuk UMKM",
            "description": "Foto produk, katalog WhatsApp dan pencatatan penjualan.",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + datetime.timedelta(hours=3)).isoformat(),
            "place": f"Balai Kampung {name}",
            "capacity": 25,
            "target_group": "umkm",
            "status": "open",
        },
        by_user_id=operator.pk,
    )
    # The business owner of _seed_business (run first): the programme is for UMKM owners.
    registration_create(programme_id=programme.pk, resident=alive[2], by_user_id=operator.pk)


def _seed_business(alive: list[Resident], *, seed: int, operator) -> None:
    owner = alive[2]
    business = business_register(
        owner=owner,
        data={
            "name": f"Keripik Singkong {owner.full_name.split()[0]}",
            "sector": "kuliner",
            "whatsapp": f"08213456780{seed}",
            "address": "Jalan Poros Kampung",
            "description": "Keripik singkong dari kebun sendiri, digoreng setiap pagi.",
        },
    )
    for product in (
        {"name": "Keripik singkong original", "price": 15000, "unit": "bungkus"},
        {"name": "Keripik singkong balado", "price": 18000, "unit": "bungkus"},
    ):
        product_create(
            business=business, data={**product, "category": "makanan", "stock": "tersedia"}
        )
    business = business_submit(business=business)
    business_verify(business=business, by_user_id=operator.pk)


def _seed_bumdes(name: str) -> None:
    bumdes_save(
        data={
            "name": f"BUMKam {name} Sejahtera",
            "legal_basis": f"Peraturan Kampung {name} Nomor 3 Tahun 2018",
            "description": "Badan usaha milik kampung untuk air bersih dan toko tani.",
            "year_founded": 2018,
        }
    )
    bumdes_unit_create(
        data={
            "name": "Unit Air Bersih",
            "kind": "air_bersih",
            "description": "Sambungan air bersih untuk 120 rumah.",
        }
    )
