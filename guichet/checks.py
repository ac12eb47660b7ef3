"""Start-up checks: nothing the set-up needs may be missing while Guichet serves.

Each is an Error, so `manage.py check` (which `make run` runs) and every other command
refuse to go on, and gunicorn's workers refuse to boot on a key problem (guichet/wsgi.py).
Serving anyway would mean 500s on the very pages people use to reach their mail.
Messages are the operator's: translated in the active language when the checks run.
"""

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import keys
from .private_files import field_key_problem

KEYS_TAG = "keys"
Configs = Sequence[AppConfig] | None


def _hint_generate(then: str = "") -> str:
    hint = _("Créez les clés manquantes avec « %(command)s » (make run le fait).") % {"command": keys.GENERATE}
    return f"{hint} {then}" if then else hint


def _restore_hint() -> str:
    return _hint_generate(_("Si elle a été perdue, restaurez-la depuis la sauvegarde."))


@register(KEYS_TAG)
def secret_key(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty one on access
    except ImproperlyConfigured:
        where = settings.GUICHET_SECRET_KEY_FILE or "GUICHET_SECRET_KEY"
        message = _(
            "La clé secrète de Django manque ou ne peut être lue (%(where)s) : Guichet ne démarre pas "
            "plutôt que d'en créer une nouvelle, qui invaliderait tous les liens et codes envoyés."
        )
        return [Error(message % {"where": where}, hint=_restore_hint(), id="guichet.E010")]
    return []


@register(KEYS_TAG)
def field_key(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    where = str(settings.GUICHET_FIELD_KEY_FILE or "GUICHET_FIELD_KEY")
    problem = field_key_problem(settings.SALT_KEY, where)
    if problem is None:
        return []
    message = _(
        "La clé de chiffrement des champs est inutilisable (%(problem)s) : sans elle, les secrets "
        "TOTP et les messages en attente sont illisibles."
    )
    return [Error(message % {"problem": problem}, hint=_restore_hint(), id="guichet.E015")]


@register(KEYS_TAG)
def oidc_signing_key(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    pem = settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY", "")
    problem = keys.oidc_problem(pem, settings.GUICHET_OIDC_KEY_FILE)
    if problem is None:
        return []
    message = _("La clé de signature OpenID Connect est inutilisable : %(problem)s.") % {"problem": problem}
    hint = _hint_generate(_("Une clé existante illisible doit être restaurée, pas remplacée."))
    return [Error(message, hint=hint, id="guichet.E011")]


@register(KEYS_TAG)
def saml_key_pair(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    from sso.protocols.saml import idp as saml
    from sso.protocols.saml import keys as saml_keys

    try:
        key, cert = saml.keypair()
    except ImproperlyConfigured as error:
        problem: str | None = str(error)
    else:
        problem = saml_keys.problem(Path(key), Path(cert))
    if problem is None:
        return []
    message = _("La paire de clés SAML est inutilisable : %(problem)s.") % {"problem": problem}
    return [Error(message, hint=_hint_generate(), id="guichet.E012")]


@register("guichet")
def saml_needs_xmlsec1(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    from institutions.models import Client
    from sso.protocols.saml import idp as saml

    try:
        clients = list(Client.objects.filter(protocol="saml").values_list("slug", flat=True))
    except DatabaseError:  # not migrated yet: nothing configured
        return []
    if not clients or saml.xmlsec_binary():
        return []
    message = _(
        "Le programme xmlsec1 est introuvable alors que des clients SAML sont déclarés (%(clients)s) : "
        "aucune connexion SAML ne pourrait être signée."
    )
    hint = _("Installez le paquet Debian xmlsec1 (en root : apt-get install xmlsec1 ; make run le fait).")
    return [Error(message % {"clients": ", ".join(clients)}, hint=hint, id="guichet.E013")]


@register("guichet")
def zimbra_preauth_keys(app_configs: Configs, **kwargs: Any) -> list[CheckMessage]:
    from institutions.models import Client, MailDomain
    from sso.protocols.zimbra import rules as zimbra

    errors: list[CheckMessage] = []
    try:
        clients = list(Client.objects.filter(protocol="zimbra").prefetch_related("publics"))
        for client in clients:
            publics = list(client.publics.all())
            domains = MailDomain.objects.filter(public__in=publics) if publics else MailDomain.objects.all()
            missing = [d for d in domains.values_list("domain", flat=True) if not _has_preauth_key(zimbra, d)]
            if missing:
                errors.append(_zimbra_error(client, missing))
    except DatabaseError:  # not migrated yet: nothing configured
        return []
    return errors


def _zimbra_error(client: Any, missing: list[str]) -> Error:
    message = _(
        "Le client Zimbra « %(client)s » n'a pas de clé preauth pour %(domains)s : "
        "« Ouvrir ma messagerie » n'aboutirait pas."
    )
    hint = _(
        "Donnez la clé du domaine (zmprov generateDomainPreAuthKey) dans "
        "GUICHET_ZIMBRA_PREAUTH_KEYS ou un fichier par domaine dans GUICHET_ZIMBRA_PREAUTH_KEY_DIR."
    )
    return Error(
        message % {"client": client.slug, "domains": ", ".join(missing)}, hint=hint, obj=client, id="guichet.E014"
    )


def _has_preauth_key(zimbra: ModuleType, domain: str) -> bool:
    try:
        return bool(zimbra.preauth_key(domain))
    except (ImproperlyConfigured, OSError):
        return False
