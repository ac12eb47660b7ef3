"""Self-service recovery: request a code, check it, set the new password.

Nothing here tells the caller whether an identifier exists or which contacts it has:
`request_code` returns nothing, and every branch does the same kind of work.
"""

import hmac
import secrets
from datetime import timedelta

import phonenumbers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import directories
from accounts.actions import passwords
from accounts.backends import mirror
from accounts.models import Account, normalize_identifier
from audit.actions import client_ip, record
from institutions import queries, routing
from institutions.models import MailDomain
from notify import quotas
from notify.actions import queue

from . import reset_requests
from .models import RequestLog, ResetCode

# A printed code is handed over at the support desk: the person needs time to reach a screen.
TTL = {
    ResetCode.EMAIL: timedelta(minutes=15),
    ResetCode.SMS: timedelta(minutes=10),
    ResetCode.PRINTED: timedelta(minutes=30),
}
REQUEST_WINDOW = timedelta(minutes=10)
REQUEST_LIMIT = 5
GRANT = "recovery.grant"
GRANT_SECONDS = 15 * 60


def digest(purpose: str, value: str) -> str:
    return salted_hmac(f"guichet.recovery.{purpose}", value, algorithm="sha256").hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def is_institution_address(address: str) -> bool:
    """The mailbox being recovered is exactly the unreachable one: never send there."""
    domain = address.rpartition("@")[2].strip().lower()
    return any(domain == d or domain.endswith(f".{d}") for d in MailDomain.objects.values_list("domain", flat=True))


def normalize_mobile(raw: str) -> str:
    """E.164 for a French-style or international number, "" when it is not a phone number."""
    try:
        number = phonenumbers.parse(raw or "", "FR")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_account(identifier: str) -> Account | None:
    """The local account, or the directory's entry mirrored (an LDAP person who never signed in)."""
    account = Account.objects.filter(identifier=normalize_identifier(identifier)).first()
    if account is not None:
        return account
    result = queries.route(identifier)
    if result.status != routing.MATCHED:
        return None
    institution = result.target.institution
    if institution.directory == "database":
        return None
    try:
        entry = directories.for_institution(institution).lookup(identifier)
    except directories.DirectoryUnavailable:
        return None
    return mirror(institution, institution.directory, entry) if entry else None


def over_limit(identifier: str, ip: str | None, now=None) -> bool:
    """Five requests per identifier and per address within ten minutes, matched or not."""
    since = (now or timezone.now()) - REQUEST_WINDOW
    recent = RequestLog.objects.filter(at__gte=since)
    return (
        recent.filter(identifier_digest=digest("identifier", normalize_identifier(identifier))).count() >= REQUEST_LIMIT
        or recent.filter(ip_digest=digest("ip", ip or "")).count() >= REQUEST_LIMIT
    )


def _matching_contact(account: Account | None, channel: str, contact: str, now, ip: str | None = None) -> str:
    if account is None or not account.is_active:
        return ""
    if channel == ResetCode.EMAIL:
        wanted = account.recovery_email(now)
        ok = wanted and hmac.compare_digest(wanted.lower(), contact.strip().lower())
        return wanted if ok and not is_institution_address(wanted) else ""
    wanted = account.recovery_mobile(now)
    ok = wanted and hmac.compare_digest(wanted, normalize_mobile(contact))
    allowed = ok and quotas.sms_allowed(wanted, now, account=account, network=quotas.network_of(ip))
    return wanted if allowed else ""


@transaction.atomic
def request_code(request, identifier: str, channel: str, contact: str) -> None:
    """Note the request and hand the rest to the worker: the answer then takes the same
    time whether the identifier exists, the contact matches, or a code goes out."""
    ip = client_ip(request)
    RequestLog.objects.create(
        identifier_digest=digest("identifier", normalize_identifier(identifier)),
        ip_digest=digest("ip", ip or ""),
        at=timezone.now(),
    )
    # A row in this transaction, like an outbox message: a lost queue loses no request.
    reset_requests.write(identifier, channel, contact, ip, request.build_absolute_uri("/"))


def process_request(identifier: str, channel: str, contact: str, ip: str | None, site: str) -> None:
    """The worker's half of a request: send a code if the contact is a verified one.
    Called by recovery.reset_requests.process inside its transaction."""
    now = timezone.now()
    account = find_account(identifier)
    target = _matching_contact(account, channel, contact, now, ip)
    if not target:
        record(
            "recovery.request.unmatched", subject=account, subject_label="" if account else "-", ip=ip, channel=channel
        )
        return
    issue(None, account, channel, target, origin=ResetCode.SELF, site=site, ip=ip)


