from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.actions import client_ip

from . import actions, models


class UpdateInline(admin.StackedInline):
    model = models.IncidentUpdate
    extra = 1


@admin.register(models.Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "platform", "state", "starts_at", "ends_at", "automatic"]
    list_filter = ["state", "platform", "automatic"]
    date_hierarchy = "starts_at"
    inlines = [UpdateInline]
    fieldsets = [
        (None, {"fields": ["platform", "state", "starts_at", "ends_at"]}),
        (_("Français"), {"fields": ["title_fr", "text_fr"]}),
        (_("Anglais"), {"fields": ["title_en", "text_en"]}),
    ]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            actions.staff_saved_incident(obj, actor=request.user, created=not change, ip=client_ip(request))


class ResultInline(admin.TabularInline):
    model = models.ProbeResult
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["checked_at", "ok", "latency_ms", "error", "detail", "cert_days_left"]
    readonly_fields = fields
    ordering = ["-checked_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-checked_at")


@admin.register(models.ProbeTarget)
class ProbeTargetAdmin(admin.ModelAdmin):
    list_display = ["platform", "kind", "host", "port", "enabled", "automatic", "consecutive_failures"]
    list_filter = ["platform", "kind", "enabled"]
    readonly_fields = ["automatic", "consecutive_failures", "cert_alerted_for"]
    inlines = [ResultInline]


@admin.register(models.ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):
    list_display = ["target", "checked_at", "ok", "latency_ms", "error", "cert_days_left"]
    list_filter = ["ok", "error", "target__platform"]
    date_hierarchy = "checked_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
