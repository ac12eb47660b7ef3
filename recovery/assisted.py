"""Assisted resets (issue points 7 and 8): at the support desk, and by HR on a manager's request.

Each action checks who may act, saves, audits and queues its messages in one transaction;
views and forms only call them. A role or self-service violation raises PermissionDenied
(the 403 page); anything the person at the screen can fix raises `Invalid`.

The rules:

- Proofs: an agent ticks at least two of the identity checks of the person's institution,
  or all of them when it lists fewer than two. An institution with no checks configured
  gets no assisted reset at the desk (an administrator must configure them first).
- Nobody acts on their own account. A privileged account's desk reset waits for a second
  agent, who is neither the first one nor the person; pending requests lapse after 24 hours.
- A printed code is 8 characters (recovery.actions.new_reset_code), valid 30 minutes, shown
  once, stored as a keyed hash only.
- HR: a manager (same institution, manager_resets on) asks with a justification of 20
  characters or more and an optional PDF/PNG/JPEG of at most 5 MB; an HR approver of the
  same institution, who is neither the requester nor the person, decides within 7 days.
  The link goes to the verified secondary address, else a code by SMS; with neither, the
  request is marked « needs support » and the manager is told to send the person there.
"""

import secrets
from datetime import timedelta

import phonenumbers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Account
from audit.actions import client_ip, record
from notify import quotas
from notify.actions import queue, queue_email

from .actions import find_account, is_institution_address, issue
from .models import ManagerRequest, ResetCode, SupportReset

SUPPORT_APPROVAL_TTL = timedelta(hours=24)
HR_REQUEST_TTL = timedelta(days=7)
SEARCH_LIMIT = 20
MIN_PROOFS = 2
JUSTIFICATION_MIN = 20
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# Read from the first bytes, whatever the file is called: (content type, extension on disk).
DOCUMENT_SIGNATURES = [
    (b"%PDF-", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", ".png")),
    (b"\xff\xd8\xff", ("image/jpeg", ".jpg")),
]


class Invalid(Exception):
    """The action cannot go ahead; the message says why, for the person at the screen."""


# --- Roles ---------------------------------------------------------------------------------


def is_agent(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_support_agent)


def is_hr_approver(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_hr_approver)


def can_file(user) -> bool:
    """A manager whose institution lets managers ask for resets (CHU and Académie as shipped)."""
    return bool(user.is_authenticated and user.is_active and user.is_manager and user.institution.manager_resets)


def can_see_hr(user) -> bool:
    return is_hr_approver(user) or can_file(user)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- What the desk shows -------------------------------------------------------------------


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}••••@{domain}"


def mask_mobile(number: str) -> str:
    """+33 6 •• •• •• 78: the country, the first digit and the last two."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return "••••"
    national = phonenumbers.national_significant_number(parsed)
    if len(national) < 4:
        return f"+{parsed.country_code} ••••"
    middle = " ".join(["••"] * max(1, (len(national) - 3) // 2))
    return f"+{parsed.country_code} {national[0]} {middle} {national[-2:]}"


def usable_channels(account: Account, now=None) -> dict[str, str]:
    """Where a reset may go now: {"email": address, "sms": number}, verified and past any wait.
    Never the institution's own mailbox, which is the one that is out of reach."""
    found = {}
    email = account.recovery_email(now)
    if email and not is_institution_address(email):
        found[ResetCode.EMAIL] = email
    mobile = account.recovery_mobile(now)
    if mobile:
        found[ResetCode.SMS] = mobile
    return found


def verified_channels(account: Account, now=None) -> list[dict]:
    """Every verified channel, masked, with whether it may receive a reset now."""
    usable = usable_channels(account, now)
    channels = []
    if account.has_verified_secondary_email:
        masked = mask_email(account.secondary_email)
        channels.append({"kind": ResetCode.EMAIL, "masked": masked, "usable": ResetCode.EMAIL in usable})
    if account.has_verified_mobile:
        masked = mask_mobile(str(account.mobile))
        channels.append({"kind": ResetCode.SMS, "masked": masked, "usable": ResetCode.SMS in usable})
    return channels


def identity_checks(institution) -> list[dict]:
    return [c for c in institution.identity_checks or [] if isinstance(c, dict) and c.get("slug")]


def check_label(check: dict) -> str:
    lang = (get_language() or "fr")[:2]
    return check.get(f"label_{lang}") or check.get("label_fr") or check["slug"]


def required_proofs(institution) -> int:
    return min(MIN_PROOFS, len(identity_checks(institution)))


