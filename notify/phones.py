"""Phone numbers as notify sends them: E.164, the one form every SMS provider takes.

Here because notify is the floor that sends SMS; accounts (numbers from the directory) and
recovery (numbers people type) both normalise through it, so a number is stored and
compared in one form only.
"""

import phonenumbers

DEFAULT_REGION = "FR"


def e164(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """E.164 ("+33612345678") for a national ("06 12 34 56 78") or international number;
    "" when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
