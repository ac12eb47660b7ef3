from django.contrib import admin

from .models import ManagerRequest, SupportReset


class _ReadOnly(admin.ModelAdmin):
    """Assisted resets are decided at the desk and by HR, with their checks and audit; the
    admin only reads them. A change here would bypass the second agent or the approver."""

    list_select_related = ["account", "requested_by", "decided_by"]
    search_fields = ["account__identifier", "account__display_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
