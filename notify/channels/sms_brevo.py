"""Brevo transactional SMS, the real SMS backend (GUICHET_SMS_BACKEND=brevo).

What this follows, from Brevo's own documentation:

- "Send transactional SMS", https://developers.brevo.com/docs/transactional-sms-endpoints:
  POST https://api.brevo.com/v3/transactionalSMS/send with the headers `api-key`,
  `accept: application/json` and `content-type: application/json`; a JSON body with
  `sender`, `recipient`, `content`, `type`, `tag` (optional: `webUrl`, `unicodeEnabled`,
  `organisationPrefix`); 201 when accepted, 400 for a bad request.
- Changelog of 1 May 2025, https://developers.brevo.com/changelog/2025/5/1: the older
  POST /v3/transactionalSMS/sms (answering reference, messageId, smsCount, usedCredits,
  remainingCredits) is deprecated; /v3/transactionalSMS/send answers `{"messageId": <int>}`.
  So this module uses /send, and the reference it returns is that messageId.
- The parameters, https://developers.brevo.com/reference/sendtransacsms and Brevo's generated
  SDK (getbrevo/brevo-python, transactional_sms/raw_client.py): `sender` is at most 11
  alphanumeric characters or 15 digits; `recipient` is the number with its country code.
- Errors are JSON `{"code": ..., "message": ...}`, https://developers.brevo.com/docs/how-it-works.

Which failures are worth another try is ours to decide: a refused request (400, 404, 422…) is
refused again, so the message is abandoned at once (PermanentFailure). A bad key (401), a
key without the permission or from an unlisted IP (403), no credits left (402), throttling
(429), Brevo's own trouble (5xx) and the network are fixed by time or by an operator: the
message stays queued and the outbox tries again.
"""

import re
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

from ..models import Message
from .errors import ChannelUnavailable, PermanentFailure

PATH = "/v3/transactionalSMS/send"
TIMEOUT = (3, 10)  # seconds to connect, seconds to wait for the answer
RETRYABLE_4XX = frozenset({401, 402, 403, 408, 425, 429})
SENDER = re.compile(r"[A-Za-z0-9]{1,11}|[0-9]{1,15}")
RECIPIENT = re.compile(r"[0-9]+")
# GSM 03.38, the 7-bit SMS alphabet (basic set and extension). Anything else needs Unicode,
# which Brevo only uses when asked to; French's â ç ê î ô û œ are not in it, é è à ù are.
GSM_7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f"
)


class BrevoUnavailable(ChannelUnavailable):
    """Brevo did not take the message this time; the outbox tries again."""


class BrevoRejected(PermanentFailure):
    """Brevo refused this message (an invalid number, say); sending it again cannot help."""


def send(message: Message) -> str:
    key = _api_key()
    sender = settings.GUICHET_SMS_SENDER
    if not SENDER.fullmatch(sender):
        # A configuration error, not the message's: keep it queued until the setting is fixed.
        raise ChannelUnavailable("GUICHET_SMS_SENDER must be 1 to 11 letters or digits, or up to 15 digits")
    recipient = message.to.strip().removeprefix("+")  # E.164 without its '+': 33612345678
    if not RECIPIENT.fullmatch(recipient):
        raise BrevoRejected("the recipient is not an international phone number")
    body = {
        "sender": sender,
        "recipient": recipient,
        "content": message.body_text,
        "type": "transactional",
        "tag": message.purpose,
    }
    if not set(message.body_text) <= GSM_7:
        body["unicodeEnabled"] = True
    try:
        response = requests.post(
            settings.GUICHET_BREVO_API_URL.rstrip("/") + PATH,
            json=body,
            headers={"api-key": key, "accept": "application/json", "content-type": "application/json"},
            timeout=TIMEOUT,
            # A redirect would carry the api-key header to wherever it points.
            allow_redirects=False,
        )
    except requests.RequestException as error:
        # The class says enough (ConnectTimeout, ReadTimeout, ConnectionError); its text
        # only repeats the URL.
        raise BrevoUnavailable(f"Brevo not reached: {type(error).__name__}") from None
    status = response.status_code
    if 200 <= status < 300:
        answer = _json(response)
        return str(answer.get("messageId") or answer.get("reference") or "")
    problem = f"Brevo answered {status}{_detail(response, key)}"
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        raise BrevoRejected(problem)
    raise BrevoUnavailable(problem)


def _api_key() -> str:
    # Read at each send, so a key rotated in its file is picked up without a restart.
    key: str = settings.GUICHET_BREVO_API_KEY
    if not key and settings.GUICHET_BREVO_API_KEY_FILE:
        try:
            key = Path(settings.GUICHET_BREVO_API_KEY_FILE).read_text().strip()
        except OSError as error:
            raise ChannelUnavailable(f"Brevo API key file unreadable: {type(error).__name__}") from None
    if not key:
        raise ChannelUnavailable("no Brevo API key (GUICHET_BREVO_API_KEY or GUICHET_BREVO_API_KEY_FILE)")
    return key


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _detail(response: requests.Response, key: str) -> str:
    """Brevo's code and message, fit for last_error and the log.

    Its message might quote what it refused; the key is cut out, and so are long runs of
    digits (a phone number, a code).
    """
    answer = _json(response)
    text = " ".join(str(answer[field]) for field in ("code", "message") if answer.get(field))
    text = re.sub(r"[0-9]{4,}", "…", text.replace(key, "[key]"))
    return f": {text[:200]}" if text else ""
