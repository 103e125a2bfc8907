"""Exporting the resident register with the columns of the import template, so that an
export can be imported again; a last ``status`` column tells who is no longer in the
register (the import ignores it: a status changes only through a population event).

Reference values are written as their Indonesian labels, which the import reads back.
Rows are read with a server-side cursor in chunks, so a large village never sits in
memory as model objects. CSV is streamed in the request (~0.5 s for 20,000 residents);
.xlsx takes ~4 s for 20,000 and runs as a job (bench/results/import.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from balai.spreadsheets import Echo, spreadsheet_cell, text_is_formula_like
from services.residents.import_template import (
    COLUMN_KEYS,
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    TEXT_COLUMNS,
    choice_label,
)
from services.residents.models import Resident
from services.village.models import Area, AreaLevel

EXPORT_HEADER = (*COLUMN_KEYS, *EXPORT_ONLY_COLUMNS)
CHUNK_ROWS = 2_000

_FIELDS = (
    "nik",
    "full_name",
    "family__kk_number",
    "family_relation",
    "birth_place",
    "birth_date",
    "sex",
    "religion",
    "education",
    "occupation",
    "marital_status",
    "citizenship",
    "blood_type",
    "rt_id",
    "address",
    "phone",
    "status",
)


def _area_paths() -> dict[int, dict[str, str]]:
    """For every area, the dusun, RW and RT names on its way up (a few hundred rows)."""
    areas = {a.pk: a for a in Area.objects.all()}
    paths: dict[int, dict[str, str]] = {}
    for area_id, area in areas.items():
        names = {AreaLevel.DUSUN: "", AreaLevel.RW: "", AreaLevel.RT: ""}
        node: Area | None = area
        while node is not None:
            names[node.level] = node.name
            node = areas.get(node.parent_id) if node.parent_id else None
        paths[area_id] = names
    return paths


def resident_export_count() -> int:
    return Resident.objects.count()


def resident_export_rows() -> Iterator[list[str]]:
    """The register's rows in template column order (plus status), by name."""
    labels = {
        column.key: {code: choice_label(column.choices, code) for code in column.choices.values}
        for column in COLUMNS
        if column.choices is not None
    }
    paths = _area_paths()
    empty_path = {AreaLevel.DUSUN: "", AreaLevel.RW: "", AreaLevel.RT: ""}
    rows = Resident.objects.order_by("family__kk_number", "id").values_list(*_FIELDS)
    for (
        nik,
        full_name,
        kk_number,
        relation,
        birth_place,
        birth_date,
        sex,
        religion,
        education,
        occupation,
        marital_status,
        citizenship,
        blood_type,
        rt_id,
        address,
        phone,
        status,
    ) in rows.iterator(chunk_size=CHUNK_ROWS):
        path = paths.get(rt_id, empty_path) if rt_id else empty_path
        yield [
            nik,
            full_name,
            kk_number or "",
            labels["hubungan_keluarga"].get(relation, ""),
            birth_place,
            birth_date.isoformat() if birth_date else "",
            sex,
            labels["agama"].get(religion, ""),
            labels["pendidikan"].get(education, ""),
            labels["pekerjaan"].get(occupation, ""),
            labels["status_perkawinan"].get(marital_status, ""),
            labels["kewarganegaraan"].get(citizenship, ""),
            labels["golongan_darah"].get(blood_type, ""),
            path[AreaLevel.DUSUN],
            path[AreaLevel.RW],
            path[AreaLevel.RT],
            address,
            phone,
            status,
        ]


def resident_export_csv_chunks() -> Iterator[str]:
    """The CSV export (UTF-8 with BOM, so Excel reads it as UTF-8), chunk by chunk."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(EXPORT_HEADER)
    buffer: list[str] = []
    for row in resident_export_rows():
        buffer.append(writer.writerow([spreadsheet_cell(value) for value in row]))
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def resident_export_xlsx(*, on_progress: Callable[[int], None] | None = None) -> bytes:
    """The .xlsx export, written in openpyxl's write-only (streaming) mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Penduduk")
    header = []
    for key in EXPORT_HEADER:
        cell = WriteOnlyCell(sheet, value=key)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    text_positions = [i for i, key in enumerate(EXPORT_HEADER) if key in TEXT_COLUMNS]
    for done, row in enumerate(resident_export_rows(), start=1):
        # NIK, KK and the like as text cells: Excel would round a 16-digit number.
        cells: list[object] = list(row)
        for position in text_positions:
            if cells[position]:
                cell = WriteOnlyCell(sheet, value=cells[position])
                cell.number_format = "@"
                cells[position] = cell
        for position, value in enumerate(row):
            if isinstance(value, str) and text_is_formula_like(value):
                # openpyxl writes a text starting with "=" as a formula unless told it is text
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells[position] = cell
        sheet.append(cells)
        if on_progress is not None and done % CHUNK_ROWS == 0:
            on_progress(done)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
