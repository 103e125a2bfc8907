"""The APBDes .xlsx template and its reader.

The template (GET /api/village/budget/template.xlsx) has one sheet, "APBDes":

| Jenis      | Kode                       | Uraian                          | Anggaran | Realisasi |
|------------|----------------------------|---------------------------------|----------|-----------|
| pendapatan | dana_desa                  | Dana Desa                       | 1000000  | 800000    |
| belanja    | pembangunan (or 2)         | Pembangunan jalan usaha tani    | 350000   | 300000    |
| total      | pendapatan                 | Jumlah pendapatan               | ...      | ...       |
| total      | belanja                    | Jumlah belanja                  | ...      | ...       |

- Rows above the header row (the one whose first cell is "Jenis") are ignored: a title fits.
- Jenis: pendapatan, belanja, or total. Kode: an income source or a bidang code (see the
  "Kode" sheet); a bidang may also be written as its Permendagri 20/2018 number 1-5.
- Amounts: numbers, or text such as "1.250.000,50"; at most 2 decimals; never negative.
- Total rows are optional; when present they must equal the sum of that kind's lines.
- Formulas are read by their saved values: save the file in a spreadsheet program first.
"""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from balai.errors import BalaiError
from services.budget.models import Bidang, IncomeSource, LineKind
from services.budget.services import LineInput

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# A 2 MB .xlsx can inflate to gigabytes of XML; refuse archives that claim more than this.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
HEADER = ["Jenis", "Kode", "Uraian", "Anggaran", "Realisasi"]
TOTAL = "total"
BIDANG_NUMBERS = {
    "1": Bidang.PEMERINTAHAN,
    "2": Bidang.PEMBANGUNAN,
    "3": Bidang.KEMASYARAKATAN,
    "4": Bidang.PEMBERDAYAAN,
    "5": Bidang.BENCANA,
}
EXAMPLE_LINES = [
    ("pendapatan", IncomeSource.DANA_DESA, "Dana Desa", 1_023_456_000, 1_023_456_000),
    ("pendapatan", IncomeSource.ALOKASI_DANA_DESA, "Alokasi Dana Desa", 412_300_000, 309_225_000),
    ("pendapatan", IncomeSource.PENDAPATAN_ASLI_DESA, "Hasil usaha BUMDes", 15_000_000, 17_250_000),
    ("pendapatan", IncomeSource.BAGI_HASIL, "Bagi hasil pajak daerah", 21_500_000, 10_750_000),
    ("belanja", Bidang.PEMERINTAHAN, "Penghasilan tetap dan tunjangan", 480_000_000, 360_000_000),
    ("belanja", Bidang.PEMBANGUNAN, "Rabat beton jalan dusun", 610_000_000, 452_500_000),
    ("belanja", Bidang.KEMASYARAKATAN, "Pembinaan karang taruna", 45_000_000, 30_000_000),
    ("belanja", Bidang.PEMBERDAYAAN, "Pelatihan kelompok tani", 120_000_000, 64_250_500),
    ("belanja", Bidang.BENCANA, "BLT Dana Desa", 180_000_000, 135_000_000),
]


def _code_normalise(kind: str, code) -> str:
    text = str(code if code is not None else "").strip()
    if kind == LineKind.SPENDING and text in BIDANG_NUMBERS:
        return BIDANG_NUMBERS[text].value
    lowered = text.lower()
    for choices in (IncomeSource, Bidang):
        for choice in choices:
            if lowered in (choice.value, str(choice.label).lower()):
                return choice.value
    return text


def template_build() -> bytes:
    """The downloadable example: the layout above, filled with a plausible village year."""
    book = Workbook()
    sheet = book.active
    sheet.title = "APBDes"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for kind, code, description, budget, realised in EXAMPLE_LINES:
        sheet.append([kind, code.value, description, budget, realised])
    for kind in (LineKind.INCOME, LineKind.SPENDING):
        lines = [line for line in EXAMPLE_LINES if line[0] == kind]
        sheet.append(
            [
                TOTAL,
                kind.value,
                f"Jumlah {kind.value}",
                sum(line[3] for line in lines),
                sum(line[4] for line in lines),
            ]
        )
    for column, width in zip("ABCDE", (14, 30, 40, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width
    codes = book.create_sheet("Kode")
    codes.append(["Jenis", "Kode", "Nama"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for choice in IncomeSource:
        codes.append(["pendapatan", choice.value, str(choice.label)])
    for number, choice in BIDANG_NUMBERS.items():
        codes.append(["belanja", f"{choice.value} (atau {number})", str(choice.label)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file_error(code: str, message: str, message_en: str) -> BalaiError:
    return BalaiError.single("file", code, message, message_en)


def workbook_read(upload) -> tuple[list[LineInput], dict]:
    """Read an uploaded .xlsx into lines and stated totals ({kind: (row, budget, realised)}).

    Only the shape of the file is checked here; amounts and codes are the service's.
    """
    if getattr(upload, "size", 0) > MAX_FILE_BYTES:
        raise _file_error("too_large", "Berkas terlalu besar (maks. 2 MB).", "File too large.")
    upload.seek(0)
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _file_error("too_large", "Berkas terlalu besar (maks. 2 MB).", "File too large.")
    not_xlsx = _file_error(
        "invalid_file",
        "Berkas bukan .xlsx yang bisa dibaca (simpan sebagai Excel Workbook).",
        "The file is not a readable .xlsx (save it as an Excel Workbook).",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise not_xlsx
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except BalaiError:
        raise
    except Exception:  # openpyxl raises many kinds on a broken file; all mean the same here
        raise not_xlsx from None
    try:
        sheet = book["APBDes"] if "APBDes" in book.sheetnames else book.worksheets[0]
        return _rows_read(sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _rows_read(rows) -> tuple[list[LineInput], dict]:
    lines: list[LineInput] = []
    totals: dict = {}
    header_seen = False
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise _file_error(
                "too_many_rows",
                f"Berkas melebihi {MAX_ROWS} baris.",
                f"The file has more than {MAX_ROWS} rows.",
            )
        cells = list(row[:5]) + [None] * (5 - len(row[:5]))
        first = str(cells[0]).strip().lower() if cells[0] is not None else ""
        if not header_seen:
            header_seen = first == "jenis"
            continue
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        kind, code, description, budget, realised = cells
        if first == TOTAL:
            totals[_code_normalise(LineKind.INCOME, code)] = (number, budget, realised)
            continue
        lines.append(
            LineInput(
                kind=first,
                sector=_code_normalise(first, code),
                description=str(description or ""),
                budget=budget,
                realised=realised,
                position=number,
            )
        )
    if not header_seen:
        raise _file_error(
            "header_missing",
            "Baris judul kolom (Jenis, Kode, Uraian, Anggaran, Realisasi) tidak ditemukan.",
            "The header row (Jenis, Kode, Uraian, Anggaran, Realisasi) was not found.",
        )
    for kind in list(totals):
        if kind not in LineKind.values:
            row = totals.pop(kind)[0]
            raise BalaiError.single(
                f"rows[{row}].sector",
                "invalid_choice",
                f"Baris {row}: total harus untuk pendapatan atau belanja.",
                f"Row {row}: a total row is for pendapatan or belanja.",
            )
    return lines, totals
