"""The institution set-up: who the publics are, which platform serves them, what to type.

Loaded from a versioned file (see loader.py) and editable in the admin. Texts people read
come in pairs of columns, `<field>_fr` and `<field>_en`; the `Translated` descriptor picks
the active language and falls back to French.
"""

from typing import TYPE_CHECKING, overload
from urllib.parse import urlsplit

from django.db import models
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Translated:
    def __set_name__(self, owner: type[models.Model], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> "Translated": ...

    @overload
    def __get__(self, obj: models.Model, objtype: type | None = None) -> str: ...

    def __get__(self, obj: models.Model | None, objtype: type | None = None) -> "Translated | str":
        if obj is None:
            return self
        lang = (get_language() or "fr")[:2]
        return str(getattr(obj, f"{self.name}_{lang}", "") or getattr(obj, f"{self.name}_fr"))


def _text(verbose: "StrOrPromise", blank: bool = False) -> "models.TextField[str, str]":
    return models.TextField(verbose, blank=blank)


class Institution(models.Model):
    DIRECTORY_CHOICES = [("database", _("Base de données intégrée")), ("ldap", _("Annuaire LDAP"))]

    slug = models.SlugField(unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    short_name_fr = models.CharField(_("nom court (français)"), max_length=60)
    short_name_en = models.CharField(_("nom court (anglais)"), max_length=60, blank=True)
    directory = models.CharField(_("annuaire"), max_length=20, choices=DIRECTORY_CHOICES, default="database")
    support_email = models.EmailField(_("courriel du support"), blank=True)
    support_phone = models.CharField(_("téléphone du support"), max_length=40, blank=True)
    support_url = models.URLField(_("page du support"), blank=True)
    # {"monday": ["08:00-12:00", "13:30-17:30"], ...}; days absent are closed.
    support_hours = models.JSONField(_("horaires du support"), default=dict, blank=True)
    # What support checks before an assisted reset: [{"slug", "label_fr", "label_en"}, ...].
    identity_checks = models.JSONField(_("vérifications d'identité du support"), default=list, blank=True)
    manager_resets = models.BooleanField(_("réinitialisation par un responsable"), default=False)
    # The institution's own networks (CIDR): many people share one address there, so sign-in
    # address rules slow those addresses down rather than block them (accounts/throttle.py).
    networks = models.JSONField(_("réseaux de l'établissement (CIDR)"), default=list, blank=True)
    # Identity, from the set-up file only: nothing here is shipped that the institution did
    # not provide (see institutions/identity.py).
    logo_svg = models.TextField(_("logo (SVG)"), blank=True)
    host = models.CharField(_("nom d'hôte officiel"), max_length=253, blank=True)
    colour = models.CharField(_("couleur"), max_length=7, blank=True)
    # A State service (e.g. an académie) may show the DSFR « bloc marque »; others may not.
    state_service = models.BooleanField(_("service de l'État"), default=False)
    # Support desk (issue 11): where to go, when the desk is shut beyond the weekly hours
    # ([{"start": "2026-12-24", "end": "2027-01-01", "label_fr", "label_en"}], dates included;
    # French public holidays are computed, not listed), and the helpdesk hand-off
    # ({"connector": "glpi", "url": "https://…/apirest.php", …}; tokens come from the environment).
    support_address = models.CharField(_("adresse du guichet du support"), max_length=300, blank=True)
    support_closures = models.JSONField(_("fermetures exceptionnelles du support"), default=list, blank=True)
    helpdesk = models.JSONField(_("outil de tickets de l'établissement"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    name = Translated()
    short_name = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return self.name_fr


class Portal(models.Model):
    """Whose portal this is: one row (pk=1), from the set-up file's `portal:` section."""

    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    tagline_fr = models.CharField(_("sous-titre (français)"), max_length=200, blank=True)
    tagline_en = models.CharField(_("sous-titre (anglais)"), max_length=200, blank=True)
    # The name people must see in the address bar; empty: the name the request came to.
    host = models.CharField(_("nom d'hôte officiel"), max_length=253, blank=True)
    logo_svg = models.TextField(_("logo (SVG)"), blank=True)
    colour = models.CharField(_("couleur principale"), max_length=7, blank=True)
    colour_on_dark = models.CharField(_("couleur principale sur fond sombre"), max_length=7, blank=True)
    state_service = models.BooleanField(_("service de l'État"), default=False)

    name = Translated()
    tagline = Translated()

    class Meta:
        verbose_name = _("portail")
        verbose_name_plural = _("portail")

    def __str__(self) -> str:
        return self.name_fr


class Platform(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=100)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="platforms")
    webmail_url = models.URLField(_("adresse du webmail"))
    # The URL an administrator confirmed as official. A later change of webmail_url
    # makes the platform unconfirmed again until someone checks the new one.
    confirmed_url = models.URLField(_("adresse confirmée"), blank=True)
    description_fr = _text(_("description (français)"))
    description_en = _text(_("description (anglais)"), blank=True)
    main_use_fr = models.CharField(_("usage principal (français)"), max_length=200)
    main_use_en = models.CharField(_("usage principal (anglais)"), max_length=200, blank=True)
    sign_in_help_fr = _text(_("comment se connecter (français)"))
    sign_in_help_en = _text(_("comment se connecter (anglais)"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Mail-client settings (IMAP/POP/SMTP hosts, ports, encryption, username form, sign-in
    # methods), as checked by institutions/mail_servers.py. Like the webmail address, they are
    # shown as unconfirmed until an administrator confirms this exact copy.
    mail_servers = models.JSONField(_("réglages des logiciels de messagerie"), default=dict, blank=True)
    confirmed_mail_servers = models.JSONField(_("réglages confirmés"), default=dict, blank=True)

    description = Translated()
    main_use = Translated()
    sign_in_help = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("plateforme de messagerie")
        verbose_name_plural = _("plateformes de messagerie")

    def __str__(self) -> str:
        return self.name

    @property
    def url_confirmed(self) -> bool:
        return bool(self.confirmed_url) and self.confirmed_url == self.webmail_url

    @property
    def mail_servers_confirmed(self) -> bool:
        return bool(self.mail_servers) and self.confirmed_mail_servers == self.mail_servers

    @property
    def hostname(self) -> str:
        return urlsplit(self.webmail_url).hostname or ""


class Public(models.Model):
    slug = models.SlugField(unique=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="publics")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="publics")
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    main_use_fr = models.CharField(_("usage principal (français)"), max_length=200)
    main_use_en = models.CharField(_("usage principal (anglais)"), max_length=200, blank=True)
    identifier_format_fr = models.CharField(_("format de l'identifiant (français)"), max_length=200)
    identifier_format_en = models.CharField(_("format de l'identifiant (anglais)"), max_length=200, blank=True)
    identifier_example = models.CharField(_("exemple d'identifiant"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    name = Translated()
    main_use = Translated()
    identifier_format = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("public")
        verbose_name_plural = _("publics")

    def __str__(self) -> str:
        return self.name_fr


class MailDomain(models.Model):
    domain = models.CharField(_("domaine"), max_length=253, unique=True)
    public = models.ForeignKey(Public, on_delete=models.CASCADE, related_name="domains")

    class Meta:
        ordering = ["domain"]
        verbose_name = _("domaine de messagerie")
        verbose_name_plural = _("domaines de messagerie")

    def __str__(self) -> str:
        return self.domain


class Profile(models.Model):
    """One entry of the mini-FAQ by profile: "I am a student" → which platform, which identifier."""

    slug = models.SlugField(unique=True)
    label_fr = models.CharField(_("libellé (français)"), max_length=200)
    label_en = models.CharField(_("libellé (anglais)"), max_length=200, blank=True)
    answer_fr = _text(_("réponse (français)"))
    answer_en = _text(_("réponse (anglais)"), blank=True)
    publics = models.ManyToManyField(Public, related_name="profiles")
    order = models.PositiveSmallIntegerField(default=0)

    label = Translated()
    answer = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("profil (mini-FAQ)")
        verbose_name_plural = _("profils (mini-FAQ)")

    def __str__(self) -> str:
        return self.label_fr


class FaqEntry(models.Model):
    slug = models.SlugField(unique=True)
    question_fr = models.CharField(_("question (français)"), max_length=300)
    question_en = models.CharField(_("question (anglais)"), max_length=300, blank=True)
    answer_fr = _text(_("réponse (français)"))
    answer_en = _text(_("réponse (anglais)"), blank=True)
    # Platform slugs and support natures this entry answers (the support form shows it for them).
    topics = models.JSONField(_("sujets"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    question = Translated()
    answer = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("question fréquente")
        verbose_name_plural = _("questions fréquentes")

    def __str__(self) -> str:
        return self.question_fr


class Client(models.Model):
    """An application that trusts Guichet to sign people in (a webmail, another service).

    `config` holds what its protocol needs (redirect URIs, entity id, service patterns…),
    checked by that protocol's module in the sso app. Secrets never live here.
    """

    PROTOCOLS = [
        ("oidc", "OpenID Connect"),
        ("saml", "SAML 2.0"),
        ("cas", "CAS 3.0"),
        ("zimbra", "Zimbra preauth"),
        ("wsfed", "WS-Federation"),
    ]

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, null=True, blank=True, related_name="clients")
    protocol = models.CharField(_("protocole"), max_length=10, choices=PROTOCOLS)
    # Who may use it; empty means every public.
    publics = models.ManyToManyField(Public, blank=True, related_name="clients")
    launch_url = models.URLField(_("adresse d'ouverture"), blank=True)
    config = models.JSONField(_("configuration du protocole"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("application cliente")
        verbose_name_plural = _("applications clientes")

    def __str__(self) -> str:
        return self.name

    def allows(self, public: "Public") -> bool:
        """May a person of this public use it? (No publics listed: everyone may.)"""
        allowed = list(self.publics.all())
        return not allowed or public in allowed


class RecoveryPath(models.Model):
    """One way back in after a lost password, with its honest delay (shown on the reset page)."""

    slug = models.SlugField(unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    action_fr = models.CharField(_("action requise (français)"), max_length=300)
    action_en = models.CharField(_("action requise (anglais)"), max_length=300, blank=True)
    delay_fr = models.CharField(_("délai (français)"), max_length=200)
    delay_en = models.CharField(_("délai (anglais)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    name = Translated()
    action = Translated()
    delay = Translated()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("voie de récupération")
        verbose_name_plural = _("voies de récupération")

    def __str__(self) -> str:
        return self.name_fr


class Revision(models.Model):
    """A counter bumped by every change to the set-up; cached pages carry it in their key."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"revision {self.number}"

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("number", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})


class SafetyRules(models.Model):
    """What an institution's genuine messages and pages look like, from the set-up file.

    The status app builds « Reconnaître un message frauduleux » from it, the link checker
    trusts exactly `official_hosts`, and suspicious-message reports go to `security_email`.
    """

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="safety")
    # Domains and addresses its mail to staff and students comes from.
    sender_domains = models.JSONField(_("domaines d'envoi"), default=list, blank=True)
    sender_addresses = models.JSONField(_("adresses d'envoi"), default=list, blank=True)
    # Host names of its official pages, exactly (no wildcard: a sub-domain is not vouched for).
    official_hosts = models.JSONField(_("adresses des pages officielles"), default=list, blank=True)
    # What it never asks for: [{"fr": …, "en": …}, …].
    never_asks = models.JSONField(_("ce qu'il ne demande jamais"), default=list, blank=True)
    security_email = models.EmailField(_("contact sécurité"), blank=True)

    class Meta:
        verbose_name = _("règles anti-hameçonnage")
        verbose_name_plural = _("règles anti-hameçonnage")

    def __str__(self) -> str:
        return str(self.institution)