def issue(request, account: Account, channel: str, target: str, *, origin: str, actor=None, site=None, ip=None):
    """Replace any live code with a new one and send it; support and HR use this too.
    Returns the row and the code in clear, for the one caller that prints it (support).
    Without a request (the worker), `site` is the absolute root URL for the link."""
    now = timezone.now()
    code, link = new_code(), secrets.token_urlsafe(32)
    ResetCode.objects.filter(account=account, ended_at__isnull=True).update(ended_at=now, end_reason="replaced")
    ttl = TTL[channel]
    reset = ResetCode.objects.create(
        account=account,
        channel=channel,
        origin=origin,
        code_digest=digest("code", code),
        link_digest=digest("link", link) if channel == ResetCode.EMAIL else "",
        created_at=now,
        expires_at=now + ttl,
    )
    context = {
        "account": account,
        "code": code,
        "minutes": int(ttl.total_seconds() // 60),
        "link": _absolute(request, site, reverse("recovery-link", args=[link])),
    }
    if channel != ResetCode.PRINTED:  # a printed code is read out at the desk, never sent
        queue(
            channel,
            to=target,
            template="reset_code",
            context=context,
            language=account.language,
            purpose="recovery.code",
            account=account,
            # Sent late (an outage, a crashed worker), it would arrive expired: re-issued instead.
            expires_at=reset.expires_at,
            reference={"reset": reset.pk, "site": site or (request.build_absolute_uri("/") if request else "")},
            ip=client_ip(request) if request else ip,
        )
    record(
        "recovery.code.issued",
        actor=actor or account,
        subject=account,
        ip=client_ip(request) if request else ip,
        channel=channel,
        origin=origin,
    )
    return reset, code


def _absolute(request, site: str | None, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{(site or '/').rstrip('/')}{path}"


def check_code(request, identifier: str, code: str) -> ResetCode | None:
    """The live reset for this identifier if the code is right; a wrong one counts, five end it."""
    now = timezone.now()
    account = Account.objects.filter(identifier=normalize_identifier(identifier)).first()
    reset = (
        ResetCode.objects.filter(account=account, ended_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
        if account
        else None
    )
    given = digest("code", "".join(c for c in (code or "") if c.isdigit()))
    if reset is None or not hmac.compare_digest(given, reset.code_digest):
        if reset is not None:
            _wrong_entry(request, reset, now)
        return None
    return _grant(request, reset, now)


def check_link(request, link: str) -> ResetCode | None:
    now = timezone.now()
    reset = ResetCode.objects.filter(link_digest=digest("link", link or ""), ended_at__isnull=True).first()
    if reset is None or not reset.is_live(now) or not link:
        return None
    return _grant(request, reset, now)


def _wrong_entry(request, reset: ResetCode, now) -> None:
    reset.attempts += 1
    fields = ["attempts"]
    if reset.attempts >= ResetCode.MAX_ATTEMPTS:
        reset.ended_at, reset.end_reason = now, "killed"
        fields += ["ended_at", "end_reason"]
    reset.save(update_fields=fields)
    record("recovery.code.wrong", subject=reset.account, ip=client_ip(request), attempts=reset.attempts)


def _grant(request, reset: ResetCode, now) -> ResetCode:
    """A right code or link is used up at once; the session may now set one password."""
    ResetCode.objects.filter(pk=reset.pk).update(ended_at=now, end_reason="used")
    request.session.cycle_key()
    request.session[GRANT] = {"account": reset.account_id, "reset": reset.pk, "at": now.timestamp()}
    record("recovery.code.used", subject=reset.account, ip=client_ip(request), channel=reset.channel)
    return reset


def granted_account(request) -> Account | None:
    grant = request.session.get(GRANT)
    if not grant or timezone.now().timestamp() - grant["at"] > GRANT_SECONDS:
        return None
    return Account.objects.filter(pk=grant["account"]).first()


def is_current_password(account: Account, password: str) -> bool:
    try:
        return directories.for_institution(account.institution).authenticate(account.identifier, password) is not None
    except directories.DirectoryUnavailable:
        return False


def user_inputs(account: Account) -> list[str]:
    """The person's own words, which a password should not be made of (policy splits them)."""
    values = [account.identifier, account.display_name, account.secondary_email]
    return [v for v in (*values, account.institution.name_fr, account.institution.short_name_fr) if v]


@transaction.atomic
def set_new_password(request, account: Account, password: str) -> None:
    """The directory gets the new password; sessions end, the pause lifts, channels are told."""
    passwords.set_password(request, account, password, reason="reset")
    request.session.pop(GRANT, None)
    context = {"account": account, "when": timezone.now()}
    for channel, target in ((ResetCode.EMAIL, account.recovery_email()), (ResetCode.SMS, account.recovery_mobile())):
        if target:
            queue(
                channel,
                to=target,
                template="password_changed",
                context=context,
                language=account.language,
                purpose="recovery.password_changed",
                account=account,
                ip=client_ip(request),
            )


REISSUE_LIMIT = 2


def reissue_expired(message) -> None:
    """notify found a code message too late to send (notify.actions.EXPIRING): if its code is
    still the account's latest, end it and send a fresh one to the same place. Twice at most,
    so a long outage does not turn into a stream of codes."""
    reference = message.reference or {}
    reset = ResetCode.objects.filter(pk=reference.get("reset")).select_related("account").first()
    if reset is None or reset.ended_at is not None or message.account_id != reset.account_id:
        return
    if reference.get("reissues", 0) >= REISSUE_LIMIT:
        return
    newer = ResetCode.objects.filter(account=reset.account, created_at__gt=reset.created_at).exists()
    if newer or not reset.account.is_active:
        return
    site = reference.get("site", "")
    fresh, _code = issue(None, reset.account, reset.channel, message.to, origin=reset.origin, site=site)
    ResetCode.objects.filter(pk=reset.pk).update(end_reason="reissued")
    # The new message carries the count forward.
    from notify.models import Message

    Message.objects.filter(reference__reset=fresh.pk).update(
        reference={"reset": fresh.pk, "site": site, "reissues": reference.get("reissues", 0) + 1}
    )
    record("recovery.code.reissued", subject=reset.account, channel=reset.channel, origin=reset.origin)
