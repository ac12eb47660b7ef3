"""Load the institution set-up file (YAML) into the database, idempotently.

Errors name the file, the line and the field, so whoever edits the file can fix it alone.
Rows are written only where something changed, so loading the same file twice leaves the
database exactly as it was (the set-up revision included).
"""

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Model

from . import identity, mail_servers, models

# Helpdesk connectors the support app knows (support/connectors/<name>.py).
HELPDESK_CONNECTORS = ("glpi",)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
MIN_PREFIX_V4, MIN_PREFIX_V6 = 8, 32


# Each client's `config:` is checked by its protocol's rules, which live in the sso app (an
# upper layer: it registers them here at start-up). (protocol, config, folder of the file)
# → (config to store, [(key, problem)]).
CLIENT_CONFIG_CHECK: Callable[[str, Any, Path], tuple[Any, list[tuple[str, str]]]] | None = None


class SetupError(Exception):
    def __init__(self, path: Path, line: int, field: str, message: str):
        self.path, self.line, self.field = path, line, field
        super().__init__(f"{path}, ligne {line}, champ « {field} » : {message}")


@dataclass
class _Node:
    """A YAML node with where it stands, so every error can point at its line."""

    node: yaml.Node
    where: str
    path: Path
    key: yaml.Node | None = None

    @property
    def line(self) -> int:
        # The line where the field's name stands, even when its value starts below it.
        return (self.key or self.node).start_mark.line + 1

    def fail(self, message: str, field: str | None = None) -> SetupError:
        return SetupError(self.path, self.line, field or self.where, message)

    def mapping(self) -> dict[str, "_Node"]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.fail("une table (clé: valeur) est attendue")
        out: dict[str, _Node] = {}
        for key, value in self.node.value:
            name = str(key.value)
            if name in out:
                raise SetupError(self.path, key.start_mark.line + 1, self._join(name), "clé en double")
            out[name] = _Node(value, self._join(name), self.path, key)
        return out

    def items(self) -> list["_Node"]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.fail("une liste est attendue")
        return [_Node(v, f"{self.where}[{i}]", self.path) for i, v in enumerate(self.node.value)]

    def scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.fail("une valeur simple est attendue")
        return _construct(self.node)

    def _join(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name


def _plain(node: _Node) -> Any:
    """A whole sub-tree as plain Python data (a protocol's own settings)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node.node)
    finally:
        loader.dispose()


def _construct(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


class _SupportFields:
    """The support desk's fields of an institution (issue 11): closures and the helpdesk."""

    def closures(self, name: str) -> list[dict[str, str]]:
        child = self._get(name, False)  # type: ignore[attr-defined]
        if child is None:
            return []
        out = []
        for item in child.items():
            rec = _Record(item, {"start", "end", "label"})
            dates = []
            for field in ("start", "end"):
                value = rec._get(field, field == "start")
                if value is None:
                    dates.append(dates[0])
                    continue
                raw = value.scalar()
                if not isinstance(raw, date):
                    raise value.fail("une date AAAA-MM-JJ est attendue")
                dates.append(raw)
            if dates[1] < dates[0]:
                raise rec.fields["end"].fail("la fin précède le début")
            label = rec.translated("label", required=False)
            out.append(
                {"start": dates[0].isoformat(), "end": dates[1].isoformat(), "label_fr": label[0], "label_en": label[1]}
            )
        return out

    def helpdesk(self, name: str) -> dict[str, Any]:
        child = self._get(name, False)  # type: ignore[attr-defined]
        if child is None:
            return {}
        rec = _Record(child, {"connector", "url", "entity", "category", "requester"})
        connector = rec.text("connector")
        if connector not in HELPDESK_CONNECTORS:
            raise rec.fields["connector"].fail(f"connecteurs connus : {', '.join(HELPDESK_CONNECTORS)}")
        out: dict[str, Any] = {"connector": connector, "url": rec.url("url")}
        for field in ("entity", "category"):
            if field in rec.fields:
                value = rec.fields[field].scalar()
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise rec.fields[field].fail("un nombre entier positif est attendu")
                out[field] = value
        return out


class _Record(_SupportFields):
    """The fields of one entry; each read checks presence and type and remembers the field."""

    def __init__(self, node: _Node, allowed: set[str]):
        self.node = node
        self.fields = node.mapping()
        for name, child in self.fields.items():
            if name not in allowed:
                raise child.fail(f"champ inconnu (attendus : {', '.join(sorted(allowed))})")

    def _get(self, name: str, required: bool) -> _Node | None:
        child = self.fields.get(name)
        if child is None and required:
            raise self.node.fail("champ obligatoire manquant", field=self.node._join(name))
        return child

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        child = self._get(name, required)
        if child is None:
            return default
        value = child.scalar()
        if not isinstance(value, str) or not value.strip():
            raise child.fail("un texte non vide est attendu")
        return value.strip()

    def identity(self, colour_field: str = "colour") -> dict[str, Any]:
        """Logo, official host name and colour (all optional), checked (institutions/identity.py)."""
        out: dict[str, Any] = {"logo_svg": "", "host": "", "colour": ""}
        if "logo" in self.fields:
            svg, problem = identity.read_logo(self.node.path, self.text("logo"))
            if problem:
                raise self.fields["logo"].fail(problem)
            out["logo_svg"] = svg
        for name, check, key in (("host", identity.check_host, "host"), (colour_field, None, "colour")):
            if name in self.fields:
                value = self.text(name)
                problem = check(value) if check else identity.check_colour(value, identity.LIGHT_BG)
                if problem:
                    raise self.fields[name].fail(problem)
                out[key] = value.lower() if key == "host" else value
        return out

    def boolean(self, name: str, default: bool = False) -> bool:
        child = self._get(name, False)
        if child is None:
            return default
        value = child.scalar()
        if not isinstance(value, bool):
            raise child.fail("true ou false est attendu")
        return value

    def slug(self, name: str = "slug") -> str:
        value = self.text(name)
        if not _SLUG.match(value):
            raise self.fields[name].fail("minuscules, chiffres et tirets seulement")
        return value

    def url(self, name: str, required: bool = True) -> str:
        value = self.text(name, required)
        if value:
            try:
                URLValidator(schemes=["https"])(value)
            except ValidationError:
                raise self.fields[name].fail("une adresse https:// complète est attendue") from None
        return value

    def email(self, name: str) -> str:
        value = self.text(name, required=False)
        if value:
            try:
                EmailValidator()(value)
            except ValidationError:
                raise self.fields[name].fail("une adresse électronique est attendue") from None
        return value

    def translated(self, name: str, required: bool = True) -> tuple[str, str]:
        """Either one text for both languages or {fr: …, en: …} (French required)."""
        child = self._get(name, required)
        if child is None:
            return "", ""
        if isinstance(child.node, yaml.ScalarNode):
            value = self.text(name)
            return value, ""
        both = _Record(child, {"fr", "en"})
        return both.text("fr"), both.text("en", required=False)

    def strings(self, name: str) -> list[_Node]:
        child = self._get(name, True)
        items = child.items()
        if not items:
            raise child.fail("la liste ne doit pas être vide")
        return items

    def ref(self, name: str, known: dict[str, Any]) -> Any:
        value = self.text(name)
        if value not in known:
            raise self.fields[name].fail(f"« {value} » n'est déclaré nulle part dans le fichier")
        return known[value]

    def checks(self, name: str) -> list[dict[str, str]]:
        child = self._get(name, False)
        if child is None:
            return []
        out = []
        for item in child.items():
            rec = _Record(item, {"slug", "label"})
            label = rec.translated("label")
            out.append({"slug": rec.slug(), "label_fr": label[0], "label_en": label[1]})
        return out

    def networks(self, name: str) -> list[str]:
        """CIDR blocks (« 192.0.2.0/24 », « 2001:db8::/48 »), written as their network address."""
        child = self._get(name, False)
        if child is None:
            return []
        out = []
        for item in child.items():
            value = item.scalar()
            try:
                network = ipaddress.ip_network(str(value).strip(), strict=True)
            except ValueError:
                raise item.fail("un réseau en notation CIDR est attendu, par exemple 192.0.2.0/24") from None
            # A whole slice of the Internet declared as a campus would disarm the address rules.
            if network.prefixlen < (MIN_PREFIX_V4 if network.version == 4 else MIN_PREFIX_V6):
                raise item.fail(f"réseau trop large (/{MIN_PREFIX_V4} en IPv4, /{MIN_PREFIX_V6} en IPv6 au plus)")
            out.append(str(network))
        return out

    def hours(self, name: str) -> dict[str, list[str]]:
        child = self._get(name, False)
        if child is None:
            return {}
        out = {}
        for day, ranges in child.mapping().items():
            if day not in DAYS:
                raise ranges.fail(f"jour inconnu (attendus : {', '.join(DAYS)})")
            values = [r.scalar() for r in ranges.items()]
            for r, v in zip(ranges.items(), values, strict=True):
                if not isinstance(v, str) or not _HOURS.match(v) or v[:5] >= v[6:]:
                    raise r.fail("une plage « HH:MM-HH:MM » est attendue")
            out[day] = values
        return out


def _stored(obj, name: str, value):
    return getattr(obj, f"{name}_id") if isinstance(value, Model) else getattr(obj, name)


def _upsert(model, lookup: dict, values: dict):
    """Create or update, writing only when a value differs (so reloading changes nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if _stored(obj, k, v) != (v.pk if isinstance(v, Model) else v)]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
    return obj


def parse(path: Path) -> _Node:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(path, 0, "-", f"fichier illisible ({exc})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SetupError(path, mark.line + 1 if mark else 0, "-", f"YAML invalide : {exc.problem}") from None
    if root is None:
        raise SetupError(path, 1, "-", "le fichier est vide")
    return _Node(root, "", path)


def _load_portal(top: _Record) -> None:
    """The portal's own identity; without a `portal:` section the row goes (settings' name)."""
    node = top.fields.get("portal")
    if node is None:
        models.Portal.objects.all().delete()
        return
    rec = _Record(node, {"name", "tagline", "host", "logo", "colour", "colour_on_dark", "state_service"})
    name = rec.translated("name")
    tagline = rec.translated("tagline", required=False) if "tagline" in rec.fields else ("", "")
    values = {
        "name_fr": name[0],
        "name_en": name[1],
        "tagline_fr": tagline[0],
        "tagline_en": tagline[1],
        **rec.identity(),
        "colour_on_dark": "",
        "state_service": rec.boolean("state_service"),
    }
    if "colour_on_dark" in rec.fields:
        value = rec.text("colour_on_dark")
        problem = identity.check_colour(value, identity.DARK_BG)
        if problem:
            raise rec.fields["colour_on_dark"].fail(problem)
        values["colour_on_dark"] = value
    _upsert(models.Portal, {"pk": 1}, values)


@transaction.atomic
def load(path: Path) -> dict[str, int]:
    """Load the file; raise SetupError (and change nothing) if any part of it is wrong."""
    top = _Record(
        parse(path),
        {
            "version",
            "institutions",
            "platforms",
            "publics",
            "profiles",
            "faq",
            "recovery_paths",
            "clients",
            "mail_clients",
            "portal",
            "safety",
        },
    )
    version = top.fields.get("version")
    if version is None or version.scalar() != 1:
        raise (version or top.node).fail("seule la version 1 est connue", field="version")

    institutions: dict[str, models.Institution] = {}
    for node in top.strings("institutions"):
        rec = _Record(
            node,
            {
                "slug",
                "name",
                "short_name",
                "directory",
                "support_email",
                "support_phone",
                "support_url",
                "support_hours",
                "identity_checks",
                "manager_resets",
                "networks",
                "logo",
                "host",
                "colour",
                "state_service",
                "support_address",
                "support_closures",
                "helpdesk",
            },
        )
        slug = rec.slug()
        name, name_en = rec.translated("name")
        short, short_en = rec.translated("short_name")
        directory = rec.text("directory", required=False, default="database")
        if directory not in dict(models.Institution.DIRECTORY_CHOICES):
            raise rec.fields["directory"].fail("« database » ou « ldap » est attendu")
        institutions[slug] = _upsert(
            models.Institution,
            {"slug": slug},
            {
                "name_fr": name,
                "name_en": name_en,
                "short_name_fr": short,
                "short_name_en": short_en,
                "directory": directory,
                "support_email": rec.email("support_email"),
                "support_phone": rec.text("support_phone", required=False),
                "support_url": rec.url("support_url", required=False),
                "support_hours": rec.hours("support_hours"),
                "identity_checks": rec.checks("identity_checks"),
                "manager_resets": rec.boolean("manager_resets"),
                "networks": rec.networks("networks"),
                **rec.identity(),
                "state_service": rec.boolean("state_service"),
                "support_address": rec.text("support_address", required=False),
                "support_closures": rec.closures("support_closures"),
                "helpdesk": rec.helpdesk("helpdesk"),
                "order": len(institutions),
            },
        )

    _load_portal(top)

    platforms: dict[str, models.Platform] = {}
    for node in top.strings("platforms"):
        rec = _Record(
            node,
            {"slug", "name", "institution", "webmail_url", "url_confirmed", "description", "main_use", "sign_in_help"},
        )
        slug = rec.slug()
        description = rec.translated("description")
        main_use = rec.translated("main_use")
        help_ = rec.translated("sign_in_help")
        url = rec.url("webmail_url")
        values = {
            "name": rec.text("name"),
            "institution": rec.ref("institution", institutions),
            "webmail_url": url,
            "description_fr": description[0],
            "description_en": description[1],
            "main_use_fr": main_use[0],
            "main_use_en": main_use[1],
            "sign_in_help_fr": help_[0],
            "sign_in_help_en": help_[1],
            "order": len(platforms),
        }
        # The file can confirm an address; it never withdraws an administrator's confirmation.
        if rec.boolean("url_confirmed"):
            values["confirmed_url"] = url
        platforms[slug] = _upsert(models.Platform, {"slug": slug}, values)

    # Mail-client settings per platform (mailconfig), confirmed like the webmail address.
    mail_clients = top.fields["mail_clients"].mapping() if "mail_clients" in top.fields else {}
    for slug in list(platforms):
        data, confirmed = mail_servers.parse(mail_clients[slug]) if slug in mail_clients else ({}, False)
        changed = {"mail_servers": data} | ({"confirmed_mail_servers": data} if confirmed else {})
        platforms[slug] = _upsert(models.Platform, {"slug": slug}, changed)
    for slug, node in mail_clients.items():
        if slug not in platforms:
            raise node.fail(f"la plateforme « {slug} » n'est déclarée nulle part dans le fichier")

    publics: dict[str, models.Public] = {}
    domains: set[str] = set()
    for node in top.strings("publics"):
        rec = _Record(
            node,
            {
                "slug",
                "institution",
                "platform",
                "name",
                "main_use",
                "identifier_format",
                "identifier_example",
                "domains",
            },
        )
        slug = rec.slug()
        name = rec.translated("name")
        main_use = rec.translated("main_use")
        fmt = rec.translated("identifier_format")
        public = _upsert(
            models.Public,
            {"slug": slug},
            {
                "institution": rec.ref("institution", institutions),
                "platform": rec.ref("platform", platforms),
                "name_fr": name[0],
                "name_en": name[1],
                "main_use_fr": main_use[0],
                "main_use_en": main_use[1],
                "identifier_format_fr": fmt[0],
                "identifier_format_en": fmt[1],
                "identifier_example": rec.text("identifier_example"),
                "order": len(publics),
            },
        )
        publics[slug] = public
        for d in rec.strings("domains"):
            domain = d.scalar()
            if not isinstance(domain, str) or not _DOMAIN.match(domain):
                raise d.fail("un nom de domaine en minuscules est attendu (ex. ac-poitiers.fr)")
            if domain in domains:
                raise d.fail(f"le domaine « {domain} » est déjà attribué")
            domains.add(domain)
            _upsert(models.MailDomain, {"domain": domain}, {"public": public})

    profiles: dict[str, models.Profile] = {}
    for node in top.strings("profiles"):
        rec = _Record(node, {"slug", "label", "answer", "publics"})
        slug = rec.slug()
        label, answer = rec.translated("label"), rec.translated("answer")
        wanted = []
        for p in rec.strings("publics"):
            value = p.scalar()
            if value not in publics:
                raise p.fail(f"« {value} » n'est déclaré nulle part dans le fichier")
            wanted.append(publics[value])
        profile = _upsert(
            models.Profile,
            {"slug": slug},
            {
                "label_fr": label[0],
                "label_en": label[1],
                "answer_fr": answer[0],
                "answer_en": answer[1],
                "order": len(profiles),
            },
        )
        if {p.pk for p in profile.publics.all()} != {p.pk for p in wanted}:
            profile.publics.set(wanted)
        profiles[slug] = profile

    faq: list[str] = []
    for node in top.strings("faq"):
        rec = _Record(node, {"slug", "question", "answer", "topics"})
        slug = rec.slug()
        question, answer = rec.translated("question"), rec.translated("answer")
        topics = [t.scalar() for t in rec.strings("topics")] if "topics" in rec.fields else []
        _upsert(
            models.FaqEntry,
            {"slug": slug},
            {
                "question_fr": question[0],
                "question_en": question[1],
                "answer_fr": answer[0],
                "answer_en": answer[1],
                "topics": [str(t) for t in topics],
                "order": len(faq),
            },
        )
        faq.append(slug)

    paths: list[str] = []
    for node in top.strings("recovery_paths"):
        rec = _Record(node, {"slug", "name", "action", "delay"})
        slug = rec.slug()
        name, action, delay = rec.translated("name"), rec.translated("action"), rec.translated("delay")
        _upsert(
            models.RecoveryPath,
            {"slug": slug},
            {
                "name_fr": name[0],
                "name_en": name[1],
                "action_fr": action[0],
                "action_en": action[1],
                "delay_fr": delay[0],
                "delay_en": delay[1],
                "order": len(paths),
            },
        )
        paths.append(slug)

    clients: list[str] = []
    client_nodes = top.fields["clients"].items() if "clients" in top.fields else []
    for node in client_nodes:
        rec = _Record(node, {"slug", "name", "platform", "protocol", "publics", "launch_url", "config"})
        slug = rec.slug()
        protocol = rec.text("protocol")
        if protocol not in dict(models.Client.PROTOCOLS):
            raise rec.fields["protocol"].fail("« oidc », « saml », « cas », « zimbra » ou « wsfed » est attendu")
        config = rec.fields.get("config")
        settings_ = _plain(config) if config else {}
        if CLIENT_CONFIG_CHECK is not None:
            settings_, problems = CLIENT_CONFIG_CHECK(protocol, settings_, path.parent)
            if problems:
                key, message = problems[0]
                where = config.mapping().get(key) if config is not None and key else None
                raise (where or config or rec.fields["protocol"]).fail(message)
        client = _upsert(
            models.Client,
            {"slug": slug},
            {
                "name": rec.text("name"),
                "platform": rec.ref("platform", platforms) if "platform" in rec.fields else None,
                "protocol": protocol,
                "launch_url": rec.url("launch_url", required=False),
                "config": settings_,
                "order": len(clients),
            },
        )
        wanted = []
        for p in rec.strings("publics") if "publics" in rec.fields else []:
            value = p.scalar()
            if value not in publics:
                raise p.fail(f"« {value} » n'est déclaré nulle part dans le fichier")
            wanted.append(publics[value])
        if {p.pk for p in client.publics.all()} != {p.pk for p in wanted}:
            client.publics.set(wanted)
        clients.append(slug)

    # Anti-phishing rules per institution (optional section, read by the status app).
    safe: list[int] = []
    for node in top.fields["safety"].items() if "safety" in top.fields else []:
        rec = _Record(
            node,
            {"institution", "sender_domains", "sender_addresses", "official_hosts", "never_asks", "security_email"},
        )
        institution = rec.ref("institution", institutions)
        if institution.pk in safe:
            raise rec.fields["institution"].fail("cet établissement a déjà ses règles")
        never = []
        for item in rec.fields["never_asks"].items() if "never_asks" in rec.fields else []:
            if isinstance(item.node, yaml.ScalarNode):
                value = item.scalar()
                if not isinstance(value, str) or not value.strip():
                    raise item.fail("un texte non vide est attendu")
                never.append({"fr": value.strip(), "en": ""})
            else:
                both = _Record(item, {"fr", "en"})
                never.append({"fr": both.text("fr"), "en": both.text("en", required=False)})
        _upsert(
            models.SafetyRules,
            {"institution": institution},
            {
                "sender_domains": _names(rec, "sender_domains"),
                "sender_addresses": _addresses(rec, "sender_addresses"),
                "official_hosts": _names(rec, "official_hosts"),
                "never_asks": never,
                "security_email": rec.email("security_email"),
            },
        )
        safe.append(institution.pk)
    models.SafetyRules.objects.exclude(institution__in=safe).delete()

    # The file is the source of truth: what it no longer names goes (children first).
    for obj in models.Client.objects.exclude(slug__in=clients):
        obj.delete()
    for obj in models.RecoveryPath.objects.exclude(slug__in=paths):
        obj.delete()
    for obj in models.FaqEntry.objects.exclude(slug__in=faq):
        obj.delete()
    for obj in models.Profile.objects.exclude(slug__in=profiles):
        obj.delete()
    for obj in models.MailDomain.objects.exclude(domain__in=domains):
        obj.delete()
    for obj in models.Public.objects.exclude(slug__in=publics):
        obj.delete()
    for obj in models.Platform.objects.exclude(slug__in=platforms):
        obj.delete()
    for obj in models.Institution.objects.exclude(slug__in=institutions):
        obj.delete()
    return {
        "institutions": len(institutions),
        "platforms": len(platforms),
        "publics": len(publics),
        "domains": len(domains),
        "profiles": len(profiles),
        "faq": len(faq),
        "recovery_paths": len(paths),
        "clients": len(clients),
        "safety": len(safe),
    }


def _names(rec: _Record, name: str) -> list[str]:
    out = []
    for d in rec.fields[name].items() if name in rec.fields else []:
        value = d.scalar()
        if not isinstance(value, str) or not _DOMAIN.match(value):
            raise d.fail("un nom de domaine en minuscules est attendu (ex. www.univ-poitiers.fr)")
        out.append(value)
    return out


def _addresses(rec: _Record, name: str) -> list[str]:
    out = []
    for d in rec.fields[name].items() if name in rec.fields else []:
        value = d.scalar()
        try:
            EmailValidator()(value if isinstance(value, str) else "")
        except ValidationError:
            raise d.fail("une adresse électronique est attendue") from None
        out.append(value.lower())
    return out
