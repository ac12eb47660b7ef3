from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.actions import client_ip
from audit.admin_support import actor_of

from . import actions, models

# ModelAdmin and the inlines are generic in django-stubs only (subscripting them at run time
# needs django_stubs_ext.monkeypatch, a development package): hence the type-arg ignores.


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.MailDomain
    extra = 0


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_fr", "slug", "directory", "support_url"]


@admin.register(models.Platform)
class PlatformAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "webmail_url", "is_confirmed", "mail_servers_ok", "institution"]
    actions = ["confirm_url", "confirm_mail_servers"]

    @admin.display(boolean=True, description=_("réglages des logiciels confirmés"))
    def mail_servers_ok(self, obj: models.Platform) -> bool:
        return obj.mail_servers_confirmed

    @admin.action(
        description=_("Confirmer les réglages des logiciels de messagerie (vérifiés auprès de la plateforme)")
    )
    def confirm_mail_servers(self, request: HttpRequest, queryset: QuerySet[models.Platform]) -> None:
        count = actions.confirm_mail_servers(queryset, actor=actor_of(request), ip=client_ip(request))
        message = ngettext("%d réglage confirmé.", "%d réglages confirmés.", count) % count
        self.message_user(request, message, messages.SUCCESS)

    @admin.display(boolean=True, description=_("adresse confirmée"))
    def is_confirmed(self, obj: models.Platform) -> bool:
        return obj.url_confirmed

    @admin.action(description=_("Confirmer l'adresse du webmail (vérifiée auprès de l'établissement)"))
    def confirm_url(self, request: HttpRequest, queryset: QuerySet[models.Platform]) -> None:
        count = actions.confirm_webmail_urls(queryset, actor=actor_of(request), ip=client_ip(request))
        message = ngettext("%d adresse confirmée.", "%d adresses confirmées.", count) % count
        self.message_user(request, message, messages.SUCCESS)


@admin.register(models.Public)
class PublicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_fr", "platform", "institution", "identifier_example"]
    inlines = [DomainInline]


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label_fr", "order"]
    filter_horizontal = ["publics"]


@admin.register(models.FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["question_fr", "order"]


@admin.register(models.Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Applications that trust Guichet. Saving one re-syncs its protocol's registration
    (for OIDC, the toolkit's application); secrets stay in the environment."""

    list_display = ["name", "slug", "protocol", "platform", "launch_url"]
    list_filter = ["protocol", "platform"]
    filter_horizontal = ["publics"]


@admin.register(models.RecoveryPath)
class RecoveryPathAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_fr", "delay_fr", "order"]


@admin.register(models.SafetyRules)
class SafetyRulesAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["institution", "security_email"]
