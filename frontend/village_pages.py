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


@dataclass(frozen=True)
class StaffSection:
    title: str | Promise
    description: str | Promise
    url_name: str
    roles: tuple[str, ...] = ALL_STAFF


# Until their pages come, the sections link to the API that serves them (DRF's
# browsable API, readable with the staff session).
STAFF_SECTIONS = [
    StaffSection(
        _("Penduduk"),
        _("Buku induk penduduk: cari, daftarkan, ubah, catat peristiwa."),
        "page-resident-list",
    ),
    StaffSection(_("Keluarga (KK)"), _("Kartu keluarga dan anggotanya."), "page-family-list"),
    StaffSection(
        _("Impor & ekspor penduduk"),
        _("Unggah berkas .xlsx/.csv dengan laporan per baris; unduh buku induk."),
        "page-import",
    ),
    StaffSection(_("Wilayah"), _("Dusun, RW dan RT (API)."), "village-areas"),
    # site
    StaffSection(
        _("Berita dan pengumuman"),
        _("Tulis, terbitkan dan tarik berita dan pengumuman."),
        "page-staff-news",
    ),
    StaffSection(
        _("Profil desa"),
        _("Alamat, kontak, jam layanan kantor dan logo."),
        "page-staff-profile",
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Pengaduan"),
        _("Pengaduan warga: antrean, tenggat, tanggapan dan status."),
        "page-complaint-queue",
    ),
    StaffSection(
        _("Eskalasi pengaduan"),
        _("Berapa hari lewat target sebelum pengaduan dilaporkan ke kecamatan."),
        "page-complaint-settings",
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Notifikasi"),
        _("Log pengiriman pesan per saluran, dengan penyebab kegagalan."),
        "page-notification-log",
    ),
    StaffSection(
        _("Surat"), _("Permohonan yang menunggu verifikasi dan tanda tangan."), "page-letter-queue"
    ),
    StaffSection(
        _("Arsip surat"), _("Surat yang sudah ditandatangani, dengan PDF."), "page-letter-archive"
    ),
    StaffSection(
        _("Permohonan di loket"),
        _("Catat permohonan surat warga yang datang ke kantor."),
        "page-letter-counter",
    ),
    StaffSection(
        _("Templat surat"), _("Jenis surat, isi templat dan pratinjau."), "page-letter-templates"
    ),
    StaffSection(
        _("Pengaturan surat"),
        _("Format nomor, nomor urut dan delegasi tanda tangan."),
        "page-letter-settings",
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("Ekonomi desa"),
        _("Verifikasi UMKM, moderasi produk, BUMDes dan potensi desa."),
        "page-staff-economy",
    ),
    StaffSection(
        _("Pelatihan"),
        _("Program pelatihan, pendaftaran, kehadiran dan sertifikat."),
        "page-staff-programmes",
    ),
    StaffSection(
        _("Perangkat desa"),
        _("Nama, jabatan, foto dan urutan perangkat desa."),
        "page-staff-officials",
        roles=(StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS),
    ),
    StaffSection(
        _("APBDes"), _("Anggaran dan realisasi per tahun; impor Excel."), "page-staff-budget"
    ),
    StaffSection(
        _("Statistik penduduk"),
        _("Piramida penduduk, dusun, pendidikan, pekerjaan, agama."),
        "page-statistics",
    ),
    StaffSection(
        _("Staf dan peran"),
        _("Tambah staf, ubah peran, keluarkan staf."),
        "page-staff-members",
        roles=office_pages.STAFF_MANAGER_ROLES,
    ),
    StaffSection(
        _("Jejak audit"),
        _("Siapa membaca dan mengubah data pribadi, dan kapan."),
        "page-audit-log",
        roles=office_pages.AUDIT_ROLES,
    ),
    StaffSection(
        _("Materi belajar desa"),
        _("Panduan dan video milik desa: tambah, ubah, hapus."),
        "page-staff-materials",
    ),
]


def _sections(role: str) -> list[dict]:
    sections = []
    for section in STAFF_SECTIONS:
        if role not in section.roles:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        sections.append({"title": section.title, "description": section.description, "url": url})
    return sections


@village_staff_page
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    role = request_staff_role(request)
    context = office_pages.staff_dashboard_context(request, role=role)
    return render(request, "office/staff_dashboard.html", {**context, "sections": _sections(role)})


@resident_page
def resident_home(request: HttpRequest) -> HttpResponse:
    return render(request, "office/resident_home.html", office_pages.resident_home_context(request))
