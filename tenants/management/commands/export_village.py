from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balai.errors import BalaiError
from tenants.models import Village
from tenants.offboarding import export_file_move, village_export


class Command(BaseCommand):
    help = "Export one village (schema dump, public rows, manifest) to a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--output",
            type=Path,
            help="Move the archive here (a file or a folder); default BALAI_EXPORT_DIR",
        )

    def handle(self, *args, slug: str, output: Path | None, **options):
        village = Village.objects.filter(slug=slug).first()
        if village is None:
            raise CommandError(f"no village with slug {slug!r}")
        try:
            path = village_export(village=village)
        except BalaiError as error:
            raise CommandError(str(error)) from error
        if output is not None:
            path = export_file_move(path=path, output=output)
        self.stdout.write(self.style.SUCCESS(f"{village.region_id} exported to {path}"))
        self.stdout.write("The archive holds personal data: keep it as safely as the database.")
