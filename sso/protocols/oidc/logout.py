"""How OpenID Connect tells a client that the Guichet session it signed in from ended:
a signed logout token posted to its `backchannel_logout_uri` (Back-Channel Logout 1.0),
and its `frontchannel_logout_uri` loaded in a hidden iframe of the page answering the
logout (Front-Channel Logout 1.0). A client registered with neither is not notified."""

import time
import uuid
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.http import HttpRequest
from jwcrypto import jwt
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from ... import frontchannel
from ...models import SignOn
from .. import Told

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 120


def logout_token(client_id: str, *, issuer: str, sub: str, sid: str) -> str:
    """A signed logout token (Back-Channel Logout 1.0 §2.4): no nonce, an `events` claim."""
    key = jwk_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "events": {BACKCHANNEL_EVENT: {}},
    }
    token = jwt.JWT(header={"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    serialized: str = token.serialize()
    return serialized


def notify(request: HttpRequest, sign_on: SignOn) -> Told:
    """Tell the client this session ended; it must answer 200 (or 204) within the timeout.
    A client with a `frontchannel_logout_uri` is also loaded by the browser (Front-Channel
    Logout 1.0): sso.middleware puts its iframe in the page that answers the logout."""
    front = sign_on.client.config.get("frontchannel_logout_uri")
    if front:
        params = {"iss": oauth2_settings.oidc_issuer(request), "sid": sign_on.data.get("sid") or ""}
        separator = "&" if "?" in front else "?"
        frontchannel.add_frame(request, f"{front}{separator}{urlencode(params)}")
    uri = sign_on.client.config.get("backchannel_logout_uri")
    if not uri or not sign_on.data.get("sid"):
        return "front_channel" if front else "not_notified"
    token = logout_token(
        sign_on.client.config["client_id"],
        issuer=oauth2_settings.oidc_issuer(request),
        sub=sign_on.data.get("sub", ""),
        sid=sign_on.data["sid"],
    )
    response = requests.post(
        uri,
        data={"logout_token": token},
        timeout=settings.GUICHET_OIDC_LOGOUT_TIMEOUT,
        allow_redirects=False,
        headers={"Cache-Control": "no-store"},
    )
    response.raise_for_status()
    if response.status_code not in (200, 204):
        raise requests.HTTPError(f"back-channel logout answered {response.status_code}")
    return "back_channel"
