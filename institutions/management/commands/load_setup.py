from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from institutions.loader import SetupError, load


class Command(BaseCommand):
    help = "Load the institution set-up file (idempotent: loading twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="defaults to GUICHET_SETUP_FILE")

    def handle(self, *args, path=None, **options):
        file = Path(path) if path else settings.GUICHET_SETUP_FILE
        try:
            counts = load(file)
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        self.stdout.write(f"{file}: {summary}")
