"""The connection test's results in plain words, each with what to do."""

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from .probes import Result


@dataclass(frozen=True)
class Line:
    level: str  # ok, warn, error
    text: str
    advice: str = ""


def _where(result: Result) -> dict[str, object]:
    s = result.server
    return {"host": s.host, "port": s.port, "protocol": s.protocol_name}


def _support() -> str:
    return _("Ce n'est pas un réglage de votre côté : prévenez le support en citant ce message.")


def _failures(w: dict[str, object]) -> dict[str, Line]:
    """What each failure to connect means, by Result.failure code."""
    support = _support()
    return {
        "dns": Line("error", _("Le nom %(host)s est introuvable (DNS).") % w, support),
        "refused": Line(
            "error",
            _("Le serveur %(host)s refuse la connexion sur le port %(port)s : ce service est fermé.") % w,
            support,
        ),
        "timeout": Line("error", _("Le serveur %(host)s ne répond pas sur le port %(port)s.") % w, support),
        "unreachable": Line("error", _("Le serveur %(host)s est injoignable depuis Guichet.") % w, support),
        "no-starttls": Line(
            "error",
            _(
                "Le serveur %(host)s ne propose pas STARTTLS sur le port %(port)s : "
                "la connexion ne peut pas être chiffrée."
            )
            % w,
            _("Votre logiciel refusera, à raison, d'y envoyer votre mot de passe. ") + support,
        ),
        "handshake": Line("error", _("Le chiffrement (TLS) n'a pas pu s'établir avec %(host)s.") % w, support),
        "protocol": Line(
            "error",
            _(
                "Le serveur %(host)s répond sur le port %(port)s, mais pas comme prévu "
                "(chiffrement direct et STARTTLS confondus ?)."
            )
            % w,
            support,
        ),
    }


def explain(result: Result) -> list[Line]:
    w = _where(result)
    lines: list[Line] = []
    if result.reachable:
        lines.append(Line("ok", _("Le serveur %(protocol)s %(host)s répond sur le port %(port)s.") % w))
    if result.failure:
        return [*lines, _failures(w)[result.failure]]
    return [*lines, *_tls_lines(result), *_certificate_lines(result, w)]


def _tls_lines(result: Result) -> list[Line]:
    lines: list[Line] = []
    if result.starttls_offered:
        lines.append(Line("ok", _("STARTTLS est proposé, comme prévu.")))
    if result.old_tls:
        lines.append(
            Line(
                "error",
                _("Le chiffrement utilise %(version)s, une version trop ancienne.") % {"version": result.tls_version},
                _support(),
            )
        )
    else:
        lines.append(Line("ok", _("Connexion chiffrée en %(version)s.") % {"version": result.tls_version}))
    return lines


def _certificate_lines(result: Result, w: dict[str, object]) -> list[Line]:
    lines: list[Line] = []
    support = _support()
    until = formats.date_format(result.not_after, "DATE_FORMAT") if result.not_after else "?"
    names = ", ".join(result.names) or "?"
    dont = _("N'acceptez pas d'exception de sécurité dans votre logiciel.")
    if result.expired:
        lines.append(
            Line("error", _("Le certificat du serveur a expiré le %(date)s.") % {"date": until}, f"{dont} {support}")
        )
    elif result.expires_soon:
        lines.append(
            Line("warn", _("Le certificat du serveur expire bientôt, le %(date)s.") % {"date": until}, support)
        )
    if result.name_matches is False:
        lines.append(
            Line(
                "error",
                _("Le certificat est délivré pour %(names)s, pas pour %(host)s.") % {"names": names, **w},
                f"{dont} {support}",
            )
        )
    if result.trusted is False and not result.expired:
        lines.append(Line("error", _("Le certificat n'est pas signé par une autorité reconnue."), f"{dont} {support}"))
    if result.ok and not result.expires_soon:
        lines.append(Line("ok", _("Certificat valide pour %(host)s jusqu'au %(date)s.") % {"date": until, **w}))
    return lines


def summary(results: list[Result]) -> Line:
    if all(r.ok for r in results):
        return Line(
            "ok",
            _("Tout est en ordre du côté des serveurs."),
            _(
                "Si votre logiciel échoue encore : vérifiez l'identifiant (adresse complète) et le mot de passe, "
                "ou collez son message d'erreur ci-dessous. Si le test réussit ici mais pas chez vous, le réseau "
                "que vous utilisez (Wi-Fi public, hôtel) bloque peut-être ces ports : essayez-en un autre."
            ),
        )
    return Line("error", _("Un problème a été trouvé du côté des serveurs."), _("Le détail est ci-dessous."))
