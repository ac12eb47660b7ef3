"""What relying parties may be told from the person's directory entry, in one place: the
SAML persistent NameID from a directory attribute and the WS-Federation claims read here.

The immutable ID comes from the directory when it has one (LDAP: ms-DS-ConsistencyGuid or
objectGUID); for the database directory, which has none, sso keeps one per account
(sso.actions.immutable_id). The primary SID only ever comes from a directory that has one:
Guichet never makes up a Windows security identifier.
"""

from accounts.directories import DirectoryEntry, for_institution
from accounts.models import Account

from . import actions


def entry(account: Account) -> DirectoryEntry | None:
    """The person's directory entry. Raises DirectoryUnavailable."""
    found: DirectoryEntry | None = for_institution(account.institution).lookup(account.identifier)
    return found


def attribute(account: Account, name: str, found: DirectoryEntry | None) -> str:
    """`immutable_id`, `upn` or `sid` of this person, "" when there is none to give."""
    value = str(getattr(found, name, "") or "") if found else ""
    if not value and name == "immutable_id" and account.institution.directory == "database":
        value = actions.immutable_id(account)
    return value
