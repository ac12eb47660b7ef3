from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.actions import client_ip
from audit.admin_support import ReadOnlyAdminMixin, actor_of

from . import actions
from .models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ["status", "channel", "purpose", "to", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["status", "channel", "purpose"]
    search_fields = ["to", "purpose"]
    date_hierarchy = "created_at"
    # Metadata only: the subject and body stay out of the admin altogether (they may carry a
    # reset link or code that would let whoever reads them act as the recipient).
    fields = [
        "status",
        "channel",
        "purpose",
        "to",
        "language",
        "account",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["resend_now"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # The table is read-only in the admin, but sending again is a change to the outbox.
        return request.user.has_perm("notify.change_message")

    @admin.action(description=_("Renvoyer maintenant"), permissions=["resend"])
    def resend_now(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = actions.resend_now(queryset, actor=actor_of(request), ip=client_ip(request))
        self.message_user(
            request,
            ngettext("%d message remis en file.", "%d messages remis en file.", count) % count,
            messages.SUCCESS,
        )
