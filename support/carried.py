"""The context a page hands to « Contacter le support »: the error met, the platform, the
identifier typed, the time and the page. Signed with Django's signing (so a link cannot
forge a context), shown to the person for confirmation, never retyped. A password or a code
never enters it: only the keys below are kept, each a short text.
"""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ua_parser import parse as parse_ua

SALT = "support.context"
MAX_AGE = timedelta(days=2)
KEYS = {"error": 40, "platform": 50, "identifier": 254, "at": 40, "page": 300}
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
    kept.setdefault("at", timezone.now().isoformat(timespec="minutes"))
    return signing.dumps(kept, salt=SALT, compress=True)


def read(token: str) -> dict[str, str]:
    """The context, or {} if the token is missing, altered or too old."""
    if not token:
        return {}
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key])[:limit] for key, limit in KEYS.items() if isinstance(data.get(key), str)}


def link(**values: str) -> str:
    return f"{reverse('support-contact')}?{urlencode({'ctx': sign(**values)})}"


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