def search(request, agent: Account, query: str) -> list[Account]:
    """Exact identifier (after normalisation, a directory entry included), then names containing it."""
    _require(is_agent(agent))
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
    record("support.lookup", actor=agent, ip=client_ip(request), step="search", query=query[:100], results=len(results))
    return results


def open_person(request, agent: Account, account: Account) -> None:
    _require(is_agent(agent))
    record("support.lookup", actor=agent, subject=account, ip=client_ip(request), step="open")


# --- The support desk ----------------------------------------------------------------------


def _check_agent_on(agent: Account, account: Account) -> None:
    _require(is_agent(agent) and agent.pk != account.pk)


@transaction.atomic
def request_support_reset(
    request, agent: Account, account: Account, *, proofs: list[str], note: str, channel: str
) -> tuple[SupportReset, str | None]:
    """Record the agent's checks; issue at once, or wait for a second agent (privileged account).
    Returns the row and, for a printed code issued now, the code in clear (to show once)."""
    _check_agent_on(agent, account)
    if not account.is_active:
        raise Invalid(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
    checks = identity_checks(account.institution)
    if not checks:
        raise Invalid(_("Aucune vérification d'identité n'est configurée pour cet établissement."))
    known = [c["slug"] for c in checks]
    proofs = [slug for slug in known if slug in set(proofs)]
    if len(proofs) < required_proofs(account.institution):
        raise Invalid(_("Cochez au moins deux vérifications faites (toutes, s'il y en a moins de deux)."))
    note = note.strip()
    if not note:
        raise Invalid(_("Ajoutez une note, par exemple le numéro du ticket."))
    if channel != ResetCode.PRINTED and channel not in usable_channels(account):
        raise Invalid(_("Ce moyen n'est pas disponible pour ce compte : choisissez-en un autre."))
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
        "support.reset.requested",
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


def pending_support_resets(now=None):
    return (
        SupportReset.objects.filter(status=SupportReset.PENDING, expires_at__gt=now or timezone.now())
        .select_related("account", "account__institution", "requested_by")
        .order_by("created_at")
    )


def _locked_pending(reset: SupportReset, now) -> SupportReset:
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
    _require(reset.requested_by_id != agent.pk)


@transaction.atomic
def approve_support_reset(request, agent: Account, reset: SupportReset) -> tuple[SupportReset, str | None]:
    """A second agent approves: the link or code goes out now (a printed code is shown to them)."""
    now = timezone.now()
    _check_second_agent(agent, reset)
    reset = _locked_pending(reset, now)
    reset.decided_by = agent
    record(
        "support.reset.approved",
        actor=agent,
        subject=reset.account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
    )
    return reset, _deliver(request, agent, reset, now)


@transaction.atomic
def refuse_support_reset(request, agent: Account, reset: SupportReset, reason: str) -> SupportReset:
    now = timezone.now()
    _check_second_agent(agent, reset)
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Indiquez le motif du refus."))
    reset = _locked_pending(reset, now)
    reset.status, reset.decided_by, reset.decided_at, reset.refusal_reason = SupportReset.REFUSED, agent, now, reason
    reset.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    record(
        "support.reset.refused",
        actor=agent,
        subject=reset.account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
    )
    return reset


def _deliver(request, agent: Account, reset: SupportReset, now) -> str | None:
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
        "support.reset.issued",
        actor=agent,
        subject=account,
        ip=client_ip(request),
        request_id=reset.pk,
        proofs=reset.proofs,
        channel=reset.channel,
        second_agent=reset.decided_by_id is not None,
    )
    return printed


# --- HR, on a manager's request ------------------------------------------------------------


def check_document(upload) -> tuple[str, str]:
    """(content type, extension) of an accepted document, read from its content."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise Invalid(_("Le justificatif dépasse 5 Mo."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return kind
    raise Invalid(_("Le justificatif doit être un PDF, une image PNG ou une image JPEG."))


def staff_member(manager: Account, identifier: str) -> Account | None:
    """The account of a member of the manager's institution, by exact identifier."""
    account = find_account(identifier)
    if account is None or account.institution_id != manager.institution_id:
        return None
    return account


