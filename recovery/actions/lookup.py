"""Finding the account an identifier names, and where a reset for it may go."""

import hmac
from datetime import datetime

from accounts import directories
from accounts.backends import mirror
from accounts.models import Account, normalize_identifier
from institutions import queries, routing
from institutions.models import MailDomain
from notify import quotas
from notify.phones import e164

from ..models import ResetCode


def is_institution_address(address: str) -> bool:
    """The mailbox being recovered is exactly the unreachable one: never send there."""
    domain = address.rpartition("@")[2].strip().lower()
    return any(domain == d or domain.endswith(f".{d}") for d in MailDomain.objects.values_list("domain", flat=True))


def normalize_mobile(raw: str) -> str:
    """E.164 for a French-style or international number, "" when it is not a phone number."""
    return e164(raw)


def find_account(identifier: str) -> Account | None:
    """The local account, or the directory's entry mirrored (an LDAP person who never signed in)."""
    account: Account | None = Account.objects.filter(identifier=normalize_identifier(identifier)).first()
    if account is not None:
        return account
    result = queries.route(identifier)
    if result.status != routing.MATCHED or result.target is None:
        return None
    institution = result.target.institution
    if institution.directory == "database":
        return None
    try:
        entry = directories.for_institution(institution).lookup(identifier)
    except directories.DirectoryUnavailable:
        return None
    if not entry:
        return None
    return mirror(institution, institution.directory, entry)


def usable_channels(account: Account, now: datetime | None = None) -> dict[str, str]:
    """Where a reset may go now: {"email": address, "sms": number}, verified and past any wait.
    Never the institution's own mailbox, which is the one that is out of reach."""
    found = {}
    email = account.recovery_email(now)
    if email and not is_institution_address(email):
        found[ResetCode.EMAIL] = email
    mobile = account.recovery_mobile(now)
    if mobile:
        found[ResetCode.SMS] = mobile
    return found


def matching_contact(account: Account | None, channel: str, contact: str, now: datetime, ip: str | None) -> str:
    """The verified contact of `channel` if it is the one typed (compared in constant time),
    usable now and, for an SMS, within the quotas; else ""."""
    if account is None or not account.is_active:
        return ""
    if channel == ResetCode.EMAIL:
        wanted = account.recovery_email(now)
        ok = bool(wanted) and hmac.compare_digest(wanted.lower(), contact.strip().lower())
        return wanted if ok and not is_institution_address(wanted) else ""
    wanted = account.recovery_mobile(now)
    ok = bool(wanted) and hmac.compare_digest(wanted, normalize_mobile(contact))
    allowed = ok and quotas.sms_allowed(wanted, now, account=account, network=quotas.network_of(ip))
    return wanted if allowed else ""
