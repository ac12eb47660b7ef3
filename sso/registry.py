"""The rules of each protocol's `config:` in the set-up file (README « Single sign-on:
registering a client»). One function per protocol returns the problems as (key, message)
pairs; load_setup refuses a file with any (named by file, line and field) and
`manage.py check` reports them for clients already in the database.

Relative file paths resolve beside the set-up file being loaded (`base_dir`).
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from django.utils.translation import gettext as _
from lxml import etree

Problems = list[tuple[str, str]]

ATTRIBUTES = {"mail", "displayName", "eduPersonAffiliation", "institution", "platform"}
SCOPES = {"openid", "profile", "email", "guichet", "mail", "offline_access"}
KEYS = {
    "oidc": {
        "client_id",
        "public",
        "redirect_uris",
        "post_logout_redirect_uris",
        "scopes",
        "pkce",
        "third_party",
        "backchannel_logout_uri",
        "frontchannel_logout_uri",
        "sector_identifier",
    },
    "saml": {
        "metadata",
        "metadata_file",
        "entity_id",
        "acs_url",
        "certificate",
        "slo_url",
        "slo_soap_url",
        "attributes",
        "name_id_format",
        "name_id_attribute",
        "metadata_url",
        "metadata_certificate",
    },
    "cas": {"service_patterns", "attributes", "proxy_callback_patterns", "logout_url"},
    "wsfed": {"realm", "reply_urls", "token"},
    "zimbra": {"preauth_url", "by"},
}


def _url(value: Any, *, https: bool = False, loopback_http: bool = False) -> str:
    """ "" when `value` is an absolute http(s) URL (https only when asked), else why not."""
    if not isinstance(value, str) or not value:
        return _("une adresse est attendue")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _("« %(value)s » n'est pas une adresse http(s) complète") % {"value": value}
    if https and parts.scheme != "https" and not (loopback_http and parts.hostname in ("127.0.0.1", "::1")):
        return _("« %(value)s » doit être en https") % {"value": value}
    return ""


def _urls(config: dict[str, Any], key: str, problems: Problems, **rules: bool) -> None:
    value = config.get(key, [])
    if not isinstance(value, list):
        problems.append((key, _("une liste d'adresses est attendue")))
        return
    for item in value:
        if why := _url(item, **rules):
            problems.append((key, why))


def _patterns(config: dict[str, Any], key: str, problems: Problems) -> None:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        problems.append((key, _("une liste d'expressions régulières est attendue")))
        return
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(
                (key, _("expression « %(pattern)s » illisible : %(error)s") % {"pattern": pattern, "error": error})
            )
            continue
        if not pattern.startswith("^"):
            problems.append(
                (key, _("expression « %(pattern)s » non ancrée : commencez-la par ^") % {"pattern": pattern})
            )


def _names(config: dict[str, Any], key: str, known: set[str], problems: Problems) -> None:
    value = config.get(key, [])
    if not isinstance(value, list):
        problems.append((key, _("une liste est attendue")))
        return
    for name in value:
        if name not in known:
            problems.append(
                (
                    key,
                    _("« %(name)s » inconnu (connus : %(known)s)") % {"name": name, "known": ", ".join(sorted(known))},
                )
            )


def _cas(config: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    if not config.get("service_patterns"):
        problems.append(("service_patterns", _("au moins une expression est attendue")))
    _patterns(config, "service_patterns", problems)
    _patterns(config, "proxy_callback_patterns", problems)
    _names(config, "attributes", ATTRIBUTES, problems)
    if "logout_url" in config and (why := _url(config["logout_url"])):
        problems.append(("logout_url", why))


def _wsfed(config: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    if not isinstance(config.get("realm"), str) or not config.get("realm"):
        problems.append(("realm", _("le realm (wtrealm) est attendu")))
    if not config.get("reply_urls"):
        problems.append(("reply_urls", _("au moins une adresse de retour est attendue")))
    _urls(config, "reply_urls", problems, https=True)
    if config.get("token", "saml11") not in ("saml11", "saml2"):
        problems.append(("token", _("« saml11 » ou « saml2 » est attendu")))


def _oidc(config: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    if not isinstance(config.get("client_id"), str) or not config.get("client_id"):
        problems.append(("client_id", _("un identifiant est attendu")))
    for key in ("public", "pkce", "third_party"):
        if key in config and not isinstance(config[key], bool):
            problems.append((key, _("true ou false est attendu")))
    for key in ("redirect_uris", "post_logout_redirect_uris"):
        _urls(config, key, problems)
        for uri in config.get(key, []) if isinstance(config.get(key), list) else []:
            if isinstance(uri, str) and ("#" in uri or "*" in uri):
                problems.append((key, _("« %(uri)s » ne peut contenir ni # ni *") % {"uri": uri}))
    for key in ("backchannel_logout_uri", "frontchannel_logout_uri"):
        if key in config and (why := _url(config[key])):
            problems.append((key, why))
    _names(config, "scopes", SCOPES, problems)


def _saml(config: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    if config.get("metadata_file"):
        path = Path(config["metadata_file"])
        path = path if path.is_absolute() else base_dir / path
        try:
            etree.fromstring(path.read_bytes(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except OSError as error:
            problems.append(
                (
                    "metadata_file",
                    _("%(path)s illisible : %(error)s") % {"path": path, "error": error.strerror or error},
                )
            )
        except etree.XMLSyntaxError as error:
            problems.append(
                (
                    "metadata_file",
                    _("%(path)s, ligne %(line)s : XML invalide (%(error)s)")
                    % {"path": path, "line": error.lineno, "error": error.msg},
                )
            )
    elif config.get("metadata_url"):
        if why := _url(config["metadata_url"]):
            problems.append(("metadata_url", why))
    elif config.get("metadata"):
        try:
            etree.fromstring(str(config["metadata"]).encode(), parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as error:
            problems.append(
                (
                    "metadata",
                    _("ligne %(line)s : XML invalide (%(error)s)") % {"line": error.lineno, "error": error.msg},
                )
            )
    else:
        for key in ("entity_id", "acs_url"):
            if not config.get(key):
                problems.append((key, _("attendu sans métadonnées (metadata ou metadata_file)")))
        if config.get("acs_url") and (why := _url(config["acs_url"])):
            problems.append(("acs_url", why))
    for key in ("slo_url", "slo_soap_url"):
        if key in config and (why := _url(config[key])):
            problems.append((key, why))
    for key in ("certificate", "metadata_certificate"):
        if config.get(key):
            try:
                x509.load_pem_x509_certificate(str(config[key]).encode())
            except ValueError:
                problems.append((key, _("certificat PEM illisible")))
    _names(config, "attributes", ATTRIBUTES, problems)
    if config.get("name_id_format", "email") not in ("email", "persistent", "transient"):
        problems.append(("name_id_format", _("« email », « persistent » ou « transient » est attendu")))
    if config.get("name_id_attribute", "immutable_id") not in ("immutable_id", "upn", "sid"):
        problems.append(("name_id_attribute", _("« immutable_id », « upn » ou « sid » est attendu")))


def _zimbra(config: dict[str, Any], base_dir: Path, problems: Problems) -> None:
    if why := _url(config.get("preauth_url"), https=True, loopback_http=True):
        problems.append(("preauth_url", why))
    if config.get("by", "name") not in ("name", "id", "foreignPrincipal"):
        problems.append(("by", _("« name », « id » ou « foreignPrincipal » est attendu")))


RULES: dict[str, Callable[[dict[str, Any], Path, Problems], None]] = {
    "cas": _cas,
    "oidc": _oidc,
    "saml": _saml,
    "wsfed": _wsfed,
    "zimbra": _zimbra,
}


def problems(protocol: str, config: Any, base_dir: Path) -> Problems:
    """Everything wrong with one client's config; [] when it is right."""
    if not isinstance(config, dict):
        return [("", _("une table (clé: valeur) est attendue"))]
    found: Problems = []
    allowed = KEYS.get(protocol, set())
    for key in config:
        if key not in allowed:
            found.append((key, _("clé inconnue (attendues : %(keys)s)") % {"keys": ", ".join(sorted(allowed))}))
    if protocol in RULES:
        RULES[protocol](config, base_dir, found)
    return found


def checked(protocol: str, config: Any, base_dir: Path) -> tuple[Any, Problems]:
    """What load_setup stores (file paths made absolute, beside the set-up file) and the
    problems found; the loader calls this through institutions.loader.CLIENT_CONFIG_CHECK."""
    found = problems(protocol, config, base_dir)
    if not found and isinstance(config, dict) and config.get("metadata_file"):
        path = Path(config["metadata_file"])
        config = {**config, "metadata_file": str(path if path.is_absolute() else (base_dir / path).resolve())}
    return config, found
