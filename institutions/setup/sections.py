"""One loader per section of the set-up file, in the order the file's references need:
institutions, then platforms, then publics, which profiles and clients name."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from .. import identity, mail_servers, models
from . import readers
from .fields import DOMAIN, Record
from .store import Changes, set_publics, upsert

# (protocol, config, folder of the file) → (config to store, [(key, problem)]).
ClientCheck = Callable[[str, Any, Path], tuple[Any, list[tuple[str, str]]]]

INSTITUTION_FIELDS = {
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
}
PLATFORM_FIELDS = {
    "slug",
    "name",
    "institution",
    "webmail_url",
    "url_confirmed",
    "description",
    "main_use",
    "sign_in_help",
}
PUBLIC_FIELDS = {
    "slug",
    "institution",
    "platform",
    "name",
    "main_use",
    "identifier_format",
    "identifier_example",
    "domains",
}
PORTAL_FIELDS = {"name", "tagline", "host", "logo", "colour", "colour_on_dark", "state_service"}
SAFETY_FIELDS = {"institution", "sender_domains", "sender_addresses", "official_hosts", "never_asks", "security_email"}


@dataclass
class Context:
    """What the sections share: the file's top level, what was declared so far, and what changed."""

    top: Record
    changes: Changes
    client_check: ClientCheck | None = None
    institutions: dict[str, models.Institution] = field(default_factory=dict)
    platforms: dict[str, models.Platform] = field(default_factory=dict)
    publics: dict[str, models.Public] = field(default_factory=dict)
    # model → the keys (PRUNE's key field) the file named: the rest is deleted.
    kept: defaultdict[type[Model], set[object]] = field(default_factory=lambda: defaultdict(set))

    @property
    def path(self) -> Path:
        return self.top.node.path

    def keep(self, model: type[Model], key: object) -> int:
        """Note that the file names this row; returns its place in the section (its order)."""
        self.kept[model].add(key)
        return len(self.kept[model]) - 1


def both(name: str, pair: tuple[str, str]) -> dict[str, str]:
    """A translated field's two columns: name_fr and name_en."""
    return {f"{name}_fr": pair[0], f"{name}_en": pair[1]}


def load_institutions(ctx: Context) -> None:
    directories = dict(models.Institution.DIRECTORY_CHOICES)
    for node in ctx.top.strings("institutions"):
        rec = Record(node, INSTITUTION_FIELDS)
        slug = rec.slug()
        message = _("« database » ou « ldap » est attendu")
        values = {
            **both("name", rec.translated("name")),
            **both("short_name", rec.translated("short_name")),
            "directory": rec.choice("directory", directories, message, default="database"),
            "support_email": rec.email("support_email"),
            "support_phone": rec.text("support_phone", required=False),
            "support_url": rec.url("support_url", required=False),
            "support_hours": readers.hours(rec, "support_hours"),
            "identity_checks": readers.checks(rec, "identity_checks"),
            "manager_resets": rec.boolean("manager_resets"),
            "networks": readers.networks(rec, "networks"),
            **readers.brand(rec),
            "state_service": rec.boolean("state_service"),
            "support_address": rec.text("support_address", required=False),
            "support_closures": readers.closures(rec, "support_closures"),
            "helpdesk": readers.helpdesk(rec, "helpdesk"),
        }
        values["order"] = ctx.keep(models.Institution, slug)
        ctx.institutions[slug] = upsert(models.Institution, {"slug": slug}, values, ctx.changes)


def load_portal(ctx: Context) -> None:
    """The portal's own identity; without a `portal:` section the row goes (settings' name)."""
    node = ctx.top.fields.get("portal")
    if node is None:
        deleted, _by_model = models.Portal.objects.all().delete()
        if deleted:
            ctx.changes.deleted["portal"] += deleted
        return
    rec = Record(node, PORTAL_FIELDS)
    values = {
        **both("name", rec.translated("name")),
        **both("tagline", rec.translated("tagline", required=False)),
        **readers.brand(rec),
        "colour_on_dark": readers.colour(rec, "colour_on_dark", identity.DARK_BG),
        "state_service": rec.boolean("state_service"),
    }
    upsert(models.Portal, {"pk": 1}, values, ctx.changes)


def load_platforms(ctx: Context) -> None:
    for node in ctx.top.strings("platforms"):
        rec = Record(node, PLATFORM_FIELDS)
        slug = rec.slug()
        url = rec.url("webmail_url")
        values: dict[str, Any] = {
            "name": rec.text("name"),
            "institution": rec.ref("institution", ctx.institutions),
            "webmail_url": url,
            **both("description", rec.translated("description")),
            **both("main_use", rec.translated("main_use")),
            **both("sign_in_help", rec.translated("sign_in_help")),
            "order": ctx.keep(models.Platform, slug),
        }
        # The file can confirm an address; it never withdraws an administrator's confirmation.
        if rec.boolean("url_confirmed"):
            values["confirmed_url"] = url
        ctx.platforms[slug] = upsert(models.Platform, {"slug": slug}, values, ctx.changes)


def load_mail_clients(ctx: Context) -> None:
    """Mail-client settings per platform (mailconfig), confirmed like the webmail address."""
    blocks = ctx.top.fields["mail_clients"].mapping() if "mail_clients" in ctx.top.fields else {}
    for slug, node in blocks.items():
        if slug not in ctx.platforms:
            raise node.fail(_("la plateforme « %(slug)s » n'est déclarée nulle part dans le fichier") % {"slug": slug})
    for slug in list(ctx.platforms):
        data, confirmed = mail_servers.parse(blocks[slug]) if slug in blocks else ({}, False)
        values = {"mail_servers": data} | ({"confirmed_mail_servers": data} if confirmed else {})
        ctx.platforms[slug] = upsert(models.Platform, {"slug": slug}, values, ctx.changes)


