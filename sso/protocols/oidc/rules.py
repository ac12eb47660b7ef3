"""OpenID Connect: the set-up file's "oidc" clients as django-oauth-toolkit applications,
and single logout by back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0).

A client is declared like any other (institutions.Client, protocol "oidc") with
`config: {client_id, redirect_uris, post_logout_redirect_uris, public, backchannel_logout_uri,
third_party, scopes, pkce}`. Its secret never lives in the file: it comes from the
environment, GUICHET_OIDC_SECRET_<SLUG> (upper case, dashes as underscores), and the toolkit
stores only its hash. Client rows are the source of truth: an Application no Client names
is deleted on the next sync.
"""

import hashlib
import ipaddress
import logging
import os
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings

from accounts.models import Account
from audit.keyed import keyed_hash
from institutions.models import Client

from ...models import SignOn

logger = logging.getLogger(__name__)

SCOPE_DESCRIPTIONS = {
    "openid": gettext_lazy("Votre identifiant Guichet, pour vous reconnaître"),
    "profile": gettext_lazy("Votre nom"),
    "email": gettext_lazy("Votre adresse de messagerie"),
    "guichet": gettext_lazy("Votre établissement, votre messagerie et votre statut"),
    "mail": gettext_lazy("Vos messages, pour les lire et en envoyer (IMAP, SMTP)"),
    "offline_access": gettext_lazy("Rester connecté à cette application quand vous n'utilisez pas Guichet"),
}
# What a client may ask for unless its config lists `scopes`: never "mail", which opens the
# mailbox itself and is granted only to the mail clients that name it.
DEFAULT_CLIENT_SCOPES = ("openid", "profile", "email", "guichet", "offline_access")
# Set by the authorize view in the request it hands the toolkit: who is signed in (prompt=none).
ACCOUNT_HEADER = "GUICHET_ACCOUNT_PK"


class OidcConfigError(ValueError):
    pass


def secret_variable(client: Client) -> str:
    return "GUICHET_OIDC_SECRET_" + client.slug.upper().replace("-", "_")


def client_for(client_id: str) -> Client | None:
    return Client.objects.filter(protocol="oidc", config__client_id=client_id).first()


def third_party(client: Client | None) -> bool:
    """A client the institution does not run: it asks consent, gets pairwise subjects, and
    refresh tokens only with `offline_access`."""
    return bool(client is not None and client.config.get("third_party", False))


def sector(client: Client) -> str:
    """OIDC Core §8.1: the host of the redirect URIs, or the configured `sector_identifier`."""
    if client.config.get("sector_identifier"):
        return str(client.config["sector_identifier"])
    hosts = sorted({urlsplit(uri).hostname or "" for uri in client.config.get("redirect_uris", [])})
    return hosts[0] if len(hosts) == 1 else client.config.get("client_id", client.slug)


def subject(account: Account, client: Client | None) -> str:
    """The `sub` a client sees: public (the account's id) for the institution's own clients,
    pairwise per sector for third parties — stable, and unlinkable across sectors."""
    if client is None or not third_party(client):
        return str(account.pk)
    return keyed_hash("guichet.oidc.pairwise", f"{sector(client)}|{account.pk}", algorithm="sha256")


def allowed_scopes(client: Client | None) -> set[str]:
    if client is None:
        return set()
    return set(client.config.get("scopes") or DEFAULT_CLIENT_SCOPES) | {"openid"}


def pkce_required(application: Application, client: Client | None) -> bool:
    """Always for public clients; for confidential ones unless their config says `pkce: false`."""
    if application.client_type == Application.CLIENT_PUBLIC or client is None:
        return True
    return client.config.get("pkce", True) is not False


def session_sid(guichet_sid: str) -> str:
    """The `sid` clients see: stable for one Guichet session, not the session's own id."""
    return keyed_hash("sso.oidc.sid", guichet_sid, algorithm="sha1")[:32]


def code_digest(code: str) -> str:
    """What a sign-on remembers of its authorization code: enough to spot a replay, not to use it."""
    return hashlib.sha256(code.encode()).hexdigest()


def sign_on_for_code(code: str) -> SignOn | None:
    return SignOn.objects.filter(client__protocol="oidc", data__grant=code_digest(code)).order_by("-pk").first()


