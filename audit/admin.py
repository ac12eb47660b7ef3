from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The log as administrators read it. Nobody edits history, not even a superuser."""

    list_display = ["at", "code", "actor", "subject_display", "ip"]
    list_filter = ["code"]
    search_fields = ["subject_label", "code"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]

    @admin.display(description=_("compte concerné"), ordering="subject_label")
    def subject_display(self, event):
        return event.subject or event.subject_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
