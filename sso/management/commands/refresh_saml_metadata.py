from typing import Any

from django.core.management.base import BaseCommand

from sso.protocols.saml import idp as saml
from sso.protocols.saml import metadata as saml_remote


class Command(BaseCommand):
    help = "Fetch the SAML metadata of service providers registered by metadata_url, checking signatures."

    def handle(self, *args: Any, **options: Any) -> None:
        for slug, result in saml_remote.refresh_all().items():
            self.stdout.write(f"{slug}: {result}")
        saml.forget()
