"""``balai demo``: migrate, load regions, onboard Negara Batin's villages, then serve.

Starts a Celery worker and beat beside the web server and prints the URLs to open.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from balai.demo import DEMO_PASSWORD, DEMO_PIN, RICH_VILLAGES, demo_seed
from balai.regions.services import BUNDLED_LAMPUNG, regions_load
from services.residents.models import ResidentAccount
from tenants.models import Village


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="0.0.0.0:8000")  # noqa: S104 - a local demo
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the data, print the URLs and exit"
        )

    def handle(self, *args, addr, no_serve, **options):
        if settings.PRODUCTION:
            raise CommandError("the demo prints well-known passwords; not in production")
        self.stdout.write("Migrating the public schema and preparing the village template ...")
        call_command("migrate_villages", verbosity=0)
        self.stdout.write(f"{regions_load(path=BUNDLED_LAMPUNG)} regions of Lampung loaded")
        self.stdout.write("Onboarding the villages of Kecamatan Negara Batin, Way Kanan:")
        port = addr.rsplit(":", 1)[-1]
        rows = demo_seed(log=self.stdout.write, port=port)
        first = Village.objects.order_by("region_id").first()
        with schema_context(first.schema_name):
            account = ResidentAccount.objects.select_related("resident").first()
        self.stdout.write(self.style.SUCCESS(f"\n{len(rows)} villages ready."))
        self.stdout.write(
            f"Platform admin:  http://localhost:{port}/masuk/  admin / {DEMO_PASSWORD}"
            f"  (Django admin: http://localhost:{port}/admin/)\n"
            f"Supervisors:     http://localhost:{port}/masuk/  camat (Kecamatan Negara Batin),"
            f" bupati (Way Kanan) / {DEMO_PASSWORD}\n"
            f"Village staff:   http://{first.slug}.localhost:{port}/masuk/  kakam-{first.slug},"
            f" operator-{first.slug} (and so on per village) / {DEMO_PASSWORD}\n"
            f"Resident:        http://{first.slug}.localhost:{port}/masuk/  NIK "
            f"{account.resident.nik}, PIN {DEMO_PIN}\n"
            f"Village example: http://{first.slug}.localhost:{port}/ (the first {RICH_VILLAGES} "
            "villages also have letters, news, budget, complaints, UMKM and a programme)\n"
            f"API:             http://{first.slug}.localhost:{port}/api/schema/ (OpenAPI)\n"
        )
        if no_serve:
            return
        # `kill` of the demo must take the worker with it, so turn SIGTERM into an exit
        # that runs the finally block below.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        env = dict(os.environ)
        worker = subprocess.Popen(
            [sys.executable, "-m", "balai.cli", "worker", "--concurrency", "2", "-B"], env=env
        )
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
