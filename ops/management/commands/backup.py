from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ops import actions, backup


class Command(BaseCommand):
    help = "Write the database, the keys and the uploaded files to one archive (0600)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="archive path (default: var/backups/<time>.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        output = options["output"] or Path(settings.VAR_DIR) / "backups" / f"guichet-{stamp}.tar.gz"
        try:
            manifest = actions.create_backup(output)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Sauvegarde écrite : %(path)s (%(count)d fichiers)") % {"path": output, "count": len(manifest.files)}
        )
