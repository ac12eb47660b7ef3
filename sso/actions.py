"""State changes of single sign-on, each audited: remembered OpenID Connect consent."""

from django.db import transaction
from oauth2_provider.models import AccessToken, RefreshToken

from audit.actions import record
from institutions.models import Client

from .models import OidcConsent


@transaction.atomic
def remember_consent(account, client: Client, scopes: list[str]) -> OidcConsent:
    consent, _created = OidcConsent.objects.select_for_update().get_or_create(account=account, client=client)
    granted = sorted(set(consent.scopes) | set(scopes))
    if granted != consent.scopes:
        consent.scopes = granted
        consent.save(update_fields=["scopes"])
        record("sso.oidc.consent_given", actor=account, subject=account, client=client.slug, scopes=granted)
    return consent


def consented(account, client: Client, scopes: list[str]) -> bool:
    consent = OidcConsent.objects.filter(account=account, client=client).first()
    return consent is not None and set(scopes) <= set(consent.scopes)


@transaction.atomic
def revoke_consent(account, consent_pk: int, *, ip: str | None = None) -> bool:
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
    record("sso.oidc.consent_revoked", actor=account, subject=account, ip=ip, client=consent.client.slug)
    return True
