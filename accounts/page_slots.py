"""A form page rendered once per set-up revision and language, its per-visit values slotted in.

The sign-in page's first step is the same for every anonymous visitor but for two values: the
CSRF token and the signed pace token (accounts/actions/throttling.py). At 8 a.m. it is asked
once per sign-in, and rendering it cost about ten times the rest of the request (issue 15):
it is rendered with placeholders, kept in the cache like the anonymous pages of
orientation/cache.py (same key parts, same lifetime), and each visit gets the kept HTML with
its own tokens. Only requests that carry nothing personal use it: no query string (`next`,
`identifier`, `profil` and `renew` all come that way), no session, no pending message.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from institutions.revision import current_revision

# Plain ASCII: HTML escaping leaves them as they are, and no page text can contain them.
CSRF_SLOT = "guichet-slot-csrf-5be1c0"
PACE_SLOT = "guichet-slot-pace-5be1c0"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def anonymous_and_plain(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def render_with_slots(
    request: HttpRequest, name: str, render: Callable[[dict[str, str]], HttpResponse], pace: Callable[[], str]
) -> HttpResponse:
    """`render(slots)` renders the page with the slots as context values (csrf_token, pace);
    called on a miss only. `pace()` makes this visit's pace token."""
    key = f"slots:{name}:{current_revision()}:{get_language()}:{request.path}"
    html: str | None = cache.get(key)
    if html is None:
        response = render({"csrf_token": CSRF_SLOT, "pace": PACE_SLOT})
        text = response.content.decode()
        if response.status_code != 200 or text.count(CSRF_SLOT) != 1 or text.count(PACE_SLOT) != 1:
            return render({})  # not the page this was made for: render it plainly, keep nothing
        cache.set(key, text, settings.PAGE_CACHE_SECONDS)
        html = text
    # get_token also has the CSRF middleware set the cookie, as the {% csrf_token %} tag does.
    return HttpResponse(html.replace(CSRF_SLOT, get_token(request)).replace(PACE_SLOT, pace()))
