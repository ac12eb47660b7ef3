"""Make the keys Guichet needs that are missing; never replace one (make run calls this)."""

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand

from guichet import keys


def key_files() -> keys.KeyFiles:
    saml_key, saml_cert = settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE
    saml = None
    if bool(saml_key) == bool(saml_cert):  # half given: the checks say so, nothing to guess
        folder = Path(settings.VAR_DIR) / "saml"
        saml = (Path(saml_key or folder / "idp.key"), Path(saml_cert or folder / "idp.crt"))
    demo_zimbra = settings.GUICHET_DEMO and settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR
    return keys.KeyFiles(
        secret_key=settings.GUICHET_SECRET_KEY_FILE,
        oidc=settings.GUICHET_OIDC_KEY_FILE,
        saml=saml,
        field_key=settings.GUICHET_FIELD_KEY_FILE,
        zimbra_dir=Path(settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR) if demo_zimbra else None,
        zimbra_domains=zimbra_domains(Path(settings.GUICHET_SETUP_FILE)) if demo_zimbra else (),
        site_name=settings.GUICHET_SITE_NAME,
    )


def zimbra_domains(setup_file: Path) -> tuple[str, ...]:
    """Mail domains whose people open a Zimbra client of the set-up file, without a key already.

    Read from the file rather than the database: keys come before migrate and load_setup.
    """
    setup = yaml.safe_load(setup_file.read_text()) or {}
    domains_of = {p["slug"]: list(p.get("domains") or []) for p in setup.get("publics") or []}
    wanted: set[str] = set()
    for client in setup.get("clients") or []:
        if client.get("protocol") == "zimbra":
            for slug in client.get("publics") or list(domains_of):
                wanted.update(domains_of.get(slug, []))
    return tuple(sorted(wanted - set(settings.GUICHET_ZIMBRA_PREAUTH_KEYS)))


class Command(BaseCommand):
    help = (
        "Make the missing keys (Django secret key, field-encryption key, OIDC signing key, SAML key pair; "
        "in demo mode the Zimbra preauth keys), files readable by their owner only. An existing key is never replaced."
    )
    requires_system_checks = []  # the checks refuse to start precisely because keys are missing

    def handle(self, *args: Any, **options: Any) -> None:
        made = keys.generate(key_files())
        for path in made:
            self.stdout.write(f"created {path}")
        if not made:
            self.stdout.write("every key is already there")
