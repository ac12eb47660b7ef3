"""Recovery's state changes, one room per concern (each function saves, audits and queues
its messages in one transaction; views and forms only call them):

- codes: what a reset code and link are, and `issue`, the one place that ends the live codes
  of an account and hands out a new one (self-service, support, HR);
- lookup: the account an identifier names, and where a reset for it may go;
- requests: a self-service request from the form to the worker (its row, the sweep, the
  matching), so an identifier goes one way through one module;
- grant: checking a code or a link, the grant it opens, setting the new password;
- channels: keeping the recovery contacts current;
- support, hr: the assisted resets (roles in recovery.roles, masking in recovery.masking).

The names other apps, the bench and the tests use are importable from here.
"""

from .codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    TTL,
    digest,
    issue,
    new_code,
    new_reset_code,
    normalize_code,
    reissue_expired,
)
from .grant import (
    CODE_ACCOUNT_LIMIT,
    CODE_NET_LIMIT,
    CodeLimited,
    check_code,
    check_link,
    granted_account,
    is_current_password,
    set_new_password,
    user_inputs,
)
from .lookup import find_account, is_institution_address, normalize_mobile, usable_channels
from .requests import REQUEST_LIMIT, REQUEST_NET_LIMIT, over_limit, process_request, request_code

__all__ = [
    "CODE_ACCOUNT_LIMIT",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_NET_LIMIT",
    "REQUEST_LIMIT",
    "REQUEST_NET_LIMIT",
    "TTL",
    "CodeLimited",
    "check_code",
    "check_link",
    "digest",
    "find_account",
    "granted_account",
    "is_current_password",
    "is_institution_address",
    "issue",
    "new_code",
    "new_reset_code",
    "normalize_code",
    "normalize_mobile",
    "over_limit",
    "process_request",
    "reissue_expired",
    "request_code",
    "set_new_password",
    "usable_channels",
    "user_inputs",
]
