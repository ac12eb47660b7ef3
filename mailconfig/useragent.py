"""Which guide to offer first, from the browser's user agent (ua-parser)."""

from ua_parser import parse

GUIDES = ("thunderbird", "outlook", "new-outlook", "apple-macos", "apple-ios", "android-gmail", "android-thunderbird")


def guide_order(user_agent: str) -> list[str]:
    """The guides, the likeliest for this device first."""
    result = parse((user_agent or "")[:1000])
    family = (result.os.family if result.os else "") or ""
    if family == "iOS" or family == "iPadOS":
        first = ["apple-ios"]
    elif family == "Android":
        first = ["android-gmail", "android-thunderbird"]
    elif family == "Mac OS X":
        first = ["apple-macos", "thunderbird"]
    elif family == "Windows":
        first = ["outlook", "new-outlook", "thunderbird"]
    elif family in ("Linux", "Ubuntu", "Fedora", "Debian"):
        first = ["thunderbird"]
    else:
        first = []
    return first + [g for g in GUIDES if g not in first]
