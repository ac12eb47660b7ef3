"""Tickets in the admin: read-only (changes go through the agents' desk, which audits them).
Texts are shown autoescaped like everywhere; the tracking link's hash is never displayed."""

from django.contrib import admin

from .models import Screenshot, Ticket, TicketMessage


class MessageInline(admin.TabularInline):
    model = TicketMessage
    fields = ["created_at", "kind", "author", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ScreenshotInline(admin.TabularInline):
    model = Screenshot
    fields = ["created_at", "content_type", "width", "height", "size"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "priority", "nature", "institution", "identifier", "created_at"]
    list_filter = ["status", "nature", "institution", "priority"]
    search_fields = ["number", "identifier"]
    exclude = ["tracking_hash"]
    inlines = [MessageInline, ScreenshotInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
