"""Loading the Kemendagri region list."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from balai.regions.models import Region, RegionLevel

CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
EXPECTED_DEPTH = {
    RegionLevel.PROVINSI: 1,
    RegionLevel.KABUPATEN: 2,
    RegionLevel.KOTA: 2,
    RegionLevel.KECAMATAN: 3,
    RegionLevel.DESA: 4,
    RegionLevel.KELURAHAN: 4,
}
BUNDLED_LAMPUNG = Path(__file__).resolve().parent / "data" / "regions_lampung.csv"


class RegionFileError(ValueError):
    def __init__(self, line: int, field: str, message: str):
        super().__init__(f"line {line}, {field}: {message}")
        self.line = line
        self.field = field


def _read_rows(path: Path) -> Iterable[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def regions_load(*, path: Path, batch_size: int = 5000) -> int:
    """Insert or update regions from a ``code,name,level,parent_code`` CSV (optionally .gz).

    Rows are validated before anything is written; the whole file loads in one
    transaction, parents before children, so a bad line leaves the table untouched.
    """
    regions: list[Region] = []
    seen: set[str] = set()
    for line, row in enumerate(_read_rows(path), start=2):
        code = (row.get("code") or "").strip()
        level = (row.get("level") or "").strip()
        parent = (row.get("parent_code") or "").strip() or None
        if not CODE_PATTERN.match(code):
            raise RegionFileError(line, "code", f"{code!r} is not a Kemendagri code")
        if level not in EXPECTED_DEPTH:
            raise RegionFileError(line, "level", f"unknown level {level!r}")
        if EXPECTED_DEPTH[RegionLevel(level)] != code.count(".") + 1:
            raise RegionFileError(line, "level", f"{level} does not match code {code}")
        expected_parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent != expected_parent:
            raise RegionFileError(line, "parent_code", f"expected {expected_parent!r}")
        seen.add(code)
        regions.append(
            Region(
                code=code,
                name=(row.get("name") or "").strip(),
                level=level,
                parent_id=parent,
                bps_code=(row.get("bps_code") or "").strip(),
            )
        )
    # Sorting by depth puts every parent before its children.
    regions.sort(key=lambda region: (region.code.count("."), region.code))
    with transaction.atomic():
        existing = (
            set(Region.objects.filter(code__in=seen).values_list("code", flat=True))
            if (len(seen) < 20000)
            else set(Region.objects.values_list("code", flat=True))
        )
        for region in regions:
            parent = region.parent_id
            if parent and parent not in seen and parent not in existing:
                raise RegionFileError(0, "parent_code", f"{parent} is not loaded")
        for start in range(0, len(regions), batch_size):
            Region.objects.bulk_create(
                regions[start : start + batch_size],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent", "bps_code"],
            )
    return len(regions)


def regions_csv_text(rows: Iterable[tuple[str, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "level", "parent_code"])
    writer.writerows(rows)
    return out.getvalue()
