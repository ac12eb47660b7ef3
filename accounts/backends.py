"""Django authentication through the institution's directory (database or LDAP)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from institutions.models import Institution

from . import directories
from .actions import directory as directory_actions
from .directories.base import LOOKUP, Known
from .models import Account


class DirectoryBackend(ModelBackend):
    def authenticate(  # type: ignore[override]  # ModelBackend's takes username; ours an identifier
        self,
        request: HttpRequest | None,
        identifier: str | None = None,
        password: str | None = None,
        institution: Institution | None = None,
        known: Known = LOOKUP,
        **kwargs: Any,
    ) -> Account | None:
        """`known`: the Account row the caller already read for this identifier (or None when
        there is none), so the row is read once per sign-in; LOOKUP: read it here."""
        if not identifier or institution is None:
            return None
        directory = directories.for_institution(institution)
        entry = directory.authenticate(identifier, password or "", known=known)  # DirectoryUnavailable propagates
        if entry is None:
            return None
        return mirror(institution, directory.name, entry, known)


def mirror(
    institution: Institution, directory_name: str, entry: directories.DirectoryEntry, known: Known = LOOKUP
) -> Account | None:
    """The local row for a directory entry: the database directory's own row (None if it
    went meanwhile), or an LDAP entry's mirror (accounts/actions/directory.py)."""
    if known is LOOKUP or (known is not None and known.identifier != entry.identifier):
        known = Account.objects.filter(identifier=entry.identifier).first()
    if directory_name == "database":
        return known
    return directory_actions.mirror(institution, directory_name, entry, known)
