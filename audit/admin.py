from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_support import ReadOnlyAdminMixin
from .labels import label
from .models import Event


# ModelAdmin is generic in django-stubs only (subscripting it at run time needs
# django_stubs_ext.monkeypatch, a development package): hence the type-arg ignore.
@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """The log as administrators read it. Nobody edits history, not even a superuser."""

    list_display = ["at", "what", "code", "actor", "subject_display", "ip"]
    list_filter = ["code"]
    search_fields = ["subject_label", "code"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]

    @admin.display(description=_("événement"), ordering="code")
    def what(self, event: Event) -> str:
        # Each app's own words for its codes (audit.labels reads every app's events.LABELS).
        return label(event.code)

    @admin.display(description=_("compte concerné"), ordering="subject_label")
    def subject_display(self, event: Event) -> str:
        return str(event.subject) if event.subject is not None else event.subject_label
