"""The audit codes single sign-on records, and their labels (audit.labels shows them).

Callers use the constants, never the strings: a code is a stored fact, so each string stays
exactly as it was first recorded.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACCESS_WRONG_PORTAL = "sso.access.wrong_portal"
LOGOUT_NOTIFIED = "sso.logout.notified"
LOGOUT_NOT_NOTIFIED = "sso.logout.not_notified"
LOGOUT_NOTIFY_FAILED = "sso.logout.notify_failed"
CREDENTIALS_REVOKED = "sso.credentials.revoked"
IMMUTABLE_ID_GIVEN = "sso.immutable_id.given"

OIDC_AUTHORIZE = "sso.oidc.authorize"
OIDC_LOGOUT = "sso.oidc.logout"
OIDC_CODE_REPLAYED = "sso.oidc.code_replayed"
OIDC_CONSENT_GIVEN = "sso.oidc.consent_given"
OIDC_CONSENT_REVOKED = "sso.oidc.consent_revoked"
OIDC_SECOND_FACTOR_MISSING = "sso.oidc.second_factor_missing"
OIDC_SIGNING_ROTATED = "sso.oidc.signing_rotated"

SAML_RESPONSE = "sso.saml.response"
SAML_LOGOUT = "sso.saml.logout"

CAS_UNKNOWN_SERVICE = "sso.cas.unknown_service"
CAS_TICKET_ISSUED = "sso.cas.ticket_issued"
CAS_VALIDATED = "sso.cas.validated"
CAS_VALIDATION_FAILED = "sso.cas.validation_failed"
CAS_PROXY_CALLBACK_REFUSED = "sso.cas.proxy_callback_refused"
CAS_PROXY_GRANTED = "sso.cas.proxy_granted"
CAS_PROXY_REFUSED = "sso.cas.proxy_refused"
CAS_PROXY_TICKET_ISSUED = "sso.cas.proxy_ticket_issued"

WSFED_SIGNIN = "sso.wsfed.signin"
WSFED_BAD_REQUEST = "sso.wsfed.bad_request"
WSFED_UNKNOWN_REALM = "sso.wsfed.unknown_realm"
WSFED_WRONG_REPLY = "sso.wsfed.wrong_reply"
WSFED_DIRECTORY_UNAVAILABLE = "sso.wsfed.directory_unavailable"

ZIMBRA_PREAUTH = "sso.zimbra.preauth"
ZIMBRA_NO_KEY = "sso.zimbra.no_key"

StrOrPromise = str | Promise  # as django_stubs_ext names it (a development requirement only)

LABELS: dict[str, StrOrPromise] = {
    ACCESS_WRONG_PORTAL: _("Accès refusé : mauvais portail"),
    LOGOUT_NOTIFIED: _("Service prévenu de la déconnexion"),
    LOGOUT_NOT_NOTIFIED: _("Service non prévenu de la déconnexion (le protocole ne le permet pas)"),
    LOGOUT_NOTIFY_FAILED: _("Échec de l'avis de déconnexion à un service"),
    CREDENTIALS_REVOKED: _("Jetons et tickets des services révoqués"),
    IMMUTABLE_ID_GIVEN: _("Identifiant immuable attribué (fédération Microsoft)"),
    OIDC_AUTHORIZE: _("OpenID Connect : autorisation donnée"),
    OIDC_LOGOUT: _("OpenID Connect : déconnexion demandée par le service"),
    OIDC_CODE_REPLAYED: _("OpenID Connect : code d'autorisation rejoué"),
    OIDC_CONSENT_GIVEN: _("OpenID Connect : consentement donné"),
    OIDC_CONSENT_REVOKED: _("OpenID Connect : consentement retiré"),
    OIDC_SECOND_FACTOR_MISSING: _("OpenID Connect : second facteur demandé mais absent"),
    OIDC_SIGNING_ROTATED: _("OpenID Connect : clé de signature renouvelée"),
    SAML_RESPONSE: _("SAML : réponse envoyée au service"),
    SAML_LOGOUT: _("SAML : déconnexion unique"),
    CAS_UNKNOWN_SERVICE: _("CAS : service inconnu"),
    CAS_TICKET_ISSUED: _("CAS : ticket de service émis"),
    CAS_VALIDATED: _("CAS : ticket validé"),
    CAS_VALIDATION_FAILED: _("CAS : validation de ticket refusée"),
    CAS_PROXY_CALLBACK_REFUSED: _("CAS : adresse de rappel du proxy refusée"),
    CAS_PROXY_GRANTED: _("CAS : ticket de proxy accordé"),
    CAS_PROXY_REFUSED: _("CAS : ticket de proxy refusé"),
    CAS_PROXY_TICKET_ISSUED: _("CAS : ticket de proxy émis"),
    WSFED_SIGNIN: _("WS-Federation : connexion"),
    WSFED_BAD_REQUEST: _("WS-Federation : demande invalide"),
    WSFED_UNKNOWN_REALM: _("WS-Federation : domaine (realm) inconnu"),
    WSFED_WRONG_REPLY: _("WS-Federation : adresse de retour refusée"),
    WSFED_DIRECTORY_UNAVAILABLE: _("WS-Federation : annuaire indisponible"),
    ZIMBRA_PREAUTH: _("Zimbra : ouverture de la messagerie"),
    ZIMBRA_NO_KEY: _("Zimbra : clé de préauthentification absente"),
}
