"""Self-service recovery: request a code, check it, set the new password.

Nothing here tells the caller whether an identifier exists or which contacts it has:
`request_code` returns nothing, and every branch does the same kind of work.
"""

import hmac
import secrets
from datetime import timedelta

import phonenumbers
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import directories
from accounts.actions import passwords, throttling
from accounts.actions.signin import trusted_device
from accounts.backends import mirror
from accounts.models import Account, Throttle, normalize_identifier
from accounts.throttle import address_key
from audit.actions import client_ip, record
from institutions import queries, routing
from institutions.models import MailDomain
from notify import quotas
from notify.actions import queue

from . import reset_requests
from .models import RequestLog, ResetCode

# Codes a person types expire after 10 minutes (ASVS 2.7.2). A printed code is handed over
# at the support desk, like an activation code (ASVS 2.3.1): the person needs time to reach
# a screen, and it is never sent anywhere it could be intercepted.
TTL = {
    ResetCode.EMAIL: timedelta(minutes=10),
    ResetCode.SMS: timedelta(minutes=10),
    ResetCode.PRINTED: timedelta(minutes=30),
}
# 8 characters from 31 that cannot be mistaken for one another (no 0/O, 1/I/L): 31^8 ≈ 8.5e11.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

# Request quotas, matched or not (so an unknown identifier is limited like a real one). An
# institution's network is many people: its quota is larger. A browser that signed in to the
# account before is never refused (accounts.actions.signin.trusted_device).
REQUEST_WINDOW = timedelta(minutes=10)
REQUEST_LIMIT = 5  # per identifier
REQUEST_NET_LIMIT = 5  # per address (IPv4) or /64 (IPv6)
REQUEST_CAMPUS_LIMIT = 100  # per address on an institution's declared network

# Wrong codes, across requests: the per-account budget guards self-service codes (the code
# itself also dies after five wrong entries, its link does not); the network budget guards
# every code. Codes from support or HR are never ended nor refused because of someone else's
# wrong codes: 31^8 codes against a network budget leave a guess no chance.
CODE_ACCOUNT_WINDOW, CODE_ACCOUNT_LIMIT = timedelta(hours=24), 10
CODE_NET_WINDOW, CODE_NET_LIMIT, CODE_CAMPUS_LIMIT = timedelta(minutes=10), 20, 200
GRANT = "recovery.grant"
GRANT_SECONDS = 15 * 60


def digest(purpose: str, value: str) -> str:
    return salted_hmac(f"guichet.recovery.{purpose}", value, algorithm="sha256").hexdigest()


def new_code() -> str:
    """Six digits, for confirming a new recovery channel (typed by someone already signed in)."""
    return f"{secrets.randbelow(10**6):06d}"


def new_reset_code() -> str:
    """« 7KQ4-M9TX »: the dash only helps reading it out; typing it is optional."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: str) -> str:
    """What is compared: small letters, spaces and dashes as typed on a phone are fine."""
    return "".join(c for c in (code or "").upper() if c.isalnum())[:32]


class CodeLimited(Exception):
    """Too many wrong codes from this network, or for this account's self-service codes."""


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


