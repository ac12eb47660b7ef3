from django.db import models
from django.utils import timezone

from institutions.models import Client


class SignOn(models.Model):
    """A client this browser session signed in to, remembered for single logout.

    `sid` is accounts.UserSession.sid; `data` holds what the protocol needs to say
    goodbye (a SAML session index, a CAS ticket id, an OIDC sid) — never a secret.
    """

    sid = models.CharField(max_length=64, db_index=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sign_ons")
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client} {self.at:%Y-%m-%d %H:%M}"


class CasTicket(models.Model):
    """A CAS service (ST) or proxy (PT) ticket: single use, valid 10 seconds, bound to its
    service. Stored as a keyed hash; the ticket itself lives only in the redirect (or the
    /cas/proxy answer) to the service."""

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=2, default="ST")
    # The proxy chain of a PT, most recent proxy first (CAS 3.0 §2.6.2 <cas:proxies>).
    proxies = models.JSONField(default=list, blank=True)
    # When this ticket's Guichet sign-in happened (CAS 3.0 authenticationDate).
    login_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    service = models.TextField()
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    sid = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Issued right after the person typed their password (CAS "renew").
    from_credentials = models.BooleanField(default=False)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ST for {self.client} at {self.created_at:%H:%M:%S}"


class ProxyGrantingTicket(models.Model):
    """A CAS proxy-granting ticket, handed to a proxy's HTTPS callback (CAS 3.0 §2.5.4).

    Stored as a keyed hash; it lives as long as the Guichet session that signed in (`sid`)
    and at most `expires_at`. `proxies` is the chain of callbacks, this one first."""

    digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    sid = models.CharField(max_length=64, blank=True, db_index=True)
    proxies = models.JSONField(default=list)
    login_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PGT for {self.client} at {self.created_at:%H:%M:%S}"


class OidcConsent(models.Model):
    """What a person agreed a third-party OpenID Connect client may have, remembered so the
    question is asked once per client and scope, and revocable from « Mes services »."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    scopes = models.JSONField(default=list)
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "client"], name="sso_one_consent_per_client")]

    def __str__(self) -> str:
        return f"{self.client} {' '.join(self.scopes)}"


class ImmutableId(models.Model):
    """The immutable ID of an account whose directory has none (the database directory), as
    Microsoft Entra ID's ImmutableID / Active Directory's objectGUID: 16 random bytes, base64.
    Given once and never changed: Exchange Online federation matches people by it (SAML
    persistent NameID, `name_id_attribute: immutable_id`) and WS-Federation releases it."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=24, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.value
