"""Rotate the OpenID Connect signing key; drop retired keys whose tokens have all expired."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from audit.actions import record
from sso import events
from sso.protocols.oidc import keys as oidc_keys


def _kid(pem: str) -> str:
    kid: str = jwk_from_pem(pem).thumbprint()
    return kid


class Command(BaseCommand):
    help = (
        "Retire the current OIDC signing key (still published until its tokens expire) and create a "
        "new one; then drop retired keys older than the longest token lifetime. Restart the workers after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prune-only", action="store_true", help="only drop expired retired keys")
        parser.add_argument(
            "--keep-seconds",
            type=int,
            default=None,
            help="how long a retired key stays published (default: the longest token lifetime)",
        )

    def handle(self, *args: Any, prune_only: bool = False, keep_seconds: int | None = None, **options: Any) -> None:
        current, inactive = settings.GUICHET_OIDC_KEY_FILE, settings.GUICHET_OIDC_INACTIVE_KEY_DIR
        if keep_seconds is None:
            # ID tokens are the signed ones; access tokens are opaque, counted to stay on the safe side.
            keep_seconds = max(oauth2_settings.ID_TOKEN_EXPIRE_SECONDS, oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
        if not prune_only:
            retired = oidc_keys.rotate(current, inactive)
            old_kid, new_kid = _kid(retired.read_text()), _kid(current.read_text())
            record(events.OIDC_SIGNING_ROTATED, kid=new_kid, retired_kid=old_kid)
            self.stdout.write(
                _("Nouvelle clé de signature %(new)s ; %(old)s retirée, encore publiée %(seconds)s s.")
                % {"new": new_kid, "old": old_kid, "seconds": keep_seconds}
            )
        for path in oidc_keys.prune(inactive, keep_seconds):
            self.stdout.write(_("Clé retirée supprimée : %(name)s.") % {"name": path.name})
        if not prune_only:
            self.stdout.write(_("Redémarrez les workers pour qu'ils signent avec la nouvelle clé."))
