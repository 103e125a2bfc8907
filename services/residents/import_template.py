"""The column template of the resident register file: what an import reads and an export
writes, so that an export can be imported again unchanged.

Every column has a stable key (the header cell of the template, Indonesian), a resident
field, and for reference lists the values accepted: the stored code (``islam``), its label
in Indonesian or English in any case (``Islam``, ``ISLAM``, ``SLTA/SEDERAJAT``) and the
spellings of the SIAK/OpenSID printouts (``KATHOLIK``, ``BUDHA``, ``ORANGTUA``). Headers are
matched case-insensitively, with spaces, dots and dashes read as ``_``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from services.residents.reference import (
    BloodType,
    Citizenship,
    Education,
    FamilyRelation,
    MaritalStatus,
    Occupation,
    Religion,
    Sex,
)


@dataclass(frozen=True)
class Column:
    key: str
    description: str  # Indonesian, shown in the template's second sheet
    example: str
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK, 16 angka, tidak diawali 0 (atau nomor sementara dari Balai)",
           "1808115705900001", required=True),
    Column("nama", "Nama lengkap", "Siti Aminah", required=True, max_length=120),
    Column("no_kk", "Nomor Kartu Keluarga, 16 angka", "1808110101200001"),
    Column("hubungan_keluarga", "Status hubungan dalam keluarga (SHDK); wajib bila no_kk diisi",
           "Istri", choices=FamilyRelation),
    Column("tempat_lahir", "Tempat lahir", "Way Kanan", max_length=60),
    Column("tanggal_lahir", "Tanggal lahir: YYYY-MM-DD atau DD-MM-YYYY", "1990-05-17"),
    Column("jenis_kelamin", "L atau P", "P", required=True, choices=Sex),
    Column("agama", "Agama", "Islam", choices=Religion),
    Column("pendidikan", "Pendidikan dalam KK", "SLTA/sederajat", choices=Education),
    Column("pekerjaan", "Pekerjaan; yang tidak ada di daftar dicatat 'Lainnya' dengan peringatan",
           "Mengurus rumah tangga", choices=Occupation),
    Column("status_perkawinan", "Status perkawinan", "Kawin", choices=MaritalStatus),
    Column("kewarganegaraan", "WNI atau WNA; kosong berarti WNI", "WNI", choices=Citizenship),
    Column("golongan_darah", "Golongan darah", "O", choices=BloodType),
    Column("dusun", "Nama dusun", "Dusun I", max_length=60),
    Column("rw", "Nomor RW", "001", max_length=60),
    Column("rt", "Nomor RT", "002", max_length=60),
    Column("alamat", "Alamat (jalan, nomor rumah)", "Jl. Merdeka No. 1", max_length=255),
    Column("telepon", "Nomor telepon", "081234567890", max_length=20),
)  # fmt: skip
# Written as text cells by the template and the export (see template_xlsx).
TEXT_COLUMNS = frozenset({"nik", "no_kk", "tanggal_lahir", "rw", "rt", "telepon"})
# Written by the export after the template's columns and ignored by the import: a status
# changes only through a population event, never by editing a spreadsheet.
EXPORT_ONLY_COLUMNS = ("status",)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Other headers seen in village spreadsheets, read as the template's key.
HEADER_ALIASES = {
    "nama_lengkap": "nama",
    "nomor_kk": "no_kk",
    "nkk": "no_kk",
    "no_kartu_keluarga": "no_kk",
    "shdk": "hubungan_keluarga",
    "status_hubungan_dalam_keluarga": "hubungan_keluarga",
    "jk": "jenis_kelamin",
    "status_kawin": "status_perkawinan",
    "pendidikan_dalam_kk": "pendidikan",
    "warganegara": "kewarganegaraan",
    "no_telepon": "telepon",
    "nomor_telepon": "telepon",
    "hp": "telepon",
}

# Spellings of the SIAK forms and OpenSID exports that differ from our labels.
VALUE_ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    Sex: {"laki laki": "L", "lk": "L", "pr": "P", "wanita": "P", "pria": "L"},
    Religion: {
        "katholik": "katolik",
        "budha": "buddha",
        "khonghucu": "konghucu",
        "kepercayaan terhadap tuhan yang maha esa": "kepercayaan",
    },
    Education: {
        "tidak/belum sekolah": "tidak_sekolah",
        "akademi/diploma iii/s. muda": "d3",
        "akademi/diploma iii/s.muda": "d3",
        "diploma iii": "d3",
        "smp": "sltp",
        "sma": "slta",
        "s1": "d4_s1",
    },
    FamilyRelation: {
        "orangtua": "orang_tua",
        "kk": "kepala_keluarga",
        "family lain": "famili_lain",
    },
    Occupation: {
        "pegawai negeri sipil (pns)": "pns",
        "tentara nasional indonesia (tni)": "tni",
        "kepolisian ri (polri)": "polri",
        "petani": "petani_pekebun",
        "pekebun": "petani_pekebun",
        "buruh tani": "buruh_tani",
        "belum bekerja": "belum_tidak_bekerja",
        "tidak bekerja": "belum_tidak_bekerja",
        "pelajar": "pelajar_mahasiswa",
        "mahasiswa": "pelajar_mahasiswa",
        "ibu rumah tangga": "mengurus_rumah_tangga",
        "irt": "mengurus_rumah_tangga",
    },
    BloodType: {"tidak tahu": "tidak_tahu", "-": "tidak_tahu"},
}

_SPACES = re.compile(r"\s+")
_AROUND_SLASH = re.compile(r"\s*/\s*")


def normalize_value(value: str) -> str:
    """The lookup form of a label: case-folded, single spaces, no spaces around ``/``."""
    value = _AROUND_SLASH.sub("/", _SPACES.sub(" ", value.strip()).casefold())
    return value.replace("_", " ")


def normalize_header(value: str) -> str:
    key = re.sub(r"[\s.\-/]+", "_", value.strip().casefold()).strip("_")
    return HEADER_ALIASES.get(key, key)


def _lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in zip(choices.values, choices.labels, strict=True):
        table[normalize_value(code)] = code
        for language in ("id", "en"):
            with translation.override(language):
                table.setdefault(normalize_value(str(label)), code)
    for alias, code in VALUE_ALIASES.get(choices, {}).items():
        table.setdefault(normalize_value(alias), code)
    return table


# Built once per process: the labels never change at run time.
CHOICE_LOOKUPS: dict[type[models.TextChoices], dict[str, str]] = {}


def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    table = CHOICE_LOOKUPS.get(choices)
    if table is None:
        table = CHOICE_LOOKUPS[choices] = _lookup(choices)
    return table


def choice_label(choices: type[models.TextChoices], code: str) -> str:
    """The Indonesian label written by the template and the export ("" for "")."""
    if not code:
        return ""
    with translation.override("id"):
        return str(choices(code).label)


def _allowed_value_rows() -> list[list[str]]:
    rows = [["kolom", "kode", "label (huruf besar/kecil bebas)"]]
    for column in COLUMNS:
        if column.choices is None:
            continue
        for code in column.choices.values:
            rows.append([column.key, code, choice_label(column.choices, code)])
    return rows


def _column_rows() -> list[list[str]]:
    rows = [["kolom", "wajib", "keterangan"]]
    for column in COLUMNS:
        rows.append([column.key, "ya" if column.required else "", column.description])
    return rows


def template_xlsx() -> bytes:
    """The template workbook: the header and an example row, the columns explained, and
    the allowed values of every reference column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Penduduk"
    sheet.append(list(COLUMN_KEYS))
    sheet.append([column.example for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # NIK and KK as text: Excel keeps only 15 significant digits of a number, so a
    # 16-digit NIK typed into a number cell loses its last digit.
    for index, key in enumerate(COLUMN_KEYS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 20
        if key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
    values = workbook.create_sheet("Pilihan")
    for row in _allowed_value_rows():
        values.append(row)
    columns = workbook.create_sheet("Kolom")
    for row in _column_rows():
        columns.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> str:
    """The template as CSV (comma-separated, UTF-8): the header and an example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    writer.writerow([column.example for column in COLUMNS])
    return buffer.getvalue()
