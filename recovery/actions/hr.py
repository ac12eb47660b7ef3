"""HR resets, on a manager's request.

A manager (same institution, manager_resets on) asks with a justification of 20 characters
or more and an optional PDF/PNG/JPEG of at most 5 MB; an HR approver of the same
institution, who is neither the requester nor the person, decides within 7 days. The link
goes to the verified secondary address, else a code by SMS (both valid 10 minutes); with
neither, the request is marked « needs support » and the manager is told to send the
person there.
"""

import secrets
from datetime import datetime, timedelta
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from audit.actions import client_ip, record
from notify import quotas
from notify.actions import queue_email

from .. import events
from ..models import ManagerRequest, ResetCode
from ..roles import can_decide, can_file, is_hr_approver, require
from .codes import issue
from .lookup import find_account, usable_channels
from .support import Invalid

HR_REQUEST_TTL = timedelta(days=7)
JUSTIFICATION_MIN = 20
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# Read from the first bytes, whatever the file is called: (content type, extension on disk).
DOCUMENT_SIGNATURES = [
    (b"%PDF-", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", ".png")),
    (b"\xff\xd8\xff", ("image/jpeg", ".jpg")),
]


def check_document(upload: "UploadedFile[bytes]") -> tuple[str, str]:
    """(content type, extension) of an accepted document, read from its content."""
    if (upload.size or 0) > DOCUMENT_MAX_BYTES:
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
    request: HttpRequest,
    manager: Account,
    account: Account,
    *,
    justification: str,
    document: "UploadedFile[bytes] | None" = None,
) -> ManagerRequest:
    require(can_file(manager) and account.institution_id == manager.institution_id and account.pk != manager.pk)
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
                events.HR_REQUEST_FILED,
                actor=manager,
                subject=account,
                ip=client_ip(request),
                request_id=row.pk,
                document=bool(row.document),
            )
    except Exception:
        if row.document:
            row.document.storage.delete(row.document.name or "")
        raise
    return row


def hr_requests_for(approver: Account) -> "QuerySet[ManagerRequest]":
    """The requests an HR approver may decide on: those about people of their institution."""
    return ManagerRequest.objects.filter(account__institution_id=approver.institution_id).select_related(
        "account", "requested_by", "decided_by"
    )


def _locked_pending_request(approver: Account, row: ManagerRequest, now: datetime) -> ManagerRequest:
    require(can_decide(approver, row))
    row = (
        ManagerRequest.objects.select_for_update(of=("self",)).select_related("account", "requested_by").get(pk=row.pk)
    )
    if row.state(now) != ManagerRequest.PENDING:
        raise Invalid(_("Cette demande n'est plus en attente."))
    return row


def _hr_channel(account: Account, now: datetime) -> tuple[str, str]:
    """A link by e-mail, else a code by SMS within the quotas, else ("", "")."""
    targets = usable_channels(account, now)
    if ResetCode.EMAIL in targets:
        return ResetCode.EMAIL, targets[ResetCode.EMAIL]
    if ResetCode.SMS in targets and quotas.sms_allowed(targets[ResetCode.SMS], now):
        return ResetCode.SMS, targets[ResetCode.SMS]
    return "", ""


@transaction.atomic
def approve_manager_request(request: HttpRequest, approver: Account, row: ManagerRequest) -> ManagerRequest:
    """The person gets a link by e-mail (else a code by SMS); the requester learns the outcome,
    never the link, the code nor the password."""
    now = timezone.now()
    row = _locked_pending_request(approver, row, now)
    account = row.account
    if not account.is_active:
        raise Invalid(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
    channel, target = _hr_channel(account, now)
    if channel:
        reset, _code = issue(request, account, channel, target, origin=ResetCode.HR, actor=approver)
        row.status, row.channel, row.reset_code = ManagerRequest.ISSUED, channel, reset
    else:
        row.status = ManagerRequest.NEEDS_SUPPORT
    row.decided_by, row.decided_at = approver, now
    row.save(update_fields=["status", "channel", "reset_code", "decided_by", "decided_at"])
    record(
        events.HR_REQUEST_APPROVED,
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
def refuse_manager_request(request: HttpRequest, approver: Account, row: ManagerRequest, reason: str) -> ManagerRequest:
    now = timezone.now()
    reason = reason.strip()
    row = _locked_pending_request(approver, row, now)
    if not reason:
        raise Invalid(_("Indiquez le motif du refus."))
    row.status, row.refusal_reason, row.decided_by, row.decided_at = ManagerRequest.REFUSED, reason, approver, now
    row.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    record(events.HR_REQUEST_REFUSED, actor=approver, subject=row.account, ip=client_ip(request), request_id=row.pk)
    _tell_requester(row)
    return row


def open_document(request: HttpRequest, user: Account, row: ManagerRequest) -> IO[bytes]:
    """The document, for an HR approver of the person's institution; the reading is audited."""
    require(bool(row.document) and is_hr_approver(user) and row.account.institution_id == user.institution_id)
    record(events.HR_DOCUMENT_DOWNLOADED, actor=user, subject=row.account, ip=client_ip(request), request_id=row.pk)
    return row.document.open("rb")


def _work_address(account: Account) -> str:
    # A manager is not locked out: their institutional mailbox is where work mail goes.
    if "@" in account.identifier:
        return account.identifier
    return account.recovery_email()


def _tell_requester(row: ManagerRequest) -> None:
    manager = row.requested_by
    to = _work_address(manager) if manager else ""
    if not to or manager is None:
        return
    queue_email(
        to=to,
        template="hr_decision",
        context={"request": row, "account": row.account, "manager": manager, "institution": row.account.institution},
        language=manager.language,
        purpose="recovery.hr_decision",
        account=manager,
    )
