"""Importing 20,000 residents in 6,000 families, from .xlsx and from .csv, with full
validation; compared with a raw COPY of the same rows, and with openpyxl's reader.

For each format and sample, the village's register is emptied (untimed), then timed:
- the whole import as the product runs it: ``resident_import_start`` (the request: file
  checks, hash, the upload stored in the job) and the task (eager, so no queue latency:
  read, check with progress writes, one write transaction, job bookkeeping);
- the same steps one by one (inspect, read, check, write) to show where the time goes;
- a re-import of the same people (every row found by NIK, nothing changed);
- a raw COPY of the same, already clean rows straight into the resident table (no
  families, areas or events: the floor for moving 20,000 rows into PostgreSQL).
Then the exports (CSV and .xlsx) of the 20,000 residents.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_import BALAI_ENV=development \
     REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/bench_import.py [--samples 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import random
import time
from pathlib import Path

from common import (
    command_line,
    database_prepare,
    django_setup,
    log,
    machine_describe,
    median,
    results_write,
    seconds_text,
)

RESIDENTS = 20_000
FAMILIES = 6_000
REGION_CODE = "18.08.11.2015"  # Kota Jawa, Kecamatan Negara Batin
SLUG = "bench-import"
TARGET_ROWS_PER_SECOND = 5_000
# CPU seconds per whole import, by file: of this process (read, validate, send) and of
# its PostgreSQL backend (from /proc: the server runs on this machine).
CPU_SECONDS: dict[str, list[tuple[float, float]]] = {}

FIRST_NAMES = ["Ahmad", "Siti", "Budi", "Dewi", "Rudi", "Sri", "Agus", "Rina", "Joko", "Wati"]
LAST_NAMES = ["Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Nugroho"]
RELIGIONS = ["Islam", "ISLAM", "islam", "Kristen", "KATHOLIK", "Hindu", "Budha"]
EDUCATIONS = ["SLTA/SEDERAJAT", "Tamat SD/sederajat", "SLTP/Sederajat", "Diploma IV/Strata I"]
OCCUPATIONS = ["PETANI/PEKEBUN", "Wiraswasta", "Pelajar/mahasiswa", "Mengurus rumah tangga"]


def register_rows(seed: int = 2410) -> list[list[str]]:
    """20,000 people in 6,000 families: a head, a spouse, then children; labels in the
    mixed spellings of real files; every NIK consistent with its birth date and sex."""
    from services.residents.import_template import COLUMN_KEYS

    rng = random.Random(seed)
    rows: list[list[str]] = []
    serial = 0
    sizes = [3] * FAMILIES
    for index in rng.sample(range(FAMILIES), RESIDENTS - 3 * FAMILIES):
        sizes[index] += 1
    for family, size in enumerate(sizes):
        kk = f"1808111{family:09d}"
        dusun = f"Dusun {family % 4 + 1}"
        rw, rt = f"{family % 3 + 1:03d}", f"{family % 12 + 1:03d}"
        for member in range(size):
            serial += 1
            female = member == 1 or (member > 1 and rng.random() < 0.5)
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(25_000))
            if member < 2:
                born = min(born, datetime.date(2000, 1, 1))
            day = born.day + (40 if female else 0)
            region = f"1808{11 + serial // 10_000:02d}"  # serials run 0001-9999 per region
            nik = (
                f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 10_000 or 1:04d}"
            )
            relation = ["Kepala Keluarga", "ISTRI"][member] if member < 2 else "Anak"
            values = {
                "nik": nik,
                "nama": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {serial}",
                "no_kk": kk,
                "hubungan_keluarga": relation,
                "tempat_lahir": "Way Kanan",
                "tanggal_lahir": born.strftime("%d-%m-%Y") if serial % 2 else born.isoformat(),
                "jenis_kelamin": "P" if female else "L",
                "agama": rng.choice(RELIGIONS),
                "pendidikan": rng.choice(EDUCATIONS),
                "pekerjaan": rng.choice(OCCUPATIONS),
                "status_perkawinan": "Kawin" if member < 2 else "BELUM KAWIN",
                "kewarganegaraan": "WNI",
                "golongan_darah": rng.choice(["A", "B", "AB", "O", ""]),
                "dusun": dusun,
                "rw": rw,
                "rt": rt,
                "alamat": f"Jl. Poros Kampung No. {family}",
                "telepon": f"0812{serial:08d}" if member == 0 else "",
            }
            rows.append([values[key] for key in COLUMN_KEYS])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    from services.residents.import_template import COLUMN_KEYS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    from services.residents.import_template import COLUMN_KEYS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Penduduk")
    sheet.append(list(COLUMN_KEYS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def village_get():
    from balai.onboarding.services import village_onboard

    return village_onboard(
        region_code=REGION_CODE,
        slug=SLUG,
        name="Kota Jawa",
        local_term="kampung",
        admin_username="bench-import-admin",
        admin_password="kata-sandi-bench-123",  # noqa: S106 - a scratch database
    ).village


def register_empty() -> None:
    """Empty the register of the active (bench) village schema."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE residents_populationevent, residents_resident, residents_family, "
            "village_area, imports_jobfile, imports_importjob, events_domainevent, "
            "audit_auditentry RESTART IDENTITY CASCADE"
        )


