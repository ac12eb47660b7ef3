"""What the desk may show of a person's contacts: enough to recognise them, not to use them."""

from datetime import datetime
from typing import TypedDict

import phonenumbers

from accounts.models import Account

from .actions.lookup import usable_channels
from .models import ResetCode


class MaskedChannel(TypedDict):
    kind: str
    masked: str
    usable: bool


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


def verified_channels(account: Account, now: datetime | None = None) -> list[MaskedChannel]:
    """Every verified channel, masked, with whether it may receive a reset now."""
    usable = usable_channels(account, now)
    channels: list[MaskedChannel] = []
    if account.has_verified_secondary_email:
        masked = mask_email(account.secondary_email)
        channels.append({"kind": ResetCode.EMAIL, "masked": masked, "usable": ResetCode.EMAIL in usable})
    if account.has_verified_mobile:
        masked = mask_mobile(str(account.mobile))
        channels.append({"kind": ResetCode.SMS, "masked": masked, "usable": ResetCode.SMS in usable})
    return channels
