"""What admin pages that record or show history share: the acting account, and read-only tables."""

from typing import TYPE_CHECKING

from django.db.models import Model
from django.http import HttpRequest

if TYPE_CHECKING:
    # For the checker only: the account model (settings.AUTH_USER_MODEL) is an upper floor.
    from accounts.models import Account


def actor_of(request: HttpRequest) -> "Account":
    """The signed-in staff account an admin action is recorded under."""
    # The admin site lets only signed-in staff reach an action.
    assert request.user.is_authenticated
    return request.user


class ReadOnlyAdminMixin:
    """A table shown in the admin that nobody adds to, edits or deletes from there."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