def import_whole(name: str, content: bytes, actor) -> tuple[float, object]:
    from services.imports import services
    from services.imports.models import ImportJob

    backend = backend_pid()
    started, cpu, backend_cpu = time.perf_counter(), time.process_time(), process_cpu(backend)
    job, _ = services.resident_import_start(
        actor=actor, name=name, content=content, mode="all_or_nothing", force=True
    )  # the task runs eagerly when the upload commits
    elapsed = time.perf_counter() - started
    CPU_SECONDS.setdefault(name, []).append(
        (time.process_time() - cpu, process_cpu(backend) - backend_cpu)
    )
    return elapsed, ImportJob.objects.get(pk=job.pk)


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_steps(name: str, content: bytes) -> dict[str, float]:
    from services.residents import importing

    times: dict[str, float] = {}
    started = time.perf_counter()
    inspected = importing.register_file_inspect(name=name, content=content)
    times["inspect"] = time.perf_counter() - started
    started = time.perf_counter()
    _, rows = importing.register_file_rows(file_format=inspected.file_format, content=content)
    times["read"] = time.perf_counter() - started
    started = time.perf_counter()
    check = importing.register_rows_check(rows=rows, columns=inspected.columns)
    times["check"] = time.perf_counter() - started
    assert check.error_rows == 0, check.report[:3]
    started = time.perf_counter()
    written = importing.register_rows_write(rows=check.rows, actor_id=None)
    times["write"] = time.perf_counter() - started
    assert written.created == RESIDENTS, written
    return times


