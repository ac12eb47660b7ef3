from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from institutions import queries
from mailconfig import dns, servers


class Command(BaseCommand):
    help = (
        "Print, for each mail domain, the DNS records to publish so that mail programs find "
        "their settings (autoconfig, autodiscover, RFC 6186 SRV)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="Guichet's public host name (default: the OIDC issuer's)")
        parser.add_argument("--domain", action="append", help="only this domain (repeatable)")

    def handle(
        self, *args: object, host: str | None = None, domain: list[str] | None = None, **options: object
    ) -> None:
        host = host or urlsplit(settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT") or "").hostname
        if not host:
            raise CommandError("Guichet's public host name is unknown: pass --host guichet.example.org")
        wanted = set(domain or [])
        printed = 0
        for platform in queries.platforms():
            mail = servers.for_platform(platform)
            if mail is None:
                continue
            for name in mail.domains:
                if wanted and name not in wanted:
                    continue
                status = "" if mail.confirmed else " (réglages NON confirmés / settings NOT confirmed)"
                self.stdout.write(f"; {name} — {platform.name}{status}")
                if not mail.autodiscover:
                    self.stdout.write(f"; {platform.name} answers Autodiscover itself: no autodiscover record here")
                for line in dns.records(mail, name, host):
                    self.stdout.write(line)
                self.stdout.write("")
                printed += 1
        if wanted and printed < len(wanted):
            raise CommandError(f"unknown domain(s): {', '.join(sorted(wanted))}")
        self.stdout.write(
            f"; Guichet's HTTPS certificate must also name autoconfig.<domain> (and autodiscover.<domain>) "
            f"for every domain above: {host} serves them."
        )