def over_limit(identifier: str, ip: str | None, now=None, *, trusted: bool = False) -> bool:
    """Counts this request against the identifier's and the network's quotas (atomically);
    True when one of them is spent. A trusted browser is neither counted nor refused."""
    if trusted:
        return False
    now = now or timezone.now()
    net_limit = REQUEST_CAMPUS_LIMIT if throttling.on_campus(ip) else REQUEST_NET_LIMIT
    if not throttling.window_take(Throttle.REQUEST_NET, address_key(ip), net_limit, REQUEST_WINDOW, now):
        return True
    if not throttling.window_take(
        Throttle.REQUEST_ID, normalize_identifier(identifier), REQUEST_LIMIT, REQUEST_WINDOW, now
    ):
        throttling.window_give_back(Throttle.REQUEST_NET, address_key(ip))
        return True
    return False


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
    code, link = new_reset_code(), secrets.token_urlsafe(32)
    # A self-service request replaces the earlier self-service code only: whoever knows the
    # person's secondary address must not be able to void the code support printed for them.
    live = ResetCode.objects.filter(account=account, ended_at__isnull=True)
    if origin == ResetCode.SELF:
        live = live.filter(origin=ResetCode.SELF)
    live.update(ended_at=now, end_reason="replaced")
    ttl = TTL[channel]
    reset = ResetCode.objects.create(
        account=account,
        channel=channel,
        origin=origin,
        code_digest=digest("code", normalize_code(code)),
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
    """The live reset this code opens, or None; raises CodeLimited when the budgets are spent.

    Every attempt is counted before the comparison (atomically), and given back when right,
    so thirty-two attempts at once get exactly the budget thirty-two in a row would.
    """
    now = timezone.now()
    ip = client_ip(request)
    normalized = normalize_identifier(identifier)
    account = Account.objects.filter(identifier=normalized).first()
    trusted = bool(account and trusted_device(request, account.identifier))
    net = address_key(ip)
    net_limit = CODE_CAMPUS_LIMIT if throttling.on_campus(ip) else CODE_NET_LIMIT
    if not trusted and not throttling.window_take(Throttle.CODE_NET, net, net_limit, CODE_NET_WINDOW, now):
        record("recovery.code.limited", subject=account, subject_label="" if account else "-", ip=ip, scope="network")
        raise CodeLimited()
    live = list(
        ResetCode.objects.filter(account=account, ended_at__isnull=True, expires_at__gt=now).exclude(code_digest="")
        if account
        else []
    )
    assisted = [r for r in live if r.origin != ResetCode.SELF]
    own = [r for r in live if r.origin == ResetCode.SELF]
    # The account's budget is asked only when a self-service code is at stake (else an
    # attacker's wrong codes would refuse the code support printed).
    own_allowed = trusted or throttling.window_take(
        Throttle.CODE_ID, normalized, CODE_ACCOUNT_LIMIT, CODE_ACCOUNT_WINDOW, now
    )
    given = digest("code", normalize_code(code))
    match = next((r for r in assisted if hmac.compare_digest(given, r.code_digest)), None)
    if match is None and own_allowed:
        match = next((r for r in own if _reserve_entry(r) and hmac.compare_digest(given, r.code_digest)), None)
    if match is not None:
        if not trusted:
            throttling.window_give_back(Throttle.CODE_NET, net)
            if own_allowed:
                throttling.window_give_back(Throttle.CODE_ID, normalized)
        return _grant(request, match, now)
    if not own_allowed and not assisted:
        record("recovery.code.limited", subject=account, subject_label="" if account else "-", ip=ip, scope="account")
        raise CodeLimited()
    if account is not None:
        record("recovery.code.wrong", subject=account, ip=ip)
    return None


def _reserve_entry(reset: ResetCode) -> bool:
    """Count one entry on a self-service code before comparing; at five wrong ones its code dies
    (the link of the same message stays good: 256 bits are not guessed)."""
    with transaction.atomic():
        taken = ResetCode.objects.filter(pk=reset.pk, attempts__lt=ResetCode.MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        if not taken:
            return False
        row = ResetCode.objects.select_for_update().get(pk=reset.pk)
        if row.attempts >= ResetCode.MAX_ATTEMPTS:
            # The fifth entry is still compared; after it the code is gone.
            _kill_code(row, timezone.now())
        return True


def _kill_code(reset: ResetCode, now) -> None:
    if reset.link_digest:
        ResetCode.objects.filter(pk=reset.pk).update(code_digest="")
    else:
        ResetCode.objects.filter(pk=reset.pk).update(ended_at=now, end_reason="killed")


def check_link(request, link: str) -> ResetCode | None:
    now = timezone.now()
    reset = ResetCode.objects.filter(link_digest=digest("link", link or ""), ended_at__isnull=True).first()
    if reset is None or not reset.is_live(now) or not link:
        return None
    return _grant(request, reset, now)


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