def file_manager_request(
    request, manager: Account, account: Account, *, justification: str, document=None
) -> ManagerRequest:
    _require(can_file(manager) and account.institution_id == manager.institution_id and account.pk != manager.pk)
    if not account.is_active:
        raise Invalid(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
    justification = justification.strip()
    if len(justification) < JUSTIFICATION_MIN:
        raise Invalid(_("La justification doit faire au moins 20 caractères."))
    now = timezone.now()
    row = ManagerRequest(
        account=account,
        requested_by=manager,
        justification=justification,
        created_at=now,
        expires_at=now + HR_REQUEST_TTL,
    )
    if document:
        row.document_type, extension = check_document(document)
        document.name = f"{secrets.token_hex(16)}{extension}"  # the sender's name says nothing on disk
        row.document = document
    try:
        with transaction.atomic():
            row.save()
            record(
                "hr.request.filed",
                actor=manager,
                subject=account,
                ip=client_ip(request),
                request_id=row.pk,
                document=bool(row.document),
            )
    except Exception:
        if row.document:
            row.document.storage.delete(row.document.name)
        raise
    return row


def hr_requests_for(approver: Account):
    """The requests an HR approver may decide on: those about people of their institution."""
    return ManagerRequest.objects.filter(account__institution_id=approver.institution_id).select_related(
        "account", "requested_by", "decided_by"
    )


def can_view_request(user, row: ManagerRequest) -> bool:
    return row.requested_by_id == user.pk or (
        is_hr_approver(user) and row.account.institution_id == user.institution_id
    )


def can_decide(user, row: ManagerRequest) -> bool:
    return (
        is_hr_approver(user)
        and row.account.institution_id == user.institution_id
        and user.pk not in (row.requested_by_id, row.account_id)
    )


def _locked_pending_request(approver: Account, row: ManagerRequest, now) -> ManagerRequest:
    _require(can_decide(approver, row))
    row = (
        ManagerRequest.objects.select_for_update(of=("self",)).select_related("account", "requested_by").get(pk=row.pk)
    )
    if row.state(now) != ManagerRequest.PENDING:
        raise Invalid(_("Cette demande n'est plus en attente."))
    return row


@transaction.atomic
def approve_manager_request(request, approver: Account, row: ManagerRequest) -> ManagerRequest:
    """The person gets a link by e-mail (else a code by SMS); the requester learns the outcome,
    never the link, the code nor the password."""
    now = timezone.now()
    row = _locked_pending_request(approver, row, now)
    account = row.account
    if not account.is_active:
        raise Invalid(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
    targets = usable_channels(account, now)
    channel = ""
    if ResetCode.EMAIL in targets:
        channel = ResetCode.EMAIL
    elif ResetCode.SMS in targets and quotas.sms_allowed(targets[ResetCode.SMS], now):
        channel = ResetCode.SMS
    if channel:
        reset, _code = issue(request, account, channel, targets[channel], origin=ResetCode.HR, actor=approver)
        row.status, row.channel, row.reset_code = ManagerRequest.ISSUED, channel, reset
    else:
        row.status = ManagerRequest.NEEDS_SUPPORT
    row.decided_by, row.decided_at = approver, now
    row.save(update_fields=["status", "channel", "reset_code", "decided_by", "decided_at"])
    record(
        "hr.request.approved",
        actor=approver,
        subject=account,
        ip=client_ip(request),
        request_id=row.pk,
        channel=channel,
        outcome=row.status,
    )
    _tell_requester(row)
    return row


@transaction.atomic
def refuse_manager_request(request, approver: Account, row: ManagerRequest, reason: str) -> ManagerRequest:
    now = timezone.now()
    reason = reason.strip()
    row = _locked_pending_request(approver, row, now)
    if not reason:
        raise Invalid(_("Indiquez le motif du refus."))
    row.status, row.refusal_reason, row.decided_by, row.decided_at = ManagerRequest.REFUSED, reason, approver, now
    row.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    record("hr.request.refused", actor=approver, subject=row.account, ip=client_ip(request), request_id=row.pk)
    _tell_requester(row)
    return row


def open_document(request, user: Account, row: ManagerRequest):
    """The document, for an HR approver of the person's institution; the reading is audited."""
    _require(bool(row.document) and is_hr_approver(user) and row.account.institution_id == user.institution_id)
    record("hr.document.downloaded", actor=user, subject=row.account, ip=client_ip(request), request_id=row.pk)
    return row.document.open("rb")


def _tell_printed(request, account: Account, now) -> None:
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


def _work_address(account: Account) -> str:
    # A manager is not locked out: their institutional mailbox is where work mail goes.
    if "@" in account.identifier:
        return account.identifier
    return account.recovery_email()


def _tell_requester(row: ManagerRequest) -> None:
    manager = row.requested_by
    to = _work_address(manager) if manager else ""
    if not to:
        return
    queue_email(
        to=to,
        template="hr_decision",
        context={"request": row, "account": row.account, "manager": manager, "institution": row.account.institution},
        language=manager.language,
        purpose="recovery.hr_decision",
        account=manager,
    )
