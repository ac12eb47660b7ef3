"""What a reset code and a reset link are, and `issue`: the one place that ends the live
codes of an account and hands out a new one (self-service, support and HR alike)."""

import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from audit.actions import client_ip, record
from audit.keyed import keyed_hash
from notify.actions import queue
from notify.models import Message

from .. import events
from ..models import ResetCode

# Everything that opens an account expires after 10 minutes (ASVS 2.7.2), whoever issued it:
# a link by e-mail, a code by SMS, a code printed by support or sent on HR's approval.
TTL = timedelta(minutes=10)
# 8 characters from 31 that cannot be mistaken for one another (no 0/O, 1/I/L): 31^8 ≈ 8.5e11.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
REISSUE_LIMIT = 2


def digest(purpose: str, value: str) -> str:
    """The keyed hash recovery stores instead of a code, link, identifier or address."""
    return keyed_hash(f"guichet.recovery.{purpose}", value)


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


def issue(
    request: HttpRequest | None,
    account: Account,
    channel: str,
    target: str,
    *,
    origin: str,
    actor: Account | None = None,
    site: str | None = None,
    ip: str | None = None,
) -> tuple[ResetCode, str]:
    """Replace any live code with a new one and send it; support and HR use this too.

    An e-mail carries a long single-use link only (like Keycloak's action tokens): nobody
    types it, and 256 bits are not guessed. A short code exists only where a person types
    it: an SMS, or a code printed at the desk. Returns the row and the code in clear ("" for
    an e-mail), for the one caller that prints it (support). Without a request (the
    worker), `site` is the absolute root URL for the link."""
    now = timezone.now()
    ip = client_ip(request) if request is not None else ip
    code = "" if channel == ResetCode.EMAIL else new_reset_code()
    link = secrets.token_urlsafe(32) if channel == ResetCode.EMAIL else ""
    # A self-service request replaces the earlier self-service code only: whoever knows the
    # person's secondary address must not be able to void the code support printed for them.
    live = ResetCode.objects.filter(account=account, ended_at__isnull=True)
    if origin == ResetCode.SELF:
        live = live.filter(origin=ResetCode.SELF)
    live.update(ended_at=now, end_reason="replaced")
    reset = ResetCode.objects.create(
        account=account,
        channel=channel,
        origin=origin,
        code_digest=digest("code", normalize_code(code)) if code else "",
        link_digest=digest("link", link) if link else "",
        created_at=now,
        expires_at=now + TTL,
    )
    if channel != ResetCode.PRINTED:  # a printed code is read out at the desk, never sent
        root = request.build_absolute_uri("/") if request is not None else (site or "")
        url = _absolute(request, site, reverse("recovery-link", args=[link])) if link else ""
        context = {"account": account, "code": code, "link": url, "minutes": int(TTL.total_seconds() // 60)}
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
            reference={"reset": reset.pk, "site": root},
            ip=ip,
        )
    record(events.CODE_ISSUED, actor=actor or account, subject=account, ip=ip, channel=channel, origin=origin)
    return reset, code


def _absolute(request: HttpRequest | None, site: str | None, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{(site or '/').rstrip('/')}{path}"


def reissue_expired(message: Message) -> None:
    """notify found a code message too late to send (notify.actions.EXPIRING): if its code is
    still the account's latest, end it and send a fresh one to the same place. Twice at most,
    so a long outage does not turn into a stream of codes."""
    reference = message.reference or {}
    reset = ResetCode.objects.filter(pk=int(reference.get("reset") or 0)).select_related("account").first()
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
    Message.objects.filter(reference__reset=fresh.pk).update(
        reference={"reset": fresh.pk, "site": site, "reissues": reference.get("reissues", 0) + 1}
    )
    record(events.CODE_REISSUED, subject=reset.account, channel=reset.channel, origin=reset.origin)
