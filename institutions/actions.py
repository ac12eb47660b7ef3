"""State changes of the set-up: loading the file and administrators' confirmations.

Each one saves and audits in one transaction. The set-up is the lowest floor but one:
audit sits below it (it imports no app of the project), so the set-up can record here.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, QuerySet

from audit.actions import record

from . import events, loader
from .models import Platform
from .setup.store import Changes

if TYPE_CHECKING:
    # For the checker only: the account model (settings.AUTH_USER_MODEL) is an upper floor.
    from accounts.models import Account


def load_setup(path: Path, *, actor: "Account | None" = None) -> dict[str, int]:
    """Load the set-up file (see institutions.loader) and audit what it changed.

    A load that changes nothing is recorded too: someone loaded the file, and the trail
    says it was already in force. Raises SetupError, with nothing changed nor recorded.
    """
    changes = Changes()
    with transaction.atomic():
        counts = loader.load(path, changes)
        record(
            events.SETUP_LOADED,
            actor=actor,
            file=str(path),
            created=dict(changes.created),
            updated=dict(changes.updated),
            deleted=dict(changes.deleted),
        )
    return counts


def confirm_webmail_urls(platforms: "QuerySet[Platform]", *, actor: "Account", ip: str | None) -> int:
    """Confirm each platform's webmail address as checked with its institution."""
    with transaction.atomic():
        count = 0
        for platform in platforms.exclude(confirmed_url=F("webmail_url")):
            platform.confirmed_url = platform.webmail_url
            platform.save(update_fields=["confirmed_url"])
            record(events.WEBMAIL_CONFIRMED, actor=actor, ip=ip, platform=platform.slug, url=platform.webmail_url)
            count += 1
    return count


def confirm_mail_servers(platforms: "QuerySet[Platform]", *, actor: "Account", ip: str | None) -> int:
    """Confirm each platform's mail-client settings as checked with the platform's team."""
    with transaction.atomic():
        count = 0
        for platform in platforms.exclude(mail_servers={}):
            if platform.mail_servers_confirmed:
                continue
            platform.confirmed_mail_servers = platform.mail_servers
            platform.save(update_fields=["confirmed_mail_servers"])
            record(events.MAIL_SERVERS_CONFIRMED, actor=actor, ip=ip, platform=platform.slug)
            count += 1
    return count
