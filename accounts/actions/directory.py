"""The local row that mirrors a directory entry (LDAP): created once, audited, then refreshed
at each sign-in so support sees what the directory says — writing only what changed."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import record
from institutions import queries, routing
from institutions.models import Institution
from notify.phones import e164

from .. import events
from ..directories import DirectoryEntry
from ..models import Account


def mirror(institution: Institution, directory_name: str, entry: DirectoryEntry, known: Account | None) -> Account:
    """`known`: the row already read for this identifier (None: there is none yet)."""
    if known is None:
        try:
            return _create(institution, directory_name, entry)
        except IntegrityError:  # the same person's first sign-in, twice at once: theirs won
            known = Account.objects.get(identifier=entry.identifier)
    changed = _apply(known, entry, timezone.now())
    if changed:
        known.save(update_fields=changed)
    return known


@transaction.atomic
def _create(institution: Institution, directory_name: str, entry: DirectoryEntry) -> Account:
    account = Account(identifier=entry.identifier, institution=institution, directory=directory_name)
    account.set_unusable_password()
    _apply(account, entry, timezone.now())
    account.save(force_insert=True)
    record(events.ACCOUNT_MIRRORED, subject=account, directory=directory_name, institution=institution.slug)
    return account


def _apply(account: Account, entry: DirectoryEntry, now: datetime) -> list[str]:
    """Copy the entry onto the row; the names of the fields whose value changed."""
    values: dict[str, object] = {
        "display_name": entry.display_name,
        "affiliation": ",".join(entry.affiliations)[:100],
    }
    route = queries.route(entry.identifier)
    if route.status == routing.MATCHED and route.target is not None:
        values["public_id"], values["platform_id"] = route.target.pk, route.target.platform_id
    # Contacts kept by the institution's directory count as verified by it.
    if entry.secondary_email and entry.secondary_email != account.secondary_email:
        values["secondary_email"], values["secondary_email_verified_at"] = entry.secondary_email, now
    mobile = e164(entry.mobile)
    if mobile and mobile != str(account.mobile or ""):
        values["mobile"], values["mobile_verified_at"] = mobile, now
    changed = []
    for name, value in values.items():
        if getattr(account, name) != value:
            setattr(account, name, value)
            changed.append(name.removesuffix("_id"))
    return changed
