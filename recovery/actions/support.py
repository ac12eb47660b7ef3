"""Resets at the support desk (issue points 7 and 8).

Each action checks who may act, saves, audits and queues its messages in one transaction;
views and forms only call them. A role or self-service violation raises PermissionDenied
(the 403 page); anything the person at the screen can fix raises `Invalid`.

- Proofs: an agent ticks at least two of the identity checks of the person's institution,
  or all of them when it lists fewer than two. An institution with no checks configured
  gets no assisted reset at the desk (an administrator must configure them first).
- Nobody acts on their own account. A privileged account's desk reset waits for a second
  agent, who is neither the first one nor the person; pending requests lapse after 24 hours.
- A printed code is 8 characters (codes.new_reset_code), valid 10 minutes like every code
  (ASVS 2.7.2), shown once, stored as a keyed hash only; the person is told on every channel.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Account
from audit.actions import client_ip, record
from institutions.models import Institution
from notify import quotas
from notify.actions import queue

from .. import events
from ..models import ResetCode, SupportReset
from ..roles import is_agent, require
from .codes import issue
from .lookup import find_account, usable_channels

SUPPORT_APPROVAL_TTL = timedelta(hours=24)
SEARCH_LIMIT = 20
MIN_PROOFS = 2


class Invalid(Exception):
    """The action cannot go ahead; the message says why, for the person at the screen."""


def identity_checks(institution: Institution) -> list[dict[str, Any]]:
    return [c for c in institution.identity_checks or [] if isinstance(c, dict) and c.get("slug")]


def check_label(check: dict[str, Any]) -> str:
    lang = (get_language() or "fr")[:2]
    return str(check.get(f"label_{lang}") or check.get("label_fr") or check["slug"])


def required_proofs(institution: Institution) -> int:
    return min(MIN_PROOFS, len(identity_checks(institution)))


def search(request: HttpRequest, agent: Account, query: str) -> list[Account]:
    """Exact identifier (after normalisation, a directory entry included), then names containing it."""
    require(is_agent(agent))
    query = " ".join(query.split())[:254]
    if not query:
        return []
    exact = find_account(query)
    by_name = (
        Account.objects.filter(display_name__icontains=query)
        .select_related("institution")
        .order_by("display_name", "identifier")[:SEARCH_LIMIT]
    )
    results = ([exact] if exact else []) + [a for a in by_name if exact is None or a.pk != exact.pk]
    results = results[:SEARCH_LIMIT]
    record(
        events.SUPPORT_LOOKUP,
        actor=agent,
        ip=client_ip(request),
        step="search",
        query=query[:100],
        results=len(results),
    )
    return results


def open_person(request: HttpRequest, agent: Account, account: Account) -> None:
    require(is_agent(agent))
    record(events.SUPPORT_LOOKUP, actor=agent, subject=account, ip=client_ip(request), step="open")


def _check_agent_on(agent: Account, account: Account) -> None:
    require(is_agent(agent) and agent.pk != account.pk)


def _checked_proofs(account: Account, proofs: list[str], note: str, channel: str) -> list[str]:
    """The proofs the institution knows, in its order; Invalid when the request cannot go."""
    if not account.is_active:
        raise Invalid(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
    checks = identity_checks(account.institution)
    if not checks:
        raise Invalid(_("Aucune vérification d'identité n'est configurée pour cet établissement."))
    known = [c["slug"] for c in checks]
    proofs = [slug for slug in known if slug in set(proofs)]
    if len(proofs) < required_proofs(account.institution):
        raise Invalid(_("Cochez au moins deux vérifications faites (toutes, s'il y en a moins de deux)."))
    if not note:
        raise Invalid(_("Ajoutez une note, par exemple le numéro du ticket."))
    if channel != ResetCode.PRINTED and channel not in usable_channels(account):
        raise Invalid(_("Ce moyen n'est pas disponible pour ce compte : choisissez-en un autre."))
    return proofs


@transaction.atomic
def request_support_reset(
    request: HttpRequest, agent: Account, account: Account, *, proofs: list[str], note: str, channel: str
) -> tuple[SupportReset, str | None]:
    """Record the agent's checks; issue at once, or wait for a second agent (privileged account).
    Returns the row and, for a printed code issued now, the code in clear (to show once)."""
    _check_agent_on(agent, account)
    note = note.strip()
    proofs = _checked_proofs(account, proofs, note, channel)
    now = timezone.now()
    reset = SupportReset.objects.create(
        account=account,
        requested_by=agent,
        proofs=proofs,
        note=note,
        channel=channel,
        created_at=now,
        expires_at=now + SUPPORT_APPROVAL_TTL,
    )
    record(
        events.SUPPORT_RESET_REQUESTED,
        actor=agent,
        subject=account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=proofs,
        channel=channel,
        privileged=account.is_privileged,
    )
    if account.is_privileged:
        return reset, None
    return reset, _deliver(request, agent, reset, now)


def pending_support_resets(now: datetime | None = None) -> "QuerySet[SupportReset]":
    return (
        SupportReset.objects.filter(status=SupportReset.PENDING, expires_at__gt=now or timezone.now())
        .select_related("account", "account__institution", "requested_by")
        .order_by("created_at")
    )


def _locked_pending(reset: SupportReset, now: datetime) -> SupportReset:
    reset = (
        SupportReset.objects.select_for_update(of=("self",))
        .select_related("account", "account__institution")
        .get(pk=reset.pk)
    )
    if reset.state(now) != SupportReset.PENDING:
        raise Invalid(_("Cette demande n'est plus en attente."))
    return reset


def _check_second_agent(agent: Account, reset: SupportReset) -> None:
    _check_agent_on(agent, reset.account)
    require(reset.requested_by_id != agent.pk)


@transaction.atomic
def approve_support_reset(request: HttpRequest, agent: Account, reset: SupportReset) -> tuple[SupportReset, str | None]:
    """A second agent approves: the link or code goes out now (a printed code is shown to them)."""
    now = timezone.now()
    _check_second_agent(agent, reset)
    reset = _locked_pending(reset, now)
    reset.decided_by = agent
    record(
        events.SUPPORT_RESET_APPROVED,
        actor=agent,
        subject=reset.account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
    )
    return reset, _deliver(request, agent, reset, now)


@transaction.atomic
def refuse_support_reset(request: HttpRequest, agent: Account, reset: SupportReset, reason: str) -> SupportReset:
    now = timezone.now()
    _check_second_agent(agent, reset)
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Indiquez le motif du refus."))
    reset = _locked_pending(reset, now)
    reset.status, reset.decided_by, reset.decided_at, reset.refusal_reason = SupportReset.REFUSED, agent, now, reason
    reset.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    record(
        events.SUPPORT_RESET_REFUSED,
        actor=agent,
        subject=reset.account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
    )
    return reset


def _deliver(request: HttpRequest, agent: Account, reset: SupportReset, now: datetime) -> str | None:
    account = reset.account
    printed = None
    if reset.channel == ResetCode.PRINTED:
        row, printed = issue(request, account, ResetCode.PRINTED, "", origin=ResetCode.SUPPORT, actor=agent)
        _tell_printed(request, account, now)
    else:
        target = usable_channels(account, now).get(reset.channel)
        if not target:
            raise Invalid(_("Ce contact n'est plus vérifié ou plus utilisable : refusez la demande et recommencez."))
        if reset.channel == ResetCode.SMS and not quotas.sms_allowed(target, now):
            raise Invalid(_("Trop de SMS envoyés à ce numéro ou aujourd'hui : choisissez un autre moyen."))
        row, _code = issue(request, account, reset.channel, target, origin=ResetCode.SUPPORT, actor=agent)
    reset.status, reset.decided_at, reset.reset_code = SupportReset.ISSUED, now, row
    reset.save(update_fields=["status", "decided_by", "decided_at", "reset_code"])
    record(
        events.SUPPORT_RESET_ISSUED,
        actor=agent,
        subject=account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
        second_agent=reset.decided_by_id is not None,
    )
    return printed


def _tell_printed(request: HttpRequest, account: Account, now: datetime) -> None:
    """A code handed over at the desk opens the account: the person hears of it on every
    channel they have, so a code given to the wrong person does not go unnoticed."""
    targets = ((ResetCode.EMAIL, account.recovery_email(now)), (ResetCode.SMS, account.recovery_mobile(now)))
    for channel, target in targets:
        if target:
            queue(
                channel,
                to=target,
                template="printed_code",
                context={"account": account, "when": now},
                language=account.language,
                purpose="recovery.printed_notice",
                account=account,
                ip=client_ip(request),
            )
