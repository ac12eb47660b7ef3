from __future__ import annotations  # ModelForm[Incident] below is for the checker only

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from audit.actions import client_ip

from . import actions, models

# Admin classes stay unparameterised at run time (ModelAdmin[...] needs django_stubs_ext.monkeypatch,
# a development package): hence the type-arg ignores.


class UpdateInline(admin.StackedInline):  # type: ignore[type-arg]
    model = models.IncidentUpdate
    extra = 1


@admin.register(models.Incident)
class IncidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title_fr", "platform", "state", "starts_at", "ends_at", "automatic"]
    list_filter = ["state", "platform", "automatic"]
    date_hierarchy = "starts_at"
    inlines = [UpdateInline]
    fieldsets = [
        (None, {"fields": ["platform", "state", "starts_at", "ends_at"]}),
        (_("Français"), {"fields": ["title_fr", "text_fr"]}),
        (_("Anglais"), {"fields": ["title_en", "text_en"]}),
    ]

    def save_model(
        self, request: HttpRequest, obj: models.Incident, form: ModelForm[models.Incident], change: bool
    ) -> None:
        if not isinstance(request.user, Account):  # the admin only lets staff accounts in
            raise PermissionDenied
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            actions.staff_saved_incident(obj, actor=request.user, created=not change, ip=client_ip(request))


class ResultInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.ProbeResult
    extra = 0
    max_num = 0
    can_delete = False
    fields = readonly_fields = ("checked_at", "ok", "latency_ms", "error", "detail", "cert_days_left")
    ordering = ["-checked_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.ProbeResult]:
        return super().get_queryset(request).order_by("-checked_at")


@admin.register(models.ProbeTarget)
class ProbeTargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["platform", "kind", "host", "port", "enabled", "automatic", "consecutive_failures"]
    list_filter = ["platform", "kind", "enabled"]
    readonly_fields = ["automatic", "consecutive_failures", "cert_alerted_for"]
    inlines = [ResultInline]


@admin.register(models.ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["target", "checked_at", "ok", "latency_ms", "error", "cert_days_left"]
    list_filter = ["ok", "error", "target__platform"]
    date_hierarchy = "checked_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.ProbeResult | None = None) -> bool:
        return False
