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
from frontend.access import request_staff_role, resident_page, village_staff_page
from services.residents.models import Resident
from services.village.models import VillageProfile

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
    StaffSection(
        _("Profil desa"),
        _("Alamat, kontak dan jam layanan kantor (API)."),
        "village-profile",
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
        _("Templat surat"), _("Jenis surat, isi templat dan pratinjau."), "page-letter-templates"
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
    return render(
        request,
        "village/staff_dashboard.html",
        {
            "village": request.village,
            "role_label": StaffRole(role).label,
            "profile": VillageProfile.objects.filter(id=1).first(),
            "resident_count": Resident.objects.count(),
            "sections": _sections(role),
        },
    )


@resident_page
def resident_home(request: HttpRequest) -> HttpResponse:
    # The principal names its own village's schema (checked by the session middleware),
    # and this query runs in the schema of the host: the same village.
    resident = Resident.objects.filter(pk=request.resident.resident_id).first()
    return render(
        request, "village/resident_home.html", {"village": request.village, "resident": resident}
    )
