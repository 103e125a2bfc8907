"""How long exporting, deleting and restoring one village takes, by number of residents.

One bench village is onboarded, filled with residents (bulk insert, untimed), then for each
size: ``village_export`` (pg_dump + public rows + archive), ``village_delete`` (DROP SCHEMA
and rows) and ``village_restore`` (checks + replay of the dump on Django's connection), each
timed end to end, ``samples`` times; medians are reported with the archive size. The
village and its archives are removed at the end.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_offboard BALAI_ENV=development \
     .venv/bin/python bench/bench_offboarding.py [--sizes 1000,10000,50000] [--samples 3]
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
from pathlib import Path

from common import (
    bench_slug,
    command_line,
    database_prepare,
    django_setup,
    free_region_codes,
    log,
    machine_describe,
    median,
    results_write,
    seconds_text,
    timed,
    village_remove,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--print", action="store_true", help="print instead of writing results")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    django_setup()
    from django.test import override_settings
    from django_tenants.utils import schema_context

    from balai.onboarding.services import village_onboard
    from services.residents.models import Resident
    from tenants.models import Village
    from tenants.offboarding import village_delete, village_export, village_restore

    database_prepare()
    machine = machine_describe()
    region_code = free_region_codes()[0]
    slug = bench_slug(region_code)
    export_dir = Path(tempfile.mkdtemp(prefix="balai-bench-exports-"))
    rows = []
    with override_settings(BALAI_EXPORT_DIR=export_dir):
        village = village_onboard(
            region_code=region_code, slug=slug, admin_username="bench-offboard-admin"
        ).village
        try:
            present = 0
            for size in sizes:
                with schema_context(village.schema_name):
                    Resident.objects.bulk_create(
                        (
                            Resident(
                                nik=f"{n:016d}",
                                full_name=f"Warga Bench {n}",
                                birth_date=datetime.date(1990, 1, 1),
                                sex="L",
                                phone="0812000000",
                            )
                            for n in range(present, size)
                        ),
                        batch_size=5000,
                    )
                present = size
                exports, deletes, restores = [], [], []
                archive = None
                for _ in range(options.samples):
                    village = Village.objects.get(region_id=region_code)
                    started = time.perf_counter()
                    archive = village_export(village=village)
                    exports.append(time.perf_counter() - started)
                    deletes.append(
                        timed(lambda v=village: village_delete(village=v, confirm=v.slug))
                    )
                    restores.append(timed(lambda a=archive: village_restore(archive=a)))
                village = Village.objects.get(region_id=region_code)
                with schema_context(village.schema_name):
                    assert Resident.objects.count() == size
                row = (size, median(exports), median(deletes), median(restores))
                rows.append((*row, archive.stat().st_size))
                log(
                    f"{size} residents: export {seconds_text(row[1])}, delete "
                    f"{seconds_text(row[2])}, restore {seconds_text(row[3])}, "
                    f"archive {archive.stat().st_size / 1e6:.2f} MB"
                )
        finally:
            village_remove(Village.objects.get(region_id=region_code))
            for path in export_dir.glob("*.tar.gz"):
                path.unlink()
            export_dir.rmdir()
    machine.finish()

    lines = [
        "# Offboarding: export, delete, restore one village",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        "",
        f"Median of {options.samples} samples each; every time is end to end (the export "
        "includes pg_dump, the public rows and writing the .tar.gz; the restore includes "
        "unpacking, checksums and replaying the dump in one transaction).",
        "",
        "| residents | export | delete | restore | archive |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, export, delete, restore, size_bytes in rows:
        lines.append(
            f"| {size:,} | {seconds_text(export)} | {seconds_text(delete)} | "
            f"{seconds_text(restore)} | {size_bytes / 1e6:.2f} MB |"
        )
    results_write("offboarding", "\n".join(lines) + "\n", write=not options.print)


if __name__ == "__main__":
    main()
