"""Who may act at the support desk and on HR requests. Checked by the pages (to show or
refuse them) and again by every action in recovery.actions.support and .hr."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import Account

from .models import ManagerRequest

User = AbstractBaseUser | AnonymousUser


def is_agent(user: User) -> bool:
    return isinstance(user, Account) and user.is_active and user.is_support_agent


def is_hr_approver(user: User) -> bool:
    return isinstance(user, Account) and user.is_active and user.is_hr_approver


def can_file(user: User) -> bool:
    """A manager whose institution lets managers ask for resets (CHU and Académie as shipped)."""
    return isinstance(user, Account) and user.is_active and user.is_manager and user.institution.manager_resets


def can_see_hr(user: User) -> bool:
    return is_hr_approver(user) or can_file(user)


def can_view_request(user: User, row: ManagerRequest) -> bool:
    return row.requested_by_id == user.pk or (
        is_hr_approver(user) and isinstance(user, Account) and row.account.institution_id == user.institution_id
    )


def can_decide(user: User, row: ManagerRequest) -> bool:
    return (
        is_hr_approver(user)
        and isinstance(user, Account)
        and row.account.institution_id == user.institution_id
        and user.pk not in (row.requested_by_id, row.account_id)
    )


def require(allowed: bool) -> None:
    """A role or self-service violation is the 403 page, never a message to fix."""
    if not allowed:
        raise PermissionDenied
