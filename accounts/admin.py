from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_support import actor_of

from .actions import sessions
from .models import Account, UserSession

# ModelAdmin is generic in django-stubs only: Django's class takes no subscript at run time.
if TYPE_CHECKING:
    _AccountAdmin = admin.ModelAdmin[Account]
    _UserSessionAdmin = admin.ModelAdmin[UserSession]
else:
    _AccountAdmin = _UserSessionAdmin = admin.ModelAdmin


@admin.register(Account)
class AccountAdmin(_AccountAdmin):
    list_display = ["identifier", "display_name", "institution", "platform", "status", "last_login"]
    list_filter = ["status", "institution", "is_staff", "is_support_agent", "is_hr_approver"]
    search_fields = ["identifier", "display_name"]
    readonly_fields = ["password", "last_login", "previous_login", "created_at"]
    fieldsets = [
        (None, {"fields": ["identifier", "display_name", "institution", "public", "platform", "status", "language"]}),
        (
            _("Contacts de secours"),
            {"fields": ["secondary_email", "secondary_email_verified_at", "mobile", "mobile_verified_at"]},
        ),
        (_("Rôles"), {"fields": ["is_staff", "is_superuser", "is_support_agent", "is_hr_approver", "is_manager"]}),
        (_("Annuaire"), {"fields": ["directory", "affiliation", "password"]}),
        (_("Connexions"), {"fields": ["last_login", "previous_login", "created_at"]}),
    ]
    actions = ["revoke_everything"]

    def save_model(self, request: HttpRequest, obj: Account, form: "forms.ModelForm[Account]", change: bool) -> None:
        # Disabling here ends sessions and tokens (accounts.revocation); the request lets the
        # event name the administrator and the relying parties be told.
        obj.__dict__["_revocation_request"] = request
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Révoquer toutes les connexions et tous les jetons"), permissions=["change"])
    def revoke_everything(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        for account in queryset:
            sessions.revoke_all(request, account, actor=actor_of(request), reason="admin")
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Accès révoqués pour %d compte.", "Accès révoqués pour %d comptes.", count) % count,
            messages.SUCCESS,
        )


@admin.register(UserSession)
class UserSessionAdmin(_UserSessionAdmin):
    list_display = ["account", "user_agent", "ip_prefix", "created_at", "last_seen", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["account__identifier"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False
