"""Single sign-on settings: Zimbra preauth keys, the OpenID Connect provider
(django-oauth-toolkit) and the SAML 2.0 identity provider. Star-imported by
guichet/settings.py, after what they read (env, KEY_DIR, VAR_DIR, TESTING, GUICHET_DEMO).
"""

from pathlib import Path

from guichet import keys
from guichet.settings import GUICHET_DEMO, KEY_DIR, TESTING, VAR_DIR, env

# Zimbra preauth keys, per mail domain: GUICHET_ZIMBRA_PREAUTH_KEYS="univ-poitiers.fr=<hex>,…"
# or one file per domain in GUICHET_ZIMBRA_PREAUTH_KEY_DIR (the file named after the domain).
GUICHET_ZIMBRA_PREAUTH_KEYS = env.dict("GUICHET_ZIMBRA_PREAUTH_KEYS", default={})
# The demo's keys are made by generate_keys into var/zimbra/ (the real Zimbra is not reachable).
GUICHET_ZIMBRA_PREAUTH_KEY_DIR = env.str(
    "GUICHET_ZIMBRA_PREAUTH_KEY_DIR", default=str(VAR_DIR / "zimbra") if GUICHET_DEMO else ""
)

# OpenID Connect provider (django-oauth-toolkit): webmails and mail clients sign in through
# Guichet. The signing key is a file, never in the repository: var/oidc/current.pem (created
# by generate_keys) or GUICHET_OIDC_KEY_FILE. `manage.py rotate_oidc_key` retires it into
# var/oidc/inactive/ (still published in the JWKS until its tokens expire) and makes a new
# one; restart the workers afterwards. Clients come from the set-up file (sso/protocols/oidc/rules.py).
from sso.protocols.oidc.keys import inactive_files  # noqa: E402 - a settings-time helper, no models

GUICHET_OIDC_KEY_FILE = Path(env.str("GUICHET_OIDC_KEY_FILE", default=str(KEY_DIR / "oidc" / "current.pem")))
GUICHET_OIDC_INACTIVE_KEY_DIR = KEY_DIR / "oidc" / "inactive"
_oidc_key = keys.read(GUICHET_OIDC_KEY_FILE)
_oidc_inactive_keys = [keys.read(path) for path in inactive_files(GUICHET_OIDC_INACTIVE_KEY_DIR)]
# Back-channel logout: seconds to wait for each client's answer when a session ends.
GUICHET_OIDC_LOGOUT_TIMEOUT = 3
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "sso.protocols.oidc.validator.GuichetValidator",
    "OIDC_ENABLED": True,
    # Empty: the issuer is the URL the request came to. Set it behind a proxy.
    "OIDC_ISS_ENDPOINT": env.str("GUICHET_OIDC_ISSUER", default=""),
    "OIDC_RSA_PRIVATE_KEY": _oidc_key,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _oidc_inactive_keys,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": False,  # sso.protocols.oidc.views revokes the client's own tokens
    # Descriptions people read are in sso/protocols/oidc/rules.py (translated); these are for the toolkit.
    "SCOPES": {
        "openid": "OpenID Connect sign-in",
        "profile": "Name",
        "email": "E-mail address",
        "guichet": "Institution, platform and affiliation",
        "mail": "Mailbox access (IMAP, SMTP)",
        "offline_access": "Access while the person is away (refresh tokens)",
    },
    "DEFAULT_SCOPES": ["openid"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    # Sliding: a refresh token dies this long after its last access token expired.
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("GUICHET_OIDC_REFRESH_DAYS", default=30) * 86400,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    # PKCE: always for public clients, for confidential ones unless their config says pkce: false.
    "PKCE_REQUIRED": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    # "http" only for native clients' loopback redirects (RFC 8252); sso.protocols.oidc.rules refuses it elsewhere.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# W008 warns that "http" redirect URIs are allowed: only native clients' loopback redirects
# (RFC 8252 §7.3), which sso.protocols.oidc.rules enforces when it syncs the clients.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]

# SAML 2.0 identity provider (sso/protocols/saml/idp.py). The base URL fixes the entity ID and end points
# (https://guichet.example.org; default: the host of each request — set it in production).
# The key pair is made by generate_keys into VAR_DIR/saml/ unless both files are given.
GUICHET_SAML_BASE_URL = env.str("GUICHET_SAML_BASE_URL", default="")
GUICHET_SAML_KEY_FILE = env.str("GUICHET_SAML_KEY_FILE", default=str(KEY_DIR / "saml" / "idp.key") if TESTING else "")
GUICHET_SAML_CERT_FILE = env.str("GUICHET_SAML_CERT_FILE", default=str(KEY_DIR / "saml" / "idp.crt") if TESTING else "")
GUICHET_SAML_LOGOUT_TIMEOUT = 5  # seconds for a back-channel (SOAP) LogoutRequest
