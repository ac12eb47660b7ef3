from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ManagerRequest, SupportReset

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # ModelAdmin is generic for the type checker only (django-stubs)
    _ModelAdmin = admin.ModelAdmin


class _ReadOnly(_ModelAdmin):
    """Assisted resets are decided at the desk and by HR, with their checks and audit; the
    admin only reads them. A change here would bypass the second agent or the approver."""

    list_select_related = ["account", "requested_by", "decided_by"]
    search_fields = ["account__identifier", "account__display_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupportReset)
class SupportResetAdmin(_ReadOnly):
    list_display = ["created_at", "account", "requested_by", "decided_by", "channel", "status"]
    list_filter = ["status", "channel"]
    exclude = ["reset_code"]


@admin.register(ManagerRequest)
class ManagerRequestAdmin(_ReadOnly):
    list_display = ["created_at", "account", "requested_by", "decided_by", "status", "channel"]
    list_filter = ["status"]
    # The document is downloaded from the HR page, which checks the reader and audits it.
    exclude = ["document", "reset_code"]
