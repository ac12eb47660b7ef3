"""Django authentication through the institution's directory (database or LDAP)."""

import phonenumbers
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from institutions import queries, routing

from . import directories
from .models import Account


class DirectoryBackend(ModelBackend):
    def authenticate(self, request, identifier=None, password=None, institution=None, **kwargs):
        if not identifier or institution is None:
            return None
        directory = directories.for_institution(institution)
        entry = directory.authenticate(identifier, password or "")  # DirectoryUnavailable propagates
        if entry is None:
            return None
        return mirror(institution, directory.name, entry)


def mirror(institution, directory_name: str, entry: directories.DirectoryEntry) -> Account:
    """The local row for a directory entry: the database directory's own row, or an LDAP
    entry's mirror, refreshed at each sign-in so support sees what the directory says."""
    account = Account.objects.filter(identifier=entry.identifier).first()
    if directory_name == "database":
        return account
    now = timezone.now()
    if account is None:
        account = Account(identifier=entry.identifier, institution=institution, directory=directory_name)
        account.set_unusable_password()
    route = queries.route(entry.identifier)
    if route.status == routing.MATCHED:
        account.public, account.platform = route.target, route.target.platform
    account.display_name = entry.display_name
    account.affiliation = ",".join(entry.affiliations)[:100]
    # Contacts kept by the institution's directory count as verified by it.
    if entry.secondary_email and entry.secondary_email != account.secondary_email:
        account.secondary_email, account.secondary_email_verified_at = entry.secondary_email, now
    mobile = _e164(entry.mobile)
    if mobile and mobile != str(account.mobile or ""):
        account.mobile, account.mobile_verified_at = mobile, now
    account.save()
    return account


def _e164(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