def raw_copy(rows: list[list[str]]) -> float:
    """COPY the rows, already clean, straight into the resident table, and commit."""
    from django.db import connection, transaction

    from services.residents.import_template import COLUMN_KEYS

    at = {key: i for i, key in enumerate(COLUMN_KEYS)}
    now = datetime.datetime.now(datetime.UTC)
    clean = []
    for row in rows:
        born = row[at["tanggal_lahir"]]
        if "-" in born and len(born.split("-")[0]) == 2:
            day, month, year = born.split("-")
            born = f"{year}-{month}-{day}"
        clean.append(
            (row[at["nik"]], row[at["nama"]], row[at["tempat_lahir"]], born,
             row[at["jenis_kelamin"]], "islam", "slta", "petani_pekebun", "kawin", "anak", "wni",
             "", "", row[at["telepon"]], "hidup", "tetap", False, now, now)
        )  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY residents_resident (nik, full_name, birth_place, birth_date, sex, religion, "
            "education, occupation, marital_status, family_relation, citizenship, blood_type, "
            "address, phone, status, residence, nik_warning_acknowledged, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for values in clean:
                copy.write_row(values)
    return time.perf_counter() - started


def openpyxl_read(content: bytes) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert count == RESIDENTS + 1
    return time.perf_counter() - started


def exports() -> dict[str, float]:
    from services.residents import exporting

    started = time.perf_counter()
    size = sum(len(chunk) for chunk in exporting.resident_export_csv_chunks())
    csv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    xlsx = exporting.resident_export_xlsx()
    xlsx_seconds = time.perf_counter() - started
    log(f"  export: csv {size / 1e6:.1f} MB, xlsx {len(xlsx) / 1e6:.1f} MB")
    return {"csv": csv_seconds, "xlsx": xlsx_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    # The import task runs in this process when the upload commits (no queue latency).
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    django_setup()
    from django_tenants.utils import schema_context

    from balai.accounts.models import User
    from services.residents.models import Family, PopulationEvent, Resident

    machine = machine_describe()
    database_prepare()
    village = village_get()
    actor = User.objects.get(username="bench-import-admin")
    rows = register_rows()
    files = {"xlsx": as_xlsx(rows), "csv": as_csv(rows)}
    log(f"files: xlsx {len(files['xlsx']) / 1e6:.1f} MB, csv {len(files['csv']) / 1e6:.1f} MB")

    whole: dict[str, list[float]] = {"xlsx": [], "csv": []}
    steps: dict[str, list[dict[str, float]]] = {"xlsx": [], "csv": []}
    again: dict[str, list[float]] = {"xlsx": [], "csv": []}
    copies: list[float] = []
    readers: list[float] = []
    with schema_context(village.schema_name):
        for sample in range(args.samples):
            for fmt, content in files.items():
                register_empty()
                seconds, job = import_whole(f"penduduk.{fmt}", content, actor)
                assert job.status == "finished" and job.created_count == RESIDENTS, (
                    job.status,
                    job.failure_message,
                    job.report[:3],
                )
                assert Family.objects.count() == FAMILIES
                assert PopulationEvent.objects.count() == RESIDENTS
                whole[fmt].append(seconds)
                seconds, job = import_whole(f"penduduk.{fmt}", content, actor)
                assert job.unchanged_count == RESIDENTS and job.created_count == 0
                again[fmt].append(seconds)
                register_empty()
                steps[fmt].append(import_steps(f"penduduk.{fmt}", content))
                log(
                    f"  sample {sample + 1} {fmt}: whole {whole[fmt][-1]:.2f} s, "
                    f"again {again[fmt][-1]:.2f} s, steps "
                    + ", ".join(f"{k} {v:.2f}" for k, v in steps[fmt][-1].items())
                )
            register_empty()
            copies.append(raw_copy(rows))
            assert Resident.objects.count() == RESIDENTS
            if sample == 0:  # a reference, slow: measured once
                readers.append(openpyxl_read(files["xlsx"]))
            log(f"  sample {sample + 1}: raw COPY {copies[-1]:.2f} s")
        register_empty()
        import_whole("penduduk.csv", files["csv"], actor)
        export_times = [exports()]  # a reference for the sync-or-job decision: once
    machine.finish()
    results_write("import", report(whole, again, steps, copies, readers, export_times, machine),
                  write=not args.print)  # fmt: skip


def report(whole, again, steps, copies, readers, export_times, machine) -> str:
    copy_median = median(copies)

    def rate(seconds: float) -> str:
        return f"{RESIDENTS / seconds:,.0f}"

    lines = [
        "# Import of the resident register: 20,000 residents in 6,000 families",
        "",
        f"Command: `{command_line()}`",
        "",
        machine.markdown(),
        "",
        "Each figure is the median of the samples; rows/s = 20,000 / seconds. "
        f"Target: at least {TARGET_ROWS_PER_SECOND:,} rows/s from .xlsx with full validation "
        "(OpenSID v2410: 98.6 s, 203 rows/s).",
        "",
        "## Whole import (request checks + task: read, validate, write, job bookkeeping)",
        "",
        "| file | first import (median) | rows/s | target met | best sample | rows/s "
        "| re-import, all unchanged | rows/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for fmt in ("xlsx", "csv"):
        first, best, repeat = median(whole[fmt]), min(whole[fmt]), median(again[fmt])
        lines.append(
            f"| .{fmt} | {seconds_text(first)} | {rate(first)} | "
            f"{'yes' if RESIDENTS / first >= TARGET_ROWS_PER_SECOND else 'NO'} | "
            f"{seconds_text(best)} | {rate(best)} | {seconds_text(repeat)} | {rate(repeat)} |"
        )
    lines += [
        "",
        "The best sample is the one least slowed by the other processes on the 2 cores.",
    ]
    lines += [
        "",
        "CPU time of a first import, to see past the shared machine (wall time above also "
        "waits for a core: see the load averages above): the Python process "
        "(read, validate, send) and its PostgreSQL backend (the writes, from /proc).",
        "",
        "| file | Python CPU | PostgreSQL backend CPU | sum | rows per CPU second |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fmt in ("xlsx", "csv"):
        firsts = CPU_SECONDS[f"penduduk.{fmt}"][0::2]
        python_cpu, backend_cpu = median(c[0] for c in firsts), median(c[1] for c in firsts)
        lines.append(
            f"| .{fmt} | {seconds_text(python_cpu)} | {seconds_text(backend_cpu)} | "
            f"{seconds_text(python_cpu + backend_cpu)} | {rate(python_cpu + backend_cpu)} |"
        )
    lines += [
        "",
        "## Where the time goes (the same steps called one by one)",
        "",
        "| file | inspect (request) | read rows | validate | write (one transaction) | sum |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fmt in ("xlsx", "csv"):
        parts = {k: median(s[k] for s in steps[fmt]) for k in steps[fmt][0]}
        lines.append(
            f"| .{fmt} | "
            + " | ".join(seconds_text(parts[k]) for k in ("inspect", "read", "check", "write"))
            + f" | {seconds_text(sum(parts.values()))} |"
        )
    write_median = median(median(s["write"] for s in steps[fmt]) for fmt in ("xlsx", "csv"))
    lines += [
        "",
        "## Against a raw COPY and against openpyxl's reader",
        "",
        f"- Raw COPY of the same 20,000 clean rows into `residents_resident` (no families, "
        f"areas or events, no validation): **{seconds_text(copy_median)}** "
        f"({rate(copy_median)} rows/s).",
        "- The import's write step alone (areas, the look-up of known NIKs, ids for the new "
        "people from the sequence, 6,000 families with their heads upserted by KK number, "
        "COPY of the new people into the table, their 20,000 REGISTERED events by COPY, and "
        "the ~70,000 deferred foreign-key checks at commit): "
        f"{seconds_text(write_median)}, {write_median / copy_median:.1f}x the raw COPY.",
        f"- The whole .xlsx import: {median(whole['xlsx']) / copy_median:.1f}x the raw COPY; "
        f"the whole .csv import: {median(whole['csv']) / copy_median:.1f}x.",
        "- openpyxl in read-only mode only *reading* the .xlsx (one sample): "
        f"{seconds_text(median(readers))} ({rate(median(readers))} rows/s), before any "
        "validation or writing. That alone misses the target on this machine, which is why "
        "the worker reads .xlsx with python-calamine (Rust), the request checks the header "
        "with a small streaming parser (openpyxl would first load every shared string: "
        "seconds in the request), and openpyxl only writes files (template, export).",
        "",
        "## Export of the same 20,000 residents (one sample)",
        "",
        f"- CSV (streamed in the request): {seconds_text(median(e['csv'] for e in export_times))}",
        f"- .xlsx (openpyxl write-only): {seconds_text(median(e['xlsx'] for e in export_times))}"
        " -> runs as a job in the worker (POST /api/village/exports/residents.xlsx), the "
        "CSV stays a streamed download: it is well under a second.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
