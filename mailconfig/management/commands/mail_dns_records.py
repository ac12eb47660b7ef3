from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from institutions import queries
from mailconfig import dns, servers


class Command(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The description in the operator's language, looked up when asked (not at import).
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = _(
            "Affiche, pour chaque domaine de messagerie, les enregistrements DNS à publier pour que les "
            "logiciels de messagerie trouvent leurs réglages (autoconfig, autodiscover, SRV de la RFC 6186)."
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help=_("nom d'hôte public de Guichet (par défaut : celui de l'émetteur OIDC)"))
        parser.add_argument("--domain", action="append", help=_("ce domaine seulement (répétable)"))

    def handle(
        self, *args: object, host: str | None = None, domain: list[str] | None = None, **options: object
    ) -> None:
        host = host or urlsplit(settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT") or "").hostname
        if not host:
            raise CommandError(_("Nom d'hôte public de Guichet inconnu : passez --host guichet.example.org"))
        wanted = set(domain or [])
        printed = 0
        for platform in queries.platforms():
            mail = servers.for_platform(platform)
            if mail is None:
                continue
            for name in mail.domains:
                if wanted and name not in wanted:
                    continue
                status = "" if mail.confirmed else " " + _("(réglages NON confirmés)")
                self.stdout.write(f"; {name} — {platform.name}{status}")
                if not mail.autodiscover:
                    self.stdout.write(
                        "; "
                        + _("%(platform)s répond lui-même à Autodiscover : pas d'enregistrement autodiscover ici")
                        % {"platform": platform.name}
                    )
                for line in dns.records(mail, name, host):
                    self.stdout.write(line)
                self.stdout.write("")
                printed += 1
        if wanted and printed < len(wanted):
            raise CommandError(_("domaine(s) inconnu(s) : %(domains)s") % {"domains": ", ".join(sorted(wanted))})
        self.stdout.write(
            "; "
            + _(
                "Le certificat HTTPS de Guichet doit aussi nommer autoconfig.<domaine> (et "
                "autodiscover.<domaine>) pour chaque domaine ci-dessus : %(host)s les sert."
            )
            % {"host": host}
        )
