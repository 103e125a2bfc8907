from django.core.management.base import BaseCommand, CommandError

from balai.errors import BalaiError
from balai.onboarding.models import PlatformAuditEvent
from tenants.models import Village
from tenants.offboarding import village_delete


class Command(BaseCommand):
    help = (
        "Delete a village, its schema and its rows, for good: "
        "balai delete-village SLUG --confirm SLUG. Run `balai export-village SLUG` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--confirm", default="", help="The village's slug (or region code), typed again"
        )

    def handle(self, *args, slug: str, confirm: str, **options):
        village = Village.objects.filter(slug=slug).first()
        if village is None:
            raise CommandError(f"no village with slug {slug!r}")
        exported = PlatformAuditEvent.objects.filter(
            action="village_exported", village_code=village.region_id
        ).exists()
        if not exported:
            self.stderr.write(
                f"No export of {village.slug} is on record: deleting cannot be undone "
                f"without one (balai export-village {village.slug})."
            )
        try:
            deleted = village_delete(village=village, confirm=confirm)
        except BalaiError as error:
            raise CommandError(
                f"{error}\nNothing was deleted. Export the village first "
                f"(balai export-village {village.slug}), then run "
                f"balai delete-village {village.slug} --confirm {village.slug}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{deleted.region_code} ({deleted.slug}) deleted: schema {deleted.schema_name}, "
                f"{deleted.domains} domain(s), {deleted.memberships} membership(s)"
            )
        )
