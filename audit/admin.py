from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    """The log as administrators read it. Nobody edits history, not even a superuser."""

    list_display = ["at", "code", "actor", "subject_display", "ip"]
    list_filter = ["code"]
    search_fields = ["subject_label", "code"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]

    @admin.display(description=_("compte concerné"), ordering="subject_label")
    def subject_display(self, event: Event) -> str:
        return str(event.subject) if event.subject is not None else event.subject_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False
