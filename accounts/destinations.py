"""Where accounts may send people, as the apps above it declare it.

accounts sits under orientation, recovery, sso and the rest: it must not name their pages.
Yet sign-in ends somewhere (« Mes services »), a paused sign-in points at the password reset,
and `next` may lead to any page that asked for a signed-in person. So each upper app
registers its own routes here, by view name, in its AppConfig.ready():

- `register_post_login_route`: a page `next` may lead to after sign-in (or re-authentication);
- `register_offsite_route`: a single sign-on end point that sends the person on to a platform
  (the sign-in form's CSP `form-action` would block that redirect: see views/completion.py);
- `register_named`: the page playing a role accounts knows by name (the roles below).

Registering twice is harmless; apps are ready before any request, so the sets are read-only
by the time a page uses them.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# The roles accounts knows by name; the view behind each is an upper app's business.
SERVICES = "services"  # where a signed-in person lands when `next` says nothing usable
PASSWORD_RESET = "password_reset"  # noqa: S105 - a role, not a secret: where « Mot de passe oublié ? » starts
HOME = "home"  # where a person goes once signed out
INSTITUTION_LOGO = "institution_logo"  # an institution's logo, by slug (the sign-in page)

_post_login: set[str] = set()
_offsite: set[str] = set()
_named: dict[str, str] = {}


def register_post_login_route(*view_names: str) -> None:
    """Pages `next` may lead to after sign-in: the allow-list against open redirects."""
    _post_login.update(view_names)


def register_offsite_route(*view_names: str) -> None:
    """Single sign-on end points: allowed after sign-in, reached by a fresh navigation."""
    _post_login.update(view_names)
    _offsite.update(view_names)


def register_named(role: str, view_name: str) -> None:
    _named[role] = view_name


def is_post_login_route(view_name: str) -> bool:
    return view_name in _post_login


def leaves_guichet(view_name: str) -> bool:
    return view_name in _offsite


def registered() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """What the apps registered: post-sign-in routes, off-site routes, roles (for checks)."""
    return frozenset(_post_login), frozenset(_offsite), dict(_named)


def url(role: str, *args: object) -> str:
    """The path of the page registered for `role` (reversed in the active language)."""
    try:
        view_name = _named[role]
    except KeyError:
        raise ImproperlyConfigured(f"no app registered the {role!r} destination (accounts.destinations)") from None
    return reverse(view_name, args=args or None)
