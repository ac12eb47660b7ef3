import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from institutions.models import Institution

    from ..models import Account


class Lookup(enum.Enum):
    """The caller has not read the account row: the directory reads it if it needs it."""

    LOOKUP = "lookup"


LOOKUP = Lookup.LOOKUP
# What a caller already knows of the row for a typed identifier: the row, None (no such
# row), or LOOKUP (not asked yet).
Known: TypeAlias = "Account | Literal[Lookup.LOOKUP] | None"


class DirectoryUnavailable(Exception):
    """The directory could not be asked (down, timeout): not the person's fault."""


@dataclass(frozen=True)
class DirectoryEntry:
    """What a directory knows of a person, mapped to Guichet's vocabulary."""

    identifier: str  # lower case, what the person types
    display_name: str = ""
    mail: str = ""
    secondary_email: str = ""
    mobile: str = ""  # as stored by the directory; normalised to E.164 by the caller
    affiliations: tuple[str, ...] = field(default_factory=tuple)
    # Active Directory's names for the person, for Exchange's claims (sso WS-Federation):
    # userPrincipalName and objectSid as S-1-5-21-… ("" when the directory has none).
    upn: str = ""
    sid: str = ""
    # The immutable ID Microsoft Entra ID federation matches (ms-DS-ConsistencyGuid or
    # objectGUID, base64), for a persistent SAML NameID.
    immutable_id: str = ""


class Directory:
    """The shape every backend has. `institution` is an institutions.models.Institution."""

    name = ""

    def __init__(self, institution: "Institution", **options: Any) -> None:
        self.institution = institution
        self.options = options

    def authenticate(self, identifier: str, password: str, *, known: Known = LOOKUP) -> DirectoryEntry | None:
        """The entry when the password is right, None otherwise. Never raises for a wrong one.
        `known` spares a directory that keeps its accounts in Guichet's table a second read."""
        raise NotImplementedError

    def lookup(self, identifier: str) -> DirectoryEntry | None:
        """The entry for an identifier, without a password (support desk, recovery)."""
        raise NotImplementedError

    def set_password(self, identifier: str, password: str) -> None:
        """Replace the password (recovery). Raises DirectoryUnavailable when it cannot."""
        raise NotImplementedError