def load_publics(ctx: Context) -> None:
    for node in ctx.top.strings("publics"):
        rec = Record(node, PUBLIC_FIELDS)
        slug = rec.slug()
        values = {
            "institution": rec.ref("institution", ctx.institutions),
            "platform": rec.ref("platform", ctx.platforms),
            **both("name", rec.translated("name")),
            **both("main_use", rec.translated("main_use")),
            **both("identifier_format", rec.translated("identifier_format")),
            "identifier_example": rec.text("identifier_example"),
            "order": ctx.keep(models.Public, slug),
        }
        public = upsert(models.Public, {"slug": slug}, values, ctx.changes)
        ctx.publics[slug] = public
        _load_domains(ctx, rec, public)


def _load_domains(ctx: Context, rec: Record, public: models.Public) -> None:
    for item in rec.strings("domains"):
        domain = item.scalar()
        if not isinstance(domain, str) or not DOMAIN.match(domain):
            raise item.fail(
                _("un nom de domaine en minuscules est attendu (ex. %(example)s)") % {"example": "ac-poitiers.fr"}
            )
        if domain in ctx.kept[models.MailDomain]:
            raise item.fail(_("le domaine « %(domain)s » est déjà attribué") % {"domain": domain})
        ctx.keep(models.MailDomain, domain)
        upsert(models.MailDomain, {"domain": domain}, {"public": public}, ctx.changes)


def load_profiles(ctx: Context) -> None:
    for node in ctx.top.strings("profiles"):
        rec = Record(node, {"slug", "label", "answer", "publics"})
        slug = rec.slug()
        rec.strings("publics")  # required and not empty
        wanted = rec.refs("publics", ctx.publics)
        values = {
            **both("label", rec.translated("label")),
            **both("answer", rec.translated("answer")),
            "order": ctx.keep(models.Profile, slug),
        }
        set_publics(upsert(models.Profile, {"slug": slug}, values, ctx.changes), wanted, ctx.changes)


def load_faq(ctx: Context) -> None:
    for node in ctx.top.strings("faq"):
        rec = Record(node, {"slug", "question", "answer", "topics"})
        slug = rec.slug()
        topics = [str(t.scalar()) for t in rec.strings("topics")] if "topics" in rec.fields else []
        values = {
            **both("question", rec.translated("question")),
            **both("answer", rec.translated("answer")),
            "topics": topics,
            "order": ctx.keep(models.FaqEntry, slug),
        }
        upsert(models.FaqEntry, {"slug": slug}, values, ctx.changes)


def load_recovery_paths(ctx: Context) -> None:
    for node in ctx.top.strings("recovery_paths"):
        rec = Record(node, {"slug", "name", "action", "delay"})
        slug = rec.slug()
        values = {
            **both("name", rec.translated("name")),
            **both("action", rec.translated("action")),
            **both("delay", rec.translated("delay")),
            "order": ctx.keep(models.RecoveryPath, slug),
        }
        upsert(models.RecoveryPath, {"slug": slug}, values, ctx.changes)


def load_clients(ctx: Context) -> None:
    protocols = dict(models.Client.PROTOCOLS)
    message = _("« oidc », « saml », « cas », « zimbra » ou « wsfed » est attendu")
    for node in ctx.top.optional_items("clients"):
        rec = Record(node, {"slug", "name", "platform", "protocol", "publics", "launch_url", "config"})
        slug = rec.slug()
        protocol = rec.choice("protocol", protocols, message)
        values = {
            "name": rec.text("name"),
            "platform": rec.ref("platform", ctx.platforms) if "platform" in rec.fields else None,
            "protocol": protocol,
            "launch_url": rec.url("launch_url", required=False),
            "config": _client_config(ctx, rec, protocol),
            "order": ctx.keep(models.Client, slug),
        }
        client = upsert(models.Client, {"slug": slug}, values, ctx.changes)
        set_publics(client, rec.refs("publics", ctx.publics), ctx.changes)


def _client_config(ctx: Context, rec: Record, protocol: str) -> Any:
    """The client's `config:`, checked by its protocol's rules (registered by the sso app)."""
    config = rec.fields.get("config")
    settings_ = rec.plain("config")
    if ctx.client_check is None:
        return settings_
    settings_, problems = ctx.client_check(protocol, settings_, ctx.path.parent)
    if problems:
        key, message = problems[0]
        where = config.mapping().get(key) if config is not None and key else None
        raise (where or config or rec.fields["protocol"]).fail(message)
    return settings_


def load_safety(ctx: Context) -> None:
    """Anti-phishing rules per institution (optional section, read by the status app)."""
    for node in ctx.top.optional_items("safety"):
        rec = Record(node, SAFETY_FIELDS)
        institution = rec.ref("institution", ctx.institutions)
        if institution.pk in ctx.kept[models.SafetyRules]:
            raise rec.fail("institution", _("cet établissement a déjà ses règles"))
        ctx.keep(models.SafetyRules, institution.pk)
        values = {
            "sender_domains": rec.domains("sender_domains", "www.univ-poitiers.fr"),
            "sender_addresses": rec.addresses("sender_addresses"),
            "official_hosts": rec.domains("official_hosts", "www.univ-poitiers.fr"),
            "never_asks": rec.texts("never_asks"),
            "security_email": rec.email("security_email"),
        }
        upsert(models.SafetyRules, {"institution": institution}, values, ctx.changes)


SECTIONS: tuple[Callable[[Context], None], ...] = (
    load_institutions,
    load_portal,
    load_platforms,
    load_mail_clients,
    load_publics,
    load_profiles,
    load_faq,
    load_recovery_paths,
    load_clients,
    load_safety,
)