def _is_loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _uris(client: Client, key: str) -> list[str]:
    value = client.config.get(key) or []
    if isinstance(value, str):
        value = [value]
    for uri in value:
        parts = urlsplit(str(uri))
        # https everywhere; plain http only for a native client's loopback redirect (RFC 8252 §7.3).
        if not (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))):
            raise OidcConfigError(
                _("%(slug)s : %(key)s « %(uri)s » doit être en https (ou http://127.0.0.1)")
                % {"slug": client.slug, "key": key, "uri": uri}
            )
        if parts.fragment or "#" in uri or "*" in uri:
            raise OidcConfigError(
                _("%(slug)s : %(key)s « %(uri)s » ne peut contenir ni # ni *")
                % {"slug": client.slug, "key": key, "uri": uri}
            )
    return [str(uri) for uri in value]


def _wanted(client: Client) -> dict[str, Any]:
    config = client.config or {}
    client_id = config.get("client_id")
    if not client_id or not isinstance(client_id, str):
        raise OidcConfigError(_("%(slug)s : « client_id » manque") % {"slug": client.slug})
    public = config.get("public", False)
    if not isinstance(public, bool):
        raise OidcConfigError(_("%(slug)s : « public » vaut true ou false") % {"slug": client.slug})
    unknown = allowed_scopes(client) - set(oauth2_settings.SCOPES)
    if unknown:
        raise OidcConfigError(
            _("%(slug)s : portée inconnue %(scopes)s") % {"slug": client.slug, "scopes": ", ".join(sorted(unknown))}
        )
    redirect_uris = _uris(client, "redirect_uris")
    _uris(client, "backchannel_logout_uri")
    return {
        "name": client.name,
        "client_type": Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        # No redirect URI: a resource server (Dovecot) that only introspects tokens.
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE
        if redirect_uris
        else Application.GRANT_CLIENT_CREDENTIALS,
        "redirect_uris": " ".join(redirect_uris),
        "post_logout_redirect_uris": " ".join(_uris(client, "post_logout_redirect_uris")),
        "algorithm": Application.RS256_ALGORITHM,
        # The institution's own clients open at once; a third party asks the person first.
        "skip_authorization": not config.get("third_party", False),
        "client_id": client_id,
    }


def sync_client(client: Client) -> Application | None:
    """Create or update the client's Application (None when the client is not "oidc")."""
    if client.protocol != "oidc":
        return None
    wanted = _wanted(client)
    app = Application.objects.filter(client_id=wanted["client_id"]).first() or Application()
    changed = [field for field, value in wanted.items() if getattr(app, field) != value]
    for field in changed:
        setattr(app, field, wanted[field])
    # Public clients never authenticate; a confidential one without its variable keeps the
    # random secret the toolkit generated, which nobody knows: it cannot sign in until set.
    secret = os.environ.get(secret_variable(client), "")
    if wanted["client_type"] == Application.CLIENT_CONFIDENTIAL:
        if secret and not check_password(secret, app.client_secret):
            app.client_secret, changed = secret, [*changed, "client_secret"]  # hashed on save
        elif not secret:
            logger.warning("OIDC client %s has no secret: set %s", client.slug, secret_variable(client))
    if changed:
        app.full_clean(exclude=["client_secret", "user"])
        app.save()
    return app


@transaction.atomic
def sync_all() -> tuple[list[str], list[str]]:
    """Every "oidc" client as an Application; others deleted. Returns (synced slugs, errors)."""
    synced, errors, keep = [], [], set()
    for client in Client.objects.filter(protocol="oidc").order_by("pk"):
        if (client.config or {}).get("client_id") in keep:
            errors.append(
                _("%(slug)s : client_id « %(client_id)s » déjà pris")
                % {"slug": client.slug, "client_id": client.config["client_id"]}
            )
            continue
        try:
            app = sync_client(client)
            if app is not None:
                keep.add(app.client_id)
        except ValidationError as error:
            errors.append(f"{client.slug}: {'; '.join(error.messages)}")
        except OidcConfigError as error:
            errors.append(str(error))
        else:
            synced.append(client.slug)
    # A client whose config is wrong loses its Application: fail closed, never half-configured.
    Application.objects.exclude(client_id__in=keep).delete()
    return synced, errors


def _client_saved(sender: type[Client], instance: Client, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    _synced, errors = sync_all()
    for error in errors:
        logger.error("OIDC client not usable: %s", error)


post_save.connect(_client_saved, sender=Client, dispatch_uid="sso-oidc-sync-save")
post_delete.connect(_client_saved, sender=Client, dispatch_uid="sso-oidc-sync-delete")
