from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balai.regions.services import BUNDLED_LAMPUNG, RegionFileError, regions_load


class Command(BaseCommand):
    help = "Load Kemendagri regions from a code,name,level,parent_code CSV (or .csv.gz)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(BUNDLED_LAMPUNG),
            help="CSV file; defaults to the bundled Lampung list",
        )

    def handle(self, *args, path, **options):
        try:
            count = regions_load(path=Path(path))
        except (RegionFileError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} regions loaded from {path}"))
