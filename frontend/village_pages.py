"""Pages on a village host behind a login: the staff dashboard and the resident's landing.

Sections of later services (letters, complaints, news, budget) add a ``StaffSection`` to
``STAFF_SECTIONS``; the dashboard lists those whose URL exists and whose roles include the
staff member's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from balai.accounts.models import StaffRole
from frontend import office_pages
from frontend.access import request_staff_role, resident_page, village_staff_page

ALL_STAFF = tuple(StaffRole.values)


# The dashboard's menu shows the sections in these groups, in this order.
PEOPLE = _("Penduduk")
SERVICES = _("Layanan")
VILLAGE_INFO = _("Informasi desa")
ECONOMY = _("Ekonomi & pelatihan")
SETTINGS = _("Pengaturan")
OTHER = _("Lainnya")
GROUPS = (PEOPLE, SERVICES, VILLAGE_INFO, ECONOMY, SETTINGS, OTHER)


@dataclass(frozen=True)
class StaffSection:
    title: str | Promise
    description: str | Promise
    url_name: str
    roles: tuple[str, ...] = ALL_STAFF
    group: str | Promise = OTHER


STAFF_SECTIONS = [
    StaffSection(
        _("Penduduk"),
        _("Buku induk penduduk: cari, daftarkan, ubah, catat peristiwa."),
        "page-resident-list",
        group=PEOPLE,
    ),
    StaffSection(
        _("Keluarga (KK)"), _("Kartu keluarga dan anggotanya."), "page-family-list", group=PEOPLE
    ),
    StaffSection(
        _("Impor & ekspor penduduk"),
        _("Unggah berkas .xlsx/.csv dengan laporan per baris; unduh buku induk."),
        "page-import",
        group=PEOPLE,
    ),
    StaffSection(
        _("Wilayah desa"),
        _("Dusun, RW dan RT, dengan jumlah penduduknya."),
        "page-staff-areas",
        group=VILLAGE_INFO,
    ),
    # site
    StaffSection(
        _("Berita dan pengumuman"),
        _("Tulis, terbitkan dan tarik berita dan pengumuman."),
        "page-staff-news",
        group=VILLAGE_INFO,
    ),
    StaffSection(
        _("Profil desa"),
        _("Alamat, kontak, jam layanan kantor dan logo."),
        "page-staff-profile",
        group=VILLAGE_INFO,
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Pengaduan"),
        _("Pengaduan warga: antrean, tenggat, tanggapan dan status."),
        "page-complaint-queue",
        group=SERVICES,
    ),
    StaffSection(
        _("Eskalasi pengaduan"),
        _("Berapa hari lewat target sebelum pengaduan dilaporkan ke kecamatan."),
        "page-complaint-settings",
        group=SETTINGS,
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Notifikasi"),
        _("Log pengiriman pesan per saluran, dengan penyebab kegagalan."),
        "page-notification-log",
        group=SERVICES,
    ),
    StaffSection(
        _("Surat"),
        _("Permohonan yang menunggu verifikasi dan tanda tangan."),
        "page-letter-queue",
        group=SERVICES,
    ),
    StaffSection(
        _("Arsip surat"),
        _("Surat yang sudah ditandatangani, dengan PDF."),
        "page-letter-archive",
        group=SERVICES,
    ),
    StaffSection(
        _("Permohonan di loket"),
        _("Catat permohonan surat warga yang datang ke kantor."),
        "page-letter-counter",
        group=SERVICES,
    ),
    StaffSection(
        _("Templat surat"),
        _("Jenis surat, isi templat dan pratinjau."),
        "page-letter-templates",
        group=SERVICES,
    ),
    StaffSection(
        _("Pengaturan surat"),
        _("Format nomor, nomor urut dan delegasi tanda tangan."),
        "page-letter-settings",
        group=SETTINGS,
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Ekonomi desa"),
        _("Verifikasi UMKM, moderasi produk, BUMDes dan potensi desa."),
        "page-staff-economy",
        group=ECONOMY,
    ),
    StaffSection(
        _("Pelatihan"),
        _("Program pelatihan, pendaftaran, kehadiran dan sertifikat."),
        "page-staff-programmes",
        group=ECONOMY,
    ),
    StaffSection(
        _("Perangkat desa"),
        _("Nama, jabatan, foto dan urutan perangkat desa."),
        "page-staff-officials",
        group=VILLAGE_INFO,
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("APBDes"),
        _("Anggaran dan realisasi per tahun; impor Excel."),
        "page-staff-budget",
        group=VILLAGE_INFO,
    ),
    StaffSection(
        _("Statistik penduduk"),
        _("Piramida penduduk, dusun, pendidikan, pekerjaan, agama."),
        "page-statistics",
        group=PEOPLE,
    ),
    StaffSection(
        _("Staf dan peran"),
        _("Tambah staf, ubah peran, keluarkan staf."),
        "page-staff-members",
        group=SETTINGS,
        roles=office_pages.STAFF_MANAGER_ROLES,
    ),
    StaffSection(
        _("Jejak audit"),
        _("Siapa membaca dan mengubah data pribadi, dan kapan."),
        "page-audit-log",
        group=SETTINGS,
        roles=office_pages.AUDIT_ROLES,
    ),
    StaffSection(
        _("Materi belajar desa"),
        _("Panduan dan video milik desa: tambah, ubah, hapus."),
        "page-staff-materials",
        group=ECONOMY,
    ),
]


def _sections(role: str) -> list[dict]:
    """The groups of the sections ``role`` may open (those whose page exists), in order;
    a group with none of them is left out."""
    groups = {group: [] for group in GROUPS}
    for section in STAFF_SECTIONS:
        if role not in section.roles:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(section.group, []).append(
            {"title": section.title, "description": section.description, "url": url}
        )
    return [{"title": group, "sections": items} for group, items in groups.items() if items]


@village_staff_page
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    role = request_staff_role(request)
    context = office_pages.staff_dashboard_context(request, role=role)
    return render(request, "office/staff_dashboard.html", {**context, "sections": _sections(role)})


@resident_page
def resident_home(request: HttpRequest) -> HttpResponse:
    return render(request, "office/resident_home.html", office_pages.resident_home_context(request))
