"""Make the toolkit's applications match the set-up's "oidc" clients (and their secrets)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sso.protocols.oidc import rules as oidc


class Command(BaseCommand):
    help = (
        'Create, update or delete OAuth applications from the "oidc" clients, with secrets from '
        "GUICHET_OIDC_SECRET_<SLUG>. Run it after changing a secret (saving a client does it too)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        synced, errors = oidc.sync_all()
        for slug in synced:
            self.stdout.write(f"{slug}: ok")
        if errors:
            raise CommandError(_("Clients OIDC laissés de côté :") + "\n" + "\n".join(errors))
