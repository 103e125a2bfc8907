"""Reference lists of the population register (Dukcapil codes, as in the SIAK forms).

Stored as stable short codes; the labels are what staff and residents see.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Religion(models.TextChoices):
    ISLAM = "islam", "Islam"
    KRISTEN = "kristen", "Kristen"
    KATOLIK = "katolik", "Katolik"
    HINDU = "hindu", "Hindu"
    BUDDHA = "buddha", "Buddha"
    KONGHUCU = "konghucu", "Khonghucu"
    KEPERCAYAAN = "kepercayaan", _("Kepercayaan terhadap Tuhan YME")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("Tidak/belum sekolah")
    SD_NOT_FINISHED = "belum_tamat_sd", _("Belum tamat SD/sederajat")
    SD = "sd", _("Tamat SD/sederajat")
    SMP = "sltp", _("SLTP/sederajat")
    SMA = "slta", _("SLTA/sederajat")
    D1_D2 = "d1_d2", _("Diploma I/II")
    D3 = "d3", _("Akademi/Diploma III/Sarjana muda")
    S1 = "d4_s1", _("Diploma IV/Strata I")
    S2 = "s2", _("Strata II")
    S3 = "s3", _("Strata III")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Belum kawin")
    MARRIED = "kawin", _("Kawin")
    DIVORCED = "cerai_hidup", _("Cerai hidup")
    WIDOWED = "cerai_mati", _("Cerai mati")


class FamilyRelation(models.TextChoices):
    """SHDK: status hubungan dalam keluarga."""

    HEAD = "kepala_keluarga", _("Kepala keluarga")
    HUSBAND = "suami", _("Suami")
    WIFE = "istri", _("Istri")
    CHILD = "anak", _("Anak")
    CHILD_IN_LAW = "menantu", _("Menantu")
    GRANDCHILD = "cucu", _("Cucu")
    PARENT = "orang_tua", _("Orang tua")
    PARENT_IN_LAW = "mertua", _("Mertua")
    OTHER_RELATIVE = "famili_lain", _("Famili lain")
    HOUSEHOLD_HELP = "pembantu", _("Pembantu")
    OTHER = "lainnya", _("Lainnya")


class Citizenship(models.TextChoices):
    WNI = "wni", "WNI"
    WNA = "wna", "WNA"


class BloodType(models.TextChoices):
    A = "a", "A"
    B = "b", "B"
    AB = "ab", "AB"
    O = "o", "O"  # noqa: E741 - the blood type
    A_POS = "a+", "A+"
    A_NEG = "a-", "A-"
    B_POS = "b+", "B+"
    B_NEG = "b-", "B-"
    AB_POS = "ab+", "AB+"
    AB_NEG = "ab-", "AB-"
    O_POS = "o+", "O+"
    O_NEG = "o-", "O-"
    UNKNOWN = "tidak_tahu", _("Tidak tahu")


class Occupation(models.TextChoices):
    """The most common Dukcapil occupation entries; "lainnya" covers the rest."""

    NONE = "belum_tidak_bekerja", _("Belum/tidak bekerja")
    HOUSEHOLD = "mengurus_rumah_tangga", _("Mengurus rumah tangga")
    STUDENT = "pelajar_mahasiswa", _("Pelajar/mahasiswa")
    RETIRED = "pensiunan", _("Pensiunan")
    CIVIL_SERVANT = "pns", _("Pegawai negeri sipil")
    MILITARY = "tni", "TNI"
    POLICE = "polri", "POLRI"
    TRADER = "perdagangan", _("Perdagangan")
    FARMER = "petani_pekebun", _("Petani/pekebun")
    BREEDER = "peternak", _("Peternak")
    FISHER = "nelayan", _("Nelayan/perikanan")
    INDUSTRY = "industri", _("Industri")
    CONSTRUCTION = "konstruksi", _("Konstruksi")
    TRANSPORT = "transportasi", _("Transportasi")
    PRIVATE_EMPLOYEE = "karyawan_swasta", _("Karyawan swasta")
    SOE_EMPLOYEE = "karyawan_bumn", _("Karyawan BUMN")
    HONORARY = "karyawan_honorer", _("Karyawan honorer")
    DAILY_LABOUR = "buruh_harian_lepas", _("Buruh harian lepas")
    FARM_LABOUR = "buruh_tani", _("Buruh tani/perkebunan")
    TEACHER = "guru", _("Guru")
    LECTURER = "dosen", _("Dosen")
    DOCTOR = "dokter", _("Dokter")
    NURSE = "perawat", _("Perawat")
    MIDWIFE = "bidan", _("Bidan")
    DRIVER = "sopir", _("Sopir")
    TAILOR = "penjahit", _("Penjahit")
    CARPENTER = "tukang_kayu", _("Tukang kayu")
    MASON = "tukang_batu", _("Tukang batu")
    MECHANIC = "mekanik", _("Mekanik")
    ENTREPRENEUR = "wiraswasta", _("Wiraswasta")
    VILLAGE_OFFICIAL = "perangkat_desa", _("Perangkat desa")
    VILLAGE_HEAD = "kepala_desa", _("Kepala desa")
    RELIGIOUS = "ustadz_pendeta", _("Ustadz/mubaligh/pendeta/pastor")
    OTHER = "lainnya", _("Lainnya")


class ResidentStatus(models.TextChoices):
    ALIVE = "hidup", _("Hidup")
    DIED = "mati", _("Meninggal")
    MOVED_OUT = "pindah", _("Pindah keluar")
    MISSING = "hilang", _("Hilang")


class ResidenceType(models.TextChoices):
    PERMANENT = "tetap", _("Tetap")
    TEMPORARY = "sementara", _("Sementara")


class EventKind(models.TextChoices):
    """Population events (Permendagri 47/2016: buku mutasi penduduk)."""

    REGISTERED = "pendataan", _("Pendataan awal")
    BIRTH = "lahir", _("Lahir")
    MOVE_IN = "pindah_datang", _("Pindah datang")
    DEATH = "mati", _("Meninggal")
    MOVE_OUT = "pindah_keluar", _("Pindah keluar")
    MISSING = "hilang", _("Hilang")
    FOUND = "ditemukan", _("Kembali/ditemukan")


# Events after which a person is in the village register, and after which they are not.
ARRIVAL_EVENTS = (EventKind.REGISTERED, EventKind.BIRTH, EventKind.MOVE_IN, EventKind.FOUND)
DEPARTURE_EVENTS = (EventKind.DEATH, EventKind.MOVE_OUT, EventKind.MISSING)
STATUS_AFTER_EVENT = {
    EventKind.REGISTERED: ResidentStatus.ALIVE,
    EventKind.BIRTH: ResidentStatus.ALIVE,
    EventKind.MOVE_IN: ResidentStatus.ALIVE,
    EventKind.FOUND: ResidentStatus.ALIVE,
    EventKind.DEATH: ResidentStatus.DIED,
    EventKind.MOVE_OUT: ResidentStatus.MOVED_OUT,
    EventKind.MISSING: ResidentStatus.MISSING,
}
