from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from institutions.actions import load_setup
from institutions.loader import SetupError


class Command(BaseCommand):
    help = "Load the institution set-up file (idempotent: loading twice changes nothing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", nargs="?", help="defaults to GUICHET_SETUP_FILE")

    def handle(self, *args: Any, path: str | None = None, **options: Any) -> None:
        file = Path(path) if path else Path(settings.GUICHET_SETUP_FILE)
        try:
            counts = load_setup(file)
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        self.stdout.write(f"{file}: {summary}")
