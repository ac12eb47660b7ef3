"""Directory backends: where an institution's accounts and passwords live.

Each module exposes one class with the `Directory` shape (base.py). The set-up file names
the backend per institution (`directory: database` or `directory: ldap`).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Directory, DirectoryEntry, DirectoryUnavailable

if TYPE_CHECKING:
    from institutions.models import Institution

BACKENDS = {
    "database": "accounts.directories.database.DatabaseDirectory",
    "ldap": "accounts.directories.ldap.LdapDirectory",
}


def for_institution(institution: "Institution") -> Directory:
    name = institution.directory
    options = settings.GUICHET_DIRECTORIES.get(institution.slug, {}) | settings.GUICHET_DIRECTORIES.get(name, {})
    backend: type[Directory] = import_string(BACKENDS[name])
    return backend(institution, **options)


__all__ = ["Directory", "DirectoryEntry", "DirectoryUnavailable", "for_institution"]
