from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

from guichet import identity


def site(request: HttpRequest) -> dict[str, object]:
    """What every page's header and footer need: whose portal, its address, the other language."""
    current = get_language()
    path = request.get_full_path()
    others = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES if code != current]
    ident = identity.current()
    return {
        "site_name": ident.name,
        "identity": ident,
        "official_address": _address(request, ident),
        "other_languages": others,
    }


def _address(request: HttpRequest, ident: identity.Identity) -> str:
    # The official name from the set-up; without one, the name this page was asked at.
    if ident.host:
        return f"https://{ident.host}"
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""
