import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password

from .base import LOOKUP, Directory, DirectoryEntry, Known

if TYPE_CHECKING:
    from ..models import Account

_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash made with the current hasher and parameters (settings may differ in tests)."""
    from django.contrib.auth.hashers import get_hasher

    algorithm = str(get_hasher().algorithm)
    if algorithm not in _DUMMY:
        _DUMMY[algorithm] = make_password(secrets.token_urlsafe(16))
    return _DUMMY[algorithm]


class DatabaseDirectory(Directory):
    """The embedded directory: accounts and their argon2id hashes live in Guichet's own tables."""

    name = "database"

    def _account(self, identifier: str) -> "Account | None":
        from accounts.models import Account, normalize_identifier

        return Account.objects.filter(
            identifier=normalize_identifier(identifier), institution=self.institution, directory=self.name
        ).first()

    def _ours(self, account: "Account | None") -> "Account | None":
        """The row the caller read, if this directory holds it (else: as unknown here)."""
        if account is None or account.institution_id != self.institution.pk or account.directory != self.name:
            return None
        return account

    @staticmethod
    def _entry(account: "Account") -> DirectoryEntry:
        return DirectoryEntry(
            identifier=account.identifier,
            display_name=account.display_name,
            mail=account.identifier if "@" in account.identifier else "",
            secondary_email=account.secondary_email,
            mobile=str(account.mobile or ""),
            affiliations=(account.affiliation,) if account.affiliation else (),
            upn=account.identifier,
        )

    def authenticate(self, identifier: str, password: str, *, known: Known = LOOKUP) -> DirectoryEntry | None:
        account = self._account(identifier) if known is LOOKUP else self._ours(known)
        if account is None or not password:
            # Check against a dummy hash of the same cost, through the very same code path, so
            # an unknown identifier takes the time of a known one with a wrong password.
            check_password(password or "x", _dummy_hash())
            return None

        def upgrade(raw: str) -> None:  # re-hash with the current parameters when they changed
            account.set_password(raw)
            account.save(update_fields=["password"])

        if not check_password(password, account.password, setter=upgrade):
            return None
        return self._entry(account)

    def lookup(self, identifier: str) -> DirectoryEntry | None:
        account = self._account(identifier)
        return self._entry(account) if account else None

    def set_password(self, identifier: str, password: str) -> None:
        account = self._account(identifier)
        if account is not None:
            account.set_password(password)
            account.save(update_fields=["password"])
