from django.core.management.base import BaseCommand, CommandError

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from balai.onboarding.services import village_onboard


class Command(BaseCommand):
    help = "Onboard one village: balai onboard-village CODE NAME SLUG --admin USERNAME"

    def add_arguments(self, parser):
        parser.add_argument("region_code", help="Kemendagri village code, e.g. 18.08.11.2001")
        parser.add_argument("name", help="Village name as shown on its pages")
        parser.add_argument("slug", help="Subdomain: <slug>.<BALAI_BASE_DOMAIN>")
        parser.add_argument(
            "--admin",
            required=True,
            dest="admin_username",
            help="Username of the first admin (made if missing)",
        )
        parser.add_argument("--admin-email", default="")
        parser.add_argument(
            "--admin-password",
            default="",
            help="Password for a new admin; generated and printed if omitted",
        )
        parser.add_argument("--admin-role", default=StaffRole.KEPALA_DESA, choices=StaffRole.values)
        parser.add_argument(
            "--local-term",
            default="desa",
            help="What the village calls itself: desa, kampung, nagari ...",
        )

    def handle(self, *args, **options):
        try:
            result = village_onboard(
                region_code=options["region_code"],
                name=options["name"],
                slug=options["slug"],
                admin_username=options["admin_username"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_role=options["admin_role"],
                local_term=options["local_term"],
            )
        except BalaiError as error:
            raise CommandError(
                "; ".join(f"{e.field}: {e.message_en}" for e in error.errors)
            ) from error
        village = result.village
        verb = "onboarded" if result.created else "already onboarded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{village.name} ({village.region_id}) {verb}: schema {village.schema_name}, "
                f"host {result.host}, {result.seconds:.3f} s"
                + (f" via {result.schema_method}" if result.schema_method else "")
            )
        )
        if result.admin_password:
            self.stdout.write(f"admin {result.admin.username} password: {result.admin_password}")
