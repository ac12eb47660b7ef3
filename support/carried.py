"""The context a page hands to « Contacter le support »: the error met, the platform, the
page, and the identifier typed; the time is when the person follows the link (right after
meeting the error) and the browser comes from that request. Shown for confirmation, never
retyped. A password or a code never enters it: only the keys below are kept.

What the page asserts (error, page, platform) is signed with Django's signing, so a link
cannot forge it. The identifier travels beside it, unsigned and readable: it is only what
the person typed, which they can change in the form anyway. Keeping it out of the signed
blob, and the blob free of timestamps, keeps pages byte-identical whoever typed what (the
paused and reset pages must not tell an existing account from an unknown one).
"""

from datetime import datetime
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ua_parser import parse as parse_ua

SALT = "support.context"
KEYS = {"error": 40, "platform": 50, "page": 300}
IDENTIFIER_PARAM = "identifiant"
IDENTIFIER_MAX = 254
ERRORS = {
    "paused": _("Connexion suspendue après plusieurs erreurs"),
    "ip_blocked": _("Connexions suspendues depuis ce réseau"),
    "too_many": _("Trop de demandes de réinitialisation"),
    "unavailable": _("Service de connexion indisponible"),
    "400": _("Requête incorrecte (erreur 400)"),
    "403": _("Accès refusé (erreur 403)"),
    "404": _("Page introuvable (erreur 404)"),
    "500": _("Erreur du serveur (erreur 500)"),
    "csrf": _("Formulaire expiré"),
}
# The nature of the problem an error suggests (the person can change it).
NATURE_OF_ERROR = {
    "paused": "connexion-suspendue",
    "ip_blocked": "connexion-suspendue",
    "too_many": "mot-de-passe-perdu",
}


def sign(**values: str) -> str:
    kept = {key: str(value)[:limit] for key, limit in KEYS.items() if (value := values.get(key))}
    # No timestamp: the same page gives the same bytes (see the module's docstring).
    return signing.Signer(salt=SALT).sign_object(kept, compress=True)


def read(token: str) -> dict[str, str]:
    """The context, or {} if the token is missing or altered."""
    if not token or len(token) > 4000:
        return {}
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key])[:limit] for key, limit in KEYS.items() if isinstance(data.get(key), str)}


def link(*, identifier: str = "", **values: str) -> str:
    query = {"ctx": sign(**values)}
    if identifier:
        query[IDENTIFIER_PARAM] = identifier[:IDENTIFIER_MAX]
    # "@" left as is: the identifier reads the same in the link as on the page.
    return f"{reverse('support-contact')}?{urlencode(query, safe='@')}"


TYPED = "support.typed"


def remember_typed(request: HttpRequest, identifier: str) -> None:
    """Keep what the person typed on this page for the support form, server-side."""
    session = getattr(request, "session", None)
    if session is not None:
        session[TYPED] = {"identifier": identifier.strip()[:IDENTIFIER_MAX], "page": request.path}


def typed_for(request: HttpRequest, context: dict[str, str]) -> str:
    """The identifier typed on the page this context comes from (once), else ""."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    typed = session.get(TYPED)
    if not isinstance(typed, dict) or not context.get("page") or typed.get("page") != context["page"]:
        return ""
    session.pop(TYPED, None)
    return str(typed.get("identifier", ""))


def arrived(context: dict[str, str], identifier: str = "") -> dict[str, str]:
    """The context as the support page receives it: with the typed identifier and the time."""
    out = dict(context)
    if identifier:
        out["identifier"] = identifier.strip()[:IDENTIFIER_MAX]
    out["at"] = timezone.now().isoformat(timespec="minutes")
    return out


def when(data: dict[str, str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(data.get("at", ""))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def error_label(code: str) -> str:
    return str(ERRORS.get(code, "")) if code else ""


def browser_in_words(user_agent: str) -> str:
    """« Chrome 131 / Android 14 »: enough for support, without the whole header."""
    if not user_agent:
        return ""
    result = parse_ua(user_agent[:500])
    parts = []
    if result.user_agent:
        parts.append(" ".join(p for p in (result.user_agent.family, result.user_agent.major) if p))
    if result.os:
        parts.append(" ".join(p for p in (result.os.family, result.os.major) if p))
    return " / ".join(parts)[:120]
