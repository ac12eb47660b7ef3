"""Print the values Exchange needs to trust Guichet through WS-Federation (README,
« WS-Federation (Exchange) »): issuer, audiences of the registered realms, thumbprint."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from institutions.models import Client
from sso.protocols.wsfed import rules as wsfed


class Command(BaseCommand):
    help = "Print the Set-OrganizationConfig line for Exchange with Guichet's WS-Federation values."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=settings.GUICHET_SAML_BASE_URL, help="Guichet's public URL")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        base = (base_url or "https://guichet.example.org").rstrip("/")
        realms = [c.config.get("realm", "") for c in Client.objects.filter(protocol="wsfed") if c.config.get("realm")]
        audiences = ",".join(f'"{realm}"' for realm in realms) or '"https://mail.example.org/owa/"'
        self.stdout.write(
            f'Set-OrganizationConfig -AdfsIssuer "{base}/wsfed/" -AdfsAudienceUris {audiences} '
            f'-AdfsSignCertificateThumbprint "{wsfed.thumbprint()}"'
        )
