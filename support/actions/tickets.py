"""The person's side: open a ticket, follow it from the tracking link, close it; purging."""

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Account, normalize_identifier
from audit.actions import record
from audit.keyed import keyed_hash
from institutions.models import Institution, Platform
from notify.actions import queue

from .. import events, images, priority, sla
from ..models import Screenshot, Ticket, TicketMessage

# Tickets per contact and per address: generous enough for a campus behind one address,
# tight enough that nobody turns the form into an SMS cannon.
PER_CONTACT_PER_DAY = 5
PER_ADDRESS_PER_HOUR = 60
# A resolved ticket the person did not answer is closed after this (as GLPI does).
AUTO_CLOSE_AFTER = timedelta(days=7)


class ContactLimit(Exception):
    """Too many tickets from this contact or address lately; the message says what to do."""


# The salts keyed_digest (accounts) built when it hashed these: kept, or every stored tracking
# link would stop opening and the day's counters would start again.
_TRACKING_SALT = "guichet.throttle.support-tracking"
_CONTACT_SALT = "guichet.throttle.support-contact"
_IP_SALT = "guichet.throttle.support-ip"


def _link_digest(token: str) -> str:
    return keyed_hash(_TRACKING_SALT, token)


def ticket_for_link(token: str) -> Ticket | None:
    """The one ticket a tracking link opens, or None (wrong, altered or purged)."""
    if not token or len(token) > 100:
        return None
    return Ticket.objects.select_related("institution", "platform").filter(tracking_hash=_link_digest(token)).first()


def _absolute(site: str, path: str) -> str:
    return f"{(site or settings.GUICHET_BASE_URL).rstrip('/')}{path}"


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _check_limits(contact: str, ip: str | None) -> None:
    if _count(f"support:contact:{keyed_hash(_CONTACT_SALT, contact.lower())}", 86400) > PER_CONTACT_PER_DAY:
        raise ContactLimit(
            _("Plusieurs demandes ont déjà été déposées aujourd'hui avec ce contact. Suivez-les avec le lien reçu.")
        )
    if ip and _count(f"support:ip:{keyed_hash(_IP_SALT, ip)}", 3600) > PER_ADDRESS_PER_HOUR:
        raise ContactLimit(_("Trop de demandes depuis votre réseau. Réessayez dans une heure, ou appelez le support."))


@transaction.atomic
def open_ticket(
    *,
    identifier: str,
    nature: str,
    contact_channel: str,
    contact: str,
    language: str,
    institution: Institution | None = None,
    platform: Platform | None = None,
    occurred_at: datetime | None = None,
    description: str = "",
    urgent: bool = False,
    context: Mapping[str, object] | None = None,
    screenshot: images.Clean | None = None,
    incident_ref: str = "",
    site: str = "",
    ip: str | None = None,
    limit: bool = True,
) -> tuple[Ticket, str]:
    """Open a ticket; returns it with the tracking link's secret (shown once, sent once)."""
    if limit:
        _check_limits(contact, ip)
    now = timezone.now()
    if institution is None and platform is not None:
        institution = platform.institution
    token = secrets.token_urlsafe(32)  # 256 bits
    urgency = priority.URGENT if urgent else priority.NORMAL
    ticket = Ticket.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        institution=institution,
        platform=platform,
        identifier=normalize_identifier(identifier)[:254],
        nature=nature,
        occurred_at=occurred_at,
        description=description,
        urgent=urgent,
        urgency=urgency,
        impact=priority.DEFAULT_IMPACT,
        priority=priority.priority(urgency, priority.DEFAULT_IMPACT),
        contact_channel=contact_channel,
        contact=contact,
        language=language,
        context=context or {},
        incident_ref=incident_ref,
        tracking_hash=_link_digest(token),
        created_at=now,
        sla_running_since=now,
        handoff_next_at=now if institution and institution.helpdesk else None,
    )
    ticket.number = f"{now.astimezone().year}-{ticket.pk:06d}"
    ticket.save(update_fields=["number"])
    if screenshot is not None:
        _store_screenshot(ticket, screenshot)
    _opened(ticket, token, site=site, ip=ip, screenshot=screenshot is not None)
    return ticket, token


def _opened(ticket: Ticket, token: str, *, site: str, ip: str | None, screenshot: bool) -> None:
    """What follows an opening: the event, the tracking link to the person, the hand-off."""
    account = Account.objects.filter(identifier=ticket.identifier).first()
    record(
        events.TICKET_OPENED,
        subject=account,
        subject_label="" if account else ticket.identifier,
        ip=ip,
        ticket=ticket.number,
        nature=ticket.nature,
        institution=ticket.institution.slug if ticket.institution else "",
        urgent=ticket.urgent,
        incident=ticket.incident_ref,
        screenshot=screenshot,
    )
    _tell(ticket, "support_ticket_opened", {"link": _absolute(site, reverse("support-track", args=[token]))})
    if ticket.handoff_next_at:
        from .. import tasks

        transaction.on_commit(partial(tasks.handoff_task, ticket.pk), robust=True)


