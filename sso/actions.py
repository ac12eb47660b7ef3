"""State changes of single sign-on, each audited: remembered OpenID Connect consent, the
sign-on rows single logout reads, and telling relying parties that a session ended (at an
ordinary logout, and when accounts revokes credentials). No view writes these rows itself.
"""

import base64
import logging
import secrets
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from accounts.models import Account
from audit.actions import record
from institutions.models import Client

from . import events
from .models import CasTicket, ImmutableId, OidcConsent, SignOn
from .protocols import Told

logger = logging.getLogger(__name__)


# --- Remembered consent (OpenID Connect) ------------------------------------------------


@transaction.atomic
def remember_consent(account: Account, client: Client, scopes: list[str]) -> OidcConsent:
    consent, _created = OidcConsent.objects.select_for_update().get_or_create(account=account, client=client)
    granted = sorted(set(consent.scopes) | set(scopes))
    if granted != consent.scopes:
        consent.scopes = granted
        consent.save(update_fields=["scopes"])
        record(events.OIDC_CONSENT_GIVEN, actor=account, subject=account, client=client.slug, scopes=granted)
    return consent


def consented(account: Account, client: Client, scopes: list[str]) -> bool:
    consent = OidcConsent.objects.filter(account=account, client=client).first()
    return consent is not None and set(scopes) <= set(consent.scopes)


@transaction.atomic
def revoke_consent(account: Account, consent_pk: int, *, ip: str | None = None) -> bool:
    """Withdraw consent: the client's tokens for this person end with it."""
    consent = OidcConsent.objects.select_related("client").filter(pk=consent_pk, account=account).first()
    if consent is None:
        return False
    client_id = consent.client.config.get("client_id", "")
    for token in AccessToken.objects.filter(user=account, application__client_id=client_id):
        token.revoke()
    for refresh in RefreshToken.objects.filter(user=account, application__client_id=client_id, revoked__isnull=True):
        refresh.revoke()
    consent.delete()
    record(events.OIDC_CONSENT_REVOKED, actor=account, subject=account, ip=ip, client=consent.client.slug)
    return True


# --- Sign-on rows -------------------------------------------------------------------------


@transaction.atomic
def signed_on(
    client: Client,
    account: Account,
    sid: str | None,
    *,
    event: str,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    actor: Account | None = None,
    **audited: Any,
) -> SignOn | None:
    """A relying party was handed this account's identity from Guichet session `sid`: the
    row single logout will read (`data`: what the protocol needs to say goodbye, never a
    secret), and the protocol's audit event (`event`, with `audited` fields)."""
    row = SignOn.objects.create(sid=sid, client=client, data=data or {}) if sid else None
    record(event, actor=actor, subject=account, ip=ip, client=client.slug, **audited)
    return row


def tokens_issued(sign_on: SignOn, *, access: int, family: str | None) -> None:
    """The tokens a sign-on's authorization code gave, so that « Déconnecter partout » or a
    replayed code ends exactly them (the sign-on itself was audited when it was made)."""
    sign_on.data.update(access=access, family=family)
    sign_on.save(update_fields=["data"])


def gave_name_id(sid: str | None, client: Client, name_id: str) -> bool:
    """Did this session hand `name_id` to this client (SAML logout names the NameID given)?"""
    return bool(sid) and SignOn.objects.filter(sid=sid, client=client, data__name_id=name_id).exists()


def ended_at_client(sid: str | None, client: Client) -> int:
    """The client itself ended its sign-ons of this session (it asked for the logout, so it
    needs no notice of its own)."""
    if not sid:
        return 0
    return SignOn.objects.filter(sid=sid, client=client, ended_at__isnull=True).update(ended_at=timezone.now())


# --- Immutable IDs (Exchange Online federation) -------------------------------------------


@transaction.atomic
def immutable_id(account: Account) -> str:
    """The account's immutable ID kept by sso, given at first use: 16 random bytes in base64,
    the shape of Entra ID's ImmutableID (an objectGUID), never derived from anything."""
    row = ImmutableId.objects.select_for_update().filter(account=account).first()
    if row is None:
        row = ImmutableId.objects.create(account=account, value=base64.b64encode(secrets.token_bytes(16)).decode())
        record(events.IMMUTABLE_ID_GIVEN, subject=account)
    return row.value


# --- Telling relying parties --------------------------------------------------------------


