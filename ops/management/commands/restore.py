from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ops import actions, backup


class Command(BaseCommand):
    help = "Restore an archive written by `backup`: database, keys and uploaded files."
    # An empty instance has no keys yet, which the start-up checks rightly refuse: the
    # archive is what brings them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that already holds accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = actions.restore_backup(options["archive"], force=options["force"])
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Sauvegarde du %(at)s restaurée. Redémarrez les processus.") % {"at": manifest.created_at})
