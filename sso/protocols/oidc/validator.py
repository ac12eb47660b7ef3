"""The toolkit's request validator, with Guichet's rules: claims from the directory, scopes
per client, PKCE, accounts that must still be active and allowed, replayed codes."""

import hashlib
from collections.abc import Callable
from typing import Any

from jwcrypto import jws
from oauth2_provider.models import AccessToken, Grant, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from accounts.models import Account
from audit.actions import record
from institutions.models import Client

from ... import access, auth, events
from ...actions import consented, tokens_issued
from . import rules as oidc

# oauthlib's Request: untyped, and carries the attributes the toolkit and Guichet set on it.
OAuthRequest = Any


def _email(account: Account) -> str | None:
    # The identifier is the institutional address, except for bare logins (no "@").
    return account.identifier if "@" in account.identifier else None


def _client(request: OAuthRequest) -> Client | None:
    if getattr(request, "guichet_client", None) is None:
        request.guichet_client = oidc.client_for(request.client_id or getattr(request.client, "client_id", ""))
    client: Client | None = request.guichet_client
    return client


class GuichetValidator(OAuth2Validator):  # type: ignore[misc]  # oauth2_provider ships no types
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "affiliation": "guichet",
        "institution": "guichet",
        "platform": "guichet",
    }

    # Without a request parameter: the toolkit then lists every claim in the discovery document.
    def get_additional_claims(self) -> dict[str, Callable[[OAuthRequest], Any]]:
        return {
            "name": lambda r: r.user.display_name or None,
            "preferred_username": lambda r: r.user.identifier,
            "locale": lambda r: r.user.language or None,
            "email": lambda r: _email(r.user),
            "email_verified": lambda r: True if _email(r.user) else None,
            "affiliation": lambda r: r.user.affiliation or None,
            "institution": lambda r: r.user.institution.slug,
            "platform": lambda r: r.user.platform.slug if r.user.platform_id else None,
        }

    def get_claim_dict(self, request: OAuthRequest) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_claim_dict(request)
        claims["sub"] = lambda r: oidc.subject(r.user, _client(r))
        return claims

    def get_oidc_claims(self, token: Any, token_handler: Any, request: OAuthRequest) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_oidc_claims(token, token_handler, request)
        return {name: value for name, value in claims.items() if value is not None}

    def get_userinfo_claims(self, request: OAuthRequest) -> dict[str, Any]:
        # Read at each call: the directory may have changed since the token was issued.
        request.user.refresh_from_db()
        claims: dict[str, Any] = super().get_userinfo_claims(request)
        return claims

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: OAuthRequest
    ) -> tuple[dict[str, Any], Any]:
        claims: dict[str, Any]
        claims, expires = super().get_id_token_dictionary(token, token_handler, request)
        sid = getattr(request, "guichet_sid", None)
        if sid:  # Back-Channel Logout 1.0: the same sid comes back in the logout token
            claims["sid"] = sid
        methods = getattr(request, "guichet_amr", None)
        if methods:  # how this sign-in was made (RFC 8176), and its class (REFEDS MFA or SFA)
            claims["amr"] = methods
            claims["acr"] = auth.acr(methods)
        return claims, expires

    # prompt=none: the authorize view puts the signed-in account's id in the request (no
    # session: login_required); a third-party client is silent only with remembered consent
    # for every scope asked (else consent_required, OIDC Core §3.1.2.6).
    def validate_silent_login(self, request: OAuthRequest) -> bool:
        return bool(request.headers.get(oidc.ACCOUNT_HEADER))

    def validate_silent_authorization(self, request: OAuthRequest) -> bool:
        if request.client and request.client.skip_authorization:
            return True
        account_pk = request.headers.get(oidc.ACCOUNT_HEADER)
        account = Account.objects.filter(pk=account_pk).first() if account_pk else None
        client = _client(request)
        return bool(account and client and consented(account, client, list(request.scopes or [])))

    # Scopes: a client asks only for what its config allows ("mail" only for mail clients).
    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        allowed = bool(super().validate_scopes(client_id, scopes, client, request))
        return allowed and set(scopes) <= oidc.allowed_scopes(_client(request))

    def get_default_scopes(self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any) -> list[str]:
        return ["openid"]

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type not in ("authorization_code", "refresh_token"):
            return False
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))

    def is_pkce_required(self, client_id: str, request: OAuthRequest) -> bool:
        application = request.client
        if application is None:
            self.validate_client_id(client_id, request)
            application = request.client
        return application is None or oidc.pkce_required(application, _client(request))

    # An authorization code works once. Presented again, RFC 6749 §4.1.2: refused, and the
    # tokens it gave are revoked, since whoever replays it may have stolen them too.
    def validate_code(
        self, client_id: str, code: str, client: Any, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        valid = super().validate_code(client_id, code, client, request, *args, **kwargs)
        sign_on = oidc.sign_on_for_code(code)
        if valid:
            if sign_on is not None:
                request.guichet_sid = sign_on.data.get("sid")
                request.guichet_amr = sign_on.data.get("amr")
            return True
        if sign_on is not None and not Grant.objects.filter(code=code).exists() and "family" in sign_on.data:
            RefreshToken.revoke_family(sign_on.data["family"])
            AccessToken.objects.filter(pk=sign_on.data.get("access")).delete()
            subject = Account.objects.filter(pk=sign_on.data.get("sub")).first()
            record(events.OIDC_CODE_REPLAYED, subject=subject, client=sign_on.client.slug)
        return False

    def _save_bearer_token(self, token: dict[str, Any], request: OAuthRequest, *args: Any, **kwargs: Any) -> None:
        # A third party keeps access after the person leaves only if offline_access was granted.
        if oidc.third_party(_client(request)) and "offline_access" not in (request.scopes or []):
            token.pop("refresh_token", None)
        super()._save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type != "authorization_code":
            return
        sign_on = oidc.sign_on_for_code(request.code)
        checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
        issued = AccessToken.objects.filter(token_checksum=checksum).first()
        if sign_on is None or issued is None:
            return
        family = RefreshToken.objects.filter(access_token=issued).values_list("token_family", flat=True).first()
        tokens_issued(sign_on, access=issued.pk, family=str(family) if family else None)

    # Tokens outlive the sign-in: an account disabled, or moved to a public the client does not
    # serve, loses them at once (refresh, userinfo, introspection all refuse).
    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        allowed = _client(request)
        return allowed is not None and access.may_use(request.user, allowed)

    def validate_bearer_token(self, token: str, scopes: list[str], request: OAuthRequest) -> bool:
        if not super().validate_bearer_token(token, scopes, request):
            return False
        return bool(request.user is not None and request.user.is_active)

    # ID tokens signed by a retired key (RP-initiated logout's id_token_hint) still verify.
    def _get_key_for_token(self, token: str) -> Any:
        key = super()._get_key_for_token(token)
        if key is None or key.get("kty") != "RSA":
            return key
        unverified = jws.JWS()
        unverified.deserialize(token)
        kid = unverified.jose_header.get("kid")
        for pem in [oauth2_settings.OIDC_RSA_PRIVATE_KEY, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]:
            candidate = jwk_from_pem(pem)
            if candidate.thumbprint() == kid:
                return candidate
        return None
