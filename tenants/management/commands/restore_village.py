from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balai.errors import BalaiError
from tenants.offboarding import village_restore


class Command(BaseCommand):
    help = "Restore a village from an export archive (the region must not be onboarded)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--slug", default=None, help="Give the village a new subdomain")

    def handle(self, *args, path: Path, slug: str | None, **options):
        try:
            village = village_restore(archive=path, slug=slug)
        except BalaiError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{village.name} ({village.region_id}) restored: schema {village.schema_name}, "
                f"slug {village.slug}"
            )
        )
        inactive = village.memberships.filter(user__is_active=False).count()
        if inactive:
            self.stdout.write(
                f"{inactive} staff account(s) are inactive without a password: reset them."
            )
