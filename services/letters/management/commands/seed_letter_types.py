"""Give existing villages the default letter types: ``balai seed-letter-types [--village slug]``."""

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from services.letters.services import letters_seed
from tenants.models import Village


class Command(BaseCommand):
    help = "Seed the default letter types and settings into village schemas (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--village", help="slug of one village (default: every village)")

    def handle(self, *args, village=None, **options):
        villages = Village.objects.exclude(schema_name="public").order_by("region_id")
        if village:
            villages = villages.filter(slug=village)
        for row in villages:
            with schema_context(row.schema_name):
                added = letters_seed()
            self.stdout.write(f"{row.slug}: {added} letter types added")