def _notify(request: HttpRequest, row: SignOn) -> Told:
    module = import_module(f"sso.protocols.{row.client.protocol}.logout")
    told: Told = module.notify(request, row)
    return told


def tell_relying_parties(request: HttpRequest, account: Account | None, rows: list[SignOn]) -> None:
    """Each sign-on's protocol says goodbye its own way; every outcome is audited, and one
    relying party down never keeps the others signed in."""
    for row in rows:
        try:
            told = _notify(request, row)
        except Exception as error:
            logger.warning("single logout to %s failed: %s", row.client.slug, type(error).__name__)
            record(events.LOGOUT_NOTIFY_FAILED, subject=account, client=row.client.slug, error=type(error).__name__)
            continue
        code = events.LOGOUT_NOT_NOTIFIED if told == "not_notified" else events.LOGOUT_NOTIFIED
        record(code, subject=account, client=row.client.slug, protocol=row.client.protocol, channel=told)


def end_session(request: HttpRequest, account: Account | None, sid: str) -> None:
    """A Guichet session ended (logout, idle, « Mes connexions »): its relying parties hear it."""
    rows = list(SignOn.objects.filter(sid=sid, ended_at__isnull=True).select_related("client"))
    tell_relying_parties(request, account, rows)
    SignOn.objects.filter(pk__in=[r.pk for r in rows]).update(ended_at=timezone.now())


def revoke_credentials(
    account: Account, request: HttpRequest | None, sids: list[str], reason: str, *, everything: bool
) -> None:
    """« Credentials end together » (accounts/revocation.py announces it): what the revoked
    sessions handed out ends — OIDC tokens and codes, unused CAS tickets — and every relying
    party those sessions signed in to is told, after the commit."""
    now = timezone.now()
    sign_ons = list(SignOn.objects.filter(sid__in=sids, ended_at__isnull=True).select_related("client"))
    counts = _end_tokens(account, sids, sign_ons, everything=everything)
    SignOn.objects.filter(pk__in=[s.pk for s in sign_ons]).update(ended_at=now)
    actor = request.user if request is not None and request.user.is_authenticated else None
    record(
        events.CREDENTIALS_REVOKED,
        actor=actor,
        subject=account,
        reason=reason,
        refreshes=counts["refreshes"],
        accesses=counts["accesses"],
        cas_spent=counts["cas_spent"],
        sign_ons=len(sign_ons),
    )
    if sign_ons:
        # The network after the commit: a rolled-back reset must not log anyone out, and a
        # slow client must not hold the database.
        transaction.on_commit(partial(tell_relying_parties, _stand_in(request), account, sign_ons), robust=True)


def _end_tokens(account: Account, sids: list[str], sign_ons: list[SignOn], *, everything: bool) -> dict[str, int]:
    if everything:
        refresh = RefreshToken.objects.filter(user=account, revoked__isnull=True)
        access = AccessToken.objects.filter(user=account)
        grants = Grant.objects.filter(user=account)
        tickets = CasTicket.objects.filter(account=account, used_at__isnull=True)
    else:
        families = [s.data["family"] for s in sign_ons if s.data.get("family")]
        refresh = RefreshToken.objects.filter(token_family__in=families, revoked__isnull=True)
        access = AccessToken.objects.filter(pk__in=[s.data["access"] for s in sign_ons if s.data.get("access")])
        grants = Grant.objects.none()
        tickets = CasTicket.objects.filter(account=account, sid__in=sids, used_at__isnull=True)
    refresh_count = 0
    for token in refresh.select_related("access_token"):
        token.revoke()  # marks it revoked and deletes its access token
        refresh_count += 1
    access_count, _ = access.delete()
    grants.delete()
    spent = tickets.update(used_at=timezone.now())
    return {"refreshes": refresh_count, "accesses": access_count, "cas_spent": spent}


def _stand_in(request: HttpRequest | None) -> HttpRequest:
    """The request the notifiers build URLs from; without one (a command, a directory sync),
    a request for the first allowed host, in the scheme the site is served in."""
    if request is not None:
        return request
    stand_in = HttpRequest()
    host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
    stand_in.META = {"SERVER_NAME": host.strip("[]"), "SERVER_PORT": "443" if settings.HTTPS else "80"}
    if settings.HTTPS:
        stand_in._get_scheme = lambda: "https"  # type: ignore[attr-defined]  # Django's private scheme hook, not in the stubs
    stand_in.user = AnonymousUser()
    return stand_in
