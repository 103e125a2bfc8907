from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balai.errors import BalaiError
from balai.onboarding.services import BULK_COLUMNS, parse_bulk_csv, villages_onboard_bulk


class Command(BaseCommand):
    help = (
        "Onboard villages from a CSV (columns: "
        + ",".join(BULK_COLUMNS)
        + "); prints one result per row."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            rows = parse_bulk_csv(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, BalaiError) as error:
            raise CommandError(str(error)) from error

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total}", ending="")

        results = villages_onboard_bulk(rows=rows, progress=progress)
        self.stderr.write("")
        failed = 0
        for result in results:
            if result["status"] == "error":
                failed += 1
                detail = "; ".join(f"{e['field']}: {e['message_en']}" for e in result["errors"])
                self.stdout.write(f"row {result['row']}: error: {detail}")
            else:
                self.stdout.write(f"row {result['row']}: {result['status']} {result['host']}")
        self.stdout.write(f"{len(results) - failed} ok, {failed} failed")
        if failed:
            raise CommandError(f"{failed} row(s) failed")
