"""Tickets in the admin: read-only (changes go through the agents' desk, which audits them).
Texts are shown autoescaped like everywhere; the tracking link's hash is never displayed."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Screenshot, Ticket, TicketMessage

# Admin classes stay unparameterised at run time (ModelAdmin[...] needs django_stubs_ext.monkeypatch,
# a development package): hence the type-arg ignores.


class MessageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TicketMessage
    fields = readonly_fields = ("created_at", "kind", "author", "body")
    extra = 0
    can_delete = False


class ScreenshotInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Screenshot
    fields = readonly_fields = ("created_at", "content_type", "width", "height", "size")
    extra = 0
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "status", "priority", "nature", "institution", "identifier", "created_at"]
    list_filter = ["status", "nature", "institution", "priority"]
    search_fields = ["number", "identifier"]
    exclude = ["tracking_hash"]
    inlines = [MessageInline, ScreenshotInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False