def file_suspicious_report(
    *,
    identifier: str,
    contact: str,
    message_text: str,
    links: list[tuple[str, str]],
    language: str,
    institution_slug: str | None,
) -> Ticket:
    """« Signaler un message suspect » (status app): a ticket of nature « message suspect ».

    `links` are (url, verdict) pairs the status app worked out; they go in the description
    as text (rendered inert like every ticket text) and in the context for the agents.
    """
    institution = Institution.objects.filter(slug=institution_slug).first() if institution_slug else None
    with override(language):
        lines = [_("Message suspect signalé :"), message_text.strip()]
        if links:
            lines.append("")
            lines.append(_("Liens trouvés dans le message :"))
            lines.extend(f"- {url} — {verdict}" for url, verdict in links)
    channel = Ticket.SMS if contact.strip().startswith("+") else Ticket.EMAIL
    ticket, _token = open_ticket(
        identifier=identifier,
        nature="message-suspect",
        contact_channel=channel,
        contact=contact.strip(),
        language=language,
        institution=institution,
        description="\n".join(lines)[:10000],
        context={"links": [[str(u)[:500], str(v)[:200]] for u, v in links[:50]], "source": "status"},
        limit=False,  # the status app throttles its own form
    )
    return ticket


def _store_screenshot(ticket: Ticket, clean: images.Clean) -> Screenshot:
    shot = Screenshot(
        ticket=ticket,
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
        size=len(clean.data),
    )
    # A random name: nothing about the ticket or the person in the file system.
    shot.file.save(f"{secrets.token_hex(16)}{clean.extension}", ContentFile(clean.data), save=False)
    shot.save()
    return shot


def _tell(ticket: Ticket, template: str, extra: dict[str, object]) -> None:
    """A message to the person's contact channel, through the outbox, in their language."""
    context = {"ticket": ticket, "number": ticket.number, **extra}
    queue(
        ticket.contact_channel,
        to=ticket.contact,
        template=template,
        context=context,
        language=ticket.language,
        purpose=f"support.{template.removeprefix('support_')}",
    )


@transaction.atomic
def add_person_message(
    ticket: Ticket, *, body: str, screenshot: images.Clean | None = None, ip: str | None = None
) -> TicketMessage | None:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Ticket.CLOSED:
        return None
    message = None
    if body.strip():
        message = TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.PERSON, body=body)
    if screenshot is not None:
        _store_screenshot(ticket, screenshot)
    fields: list[str] = []
    if ticket.status in (Ticket.WAITING, Ticket.RESOLVED):
        # The person answered: back on the agents' side, and the clock runs again.
        fields = sla.move_clock(ticket, Ticket.IN_PROGRESS, timezone.now())
        ticket.status = Ticket.IN_PROGRESS
        ticket.save(update_fields=["status", *fields])
    record(events.TICKET_PERSON_MESSAGE, subject_label=ticket.identifier, ip=ip, ticket=ticket.number)
    return message


@transaction.atomic
def close_by_person(ticket: Ticket, *, ip: str | None = None) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.CLOSED:
        now = timezone.now()
        fields = sla.move_clock(ticket, Ticket.CLOSED, now)
        ticket.status, ticket.closed_at = Ticket.CLOSED, now
        ticket.save(update_fields=["status", "closed_at", *fields])
        record(events.TICKET_CLOSED_BY_PERSON, subject_label=ticket.identifier, ip=ip, ticket=ticket.number)
    return ticket


def purge(ticket: Ticket, *, actor: Account | None = None, reason: str = "retention") -> None:
    """Delete a ticket, its messages and its screenshots' files; its link then opens nothing."""
    files = [s.file.name for s in ticket.screenshots.all() if s.file.name]
    with transaction.atomic():
        record(events.TICKET_PURGED, actor=actor, subject_label=ticket.identifier, ticket=ticket.number, why=reason)
        ticket.delete()
    storage = Screenshot._meta.get_field("file").storage
    for name in files:
        storage.delete(name)


def purge_expired(now: datetime | None = None) -> int:
    """Resolved tickets nobody reopened for a week are closed; closed tickets older than the
    retention period go, files included."""
    now = now or timezone.now()
    for ticket in Ticket.objects.filter(status=Ticket.RESOLVED, resolved_at__lt=now - AUTO_CLOSE_AFTER)[:500]:
        with transaction.atomic():
            Ticket.objects.filter(pk=ticket.pk, status=Ticket.RESOLVED).update(status=Ticket.CLOSED, closed_at=now)
            record(events.TICKET_CLOSED_AUTOMATICALLY, subject_label=ticket.identifier, ticket=ticket.number)
    cutoff = now - timedelta(days=settings.GUICHET_SUPPORT_RETENTION_DAYS)
    old = Ticket.objects.filter(status=Ticket.CLOSED, closed_at__lt=cutoff)
    count = 0
    for ticket in old[:500]:
        purge(ticket)
        count += 1
    return count
