"""Devices in words (« Firefox sur Android ») from a stored user-agent string.

ua-parser keeps its regexes current with the browsers (ua-parser-builtins, pinned); a
string it cannot read gives « Navigateur inconnu » rather than the raw string.
"""

from functools import lru_cache

from django import template
from django.utils.translation import gettext as _
from ua_parser import parse

register = template.Library()

# The parser tells mobile builds apart by name; people know the browser by its name alone.
_SIMPLER = {
    "Firefox Mobile": "Firefox",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Mobile Safari": "Safari",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
    "Chrome Mobile WebView": "Chrome",
    "Firefox iOS": "Firefox",
    "Mobile Safari UI/WKWebView": "Safari",
}
_UNKNOWN = {"Other", ""}


@lru_cache(maxsize=256)
def _families(user_agent: str) -> tuple[str, str]:
    result = parse(user_agent or "")
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    return _SIMPLER.get(browser, browser), system


@register.filter
def device(user_agent: str) -> str:
    browser, system = _families(user_agent or "")
    if browser in _UNKNOWN and system in _UNKNOWN:
        return _("Navigateur inconnu")
    if system in _UNKNOWN:
        return browser
    if browser in _UNKNOWN:
        return _("Navigateur sur %(os)s") % {"os": system}
    return _("%(browser)s sur %(os)s") % {"browser": browser, "os": system}
