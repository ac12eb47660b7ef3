"""Assisted resets, as the desk's pages and the support app see them: one import for the
roles (recovery.roles), the masking (recovery.masking) and the actions of the support desk
(recovery.actions.support) and of HR (recovery.actions.hr), where each is written."""

from .actions.hr import (
    JUSTIFICATION_MIN,
    approve_manager_request,
    check_document,
    file_manager_request,
    hr_requests_for,
    open_document,
    refuse_manager_request,
    staff_member,
)
from .actions.lookup import usable_channels
from .actions.support import (
    SEARCH_LIMIT,
    Invalid,
    approve_support_reset,
    check_label,
    identity_checks,
    open_person,
    pending_support_resets,
    refuse_support_reset,
    request_support_reset,
    required_proofs,
    search,
)
from .masking import mask_email, mask_mobile, verified_channels
from .roles import can_decide, can_file, can_see_hr, can_view_request, is_agent, is_hr_approver

__all__ = [
    "JUSTIFICATION_MIN",
    "SEARCH_LIMIT",
    "Invalid",
    "approve_manager_request",
    "approve_support_reset",
    "can_decide",
    "can_file",
    "can_see_hr",
    "can_view_request",
    "check_document",
    "check_label",
    "file_manager_request",
    "hr_requests_for",
    "identity_checks",
    "is_agent",
    "is_hr_approver",
    "mask_email",
    "mask_mobile",
    "open_document",
    "open_person",
    "pending_support_resets",
    "refuse_manager_request",
    "refuse_support_reset",
    "request_support_reset",
    "required_proofs",
    "search",
    "staff_member",
    "usable_channels",
    "verified_channels",
]
