from django.core.management.base import BaseCommand

from balai import devservices


class Command(BaseCommand):
    help = "Show or stop the embedded development PostgreSQL and Redis (balai devservices stop)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action, **options):
        if action == "stop":
            devservices.stop()
            self.stdout.write("embedded PostgreSQL and Redis stopped")
        else:
            self.stdout.write(f"data folder: {devservices.data_dir()}")
