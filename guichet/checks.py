"""Start-up checks: nothing the set-up needs may be missing while Guichet serves.

Each is an Error, so `manage.py check` (which `make run` runs) and every other command
refuse to go on, and gunicorn's workers refuse to boot on a key problem (guichet/wsgi.py).
Serving anyway would mean 500s on the very pages people use to reach their mail.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from . import keys
from .private_files import field_key_problem

KEYS_TAG = "keys"
HINT_GENERATE = f"Créez les clés manquantes avec « {keys.GENERATE} » (make run le fait)."


@register(KEYS_TAG)
def secret_key(app_configs, **kwargs):
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty one on access
    except ImproperlyConfigured:
        where = settings.GUICHET_SECRET_KEY_FILE or "GUICHET_SECRET_KEY"
        return [
            Error(
                f"La clé secrète de Django manque ou ne peut être lue ({where}) : Guichet ne démarre pas "
                "plutôt que d'en créer une nouvelle, qui invaliderait tous les liens et codes envoyés.",
                hint=HINT_GENERATE + " Si elle a été perdue, restaurez-la depuis la sauvegarde.",
                id="guichet.E010",
            )
        ]
    return []


@register(KEYS_TAG)
def field_key(app_configs, **kwargs):
    where = str(settings.GUICHET_FIELD_KEY_FILE or "GUICHET_FIELD_KEY")
    problem = field_key_problem(settings.SALT_KEY, where)
    if problem is None:
        return []
    return [
        Error(
            f"La clé de chiffrement des champs est inutilisable ({problem}) : sans elle, les secrets "
            "TOTP et les messages en attente sont illisibles.",
            hint=HINT_GENERATE + " Si elle a été perdue, restaurez-la depuis la sauvegarde.",
            id="guichet.E015",
        )
    ]


@register(KEYS_TAG)
def oidc_signing_key(app_configs, **kwargs):
    pem = settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY", "")
    problem = keys.oidc_problem(pem, settings.GUICHET_OIDC_KEY_FILE)
    if problem is None:
        return []
    return [
        Error(
            f"La clé de signature OpenID Connect est inutilisable : {problem}.",
            hint=HINT_GENERATE + " Une clé existante illisible doit être restaurée, pas remplacée.",
            id="guichet.E011",
        )
    ]


@register(KEYS_TAG)
def saml_key_pair(app_configs, **kwargs):
    from sso.protocols.saml import idp as saml
    from sso.protocols.saml import keys as saml_keys

    try:
        key, cert = saml.keypair()
    except ImproperlyConfigured as error:
        problem = str(error)
    else:
        problem = saml_keys.problem(key, cert)
    if problem is None:
        return []
    return [Error(f"La paire de clés SAML est inutilisable : {problem}.", hint=HINT_GENERATE, id="guichet.E012")]


@register("guichet")
def saml_needs_xmlsec1(app_configs, **kwargs):
    from institutions.models import Client
    from sso.protocols.saml import idp as saml

    try:
        clients = list(Client.objects.filter(protocol="saml").values_list("slug", flat=True))
    except DatabaseError:  # not migrated yet: nothing configured
        return []
    if not clients or saml.xmlsec_binary():
        return []
    return [
        Error(
            f"Le programme xmlsec1 est introuvable alors que des clients SAML sont déclarés ({', '.join(clients)}) : "
            "aucune connexion SAML ne pourrait être signée.",
            hint="Installez le paquet Debian xmlsec1 (en root : apt-get install xmlsec1 ; make run le fait).",
            id="guichet.E013",
        )
    ]


@register("guichet")
def zimbra_preauth_keys(app_configs, **kwargs):
    from institutions.models import Client, MailDomain
    from sso.protocols.zimbra import rules as zimbra

    errors = []
    try:
        clients = list(Client.objects.filter(protocol="zimbra").prefetch_related("publics"))
        for client in clients:
            publics = list(client.publics.all())
            domains = MailDomain.objects.filter(public__in=publics) if publics else MailDomain.objects.all()
            missing = [d for d in domains.values_list("domain", flat=True) if not _has_preauth_key(zimbra, d)]
            if missing:
                errors.append(
                    Error(
                        f"Le client Zimbra « {client.slug} » n'a pas de clé preauth pour {', '.join(missing)} : "
                        "« Ouvrir ma messagerie » n'aboutirait pas.",
                        hint="Donnez la clé du domaine (zmprov generateDomainPreAuthKey) dans "
                        "GUICHET_ZIMBRA_PREAUTH_KEYS ou un fichier par domaine dans GUICHET_ZIMBRA_PREAUTH_KEY_DIR.",
                        obj=client,
                        id="guichet.E014",
                    )
                )
    except DatabaseError:  # not migrated yet: nothing configured
        return []
    return errors


def _has_preauth_key(zimbra, domain: str) -> bool:
    try:
        return bool(zimbra.preauth_key(domain))
    except (ImproperlyConfigured, OSError):
        return False
