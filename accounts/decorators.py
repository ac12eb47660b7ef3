"""`require_fresh_password`: the one guard for pages that change how a person signs in.

Adding a factor, printing recovery codes, changing a recovery contact: a session left open
on a shared computer must not be enough, so these ask for the password again when it was
last typed more than GUICHET_REAUTH_SECONDS ago (accounts.actions.factors), then come back.
"""

from collections.abc import Callable
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar, overload

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .actions import factors

P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)
View = Callable[Concatenate[R, P], HttpResponseBase]


def _guard(view: View[R, P], when: Callable[[R], bool] | None) -> View[R, P]:
    def guarded(request: R, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if (when is None or when(request)) and not factors.has_fresh_password(request):
            return redirect(f"{reverse('reauth')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    update_wrapper(guarded, view)  # the view's name and attributes (csrf_exempt…) kept
    return guarded


@overload
def require_fresh_password(view: View[R, P], /) -> View[R, P]: ...
@overload
def require_fresh_password(*, when: Callable[[R], bool]) -> Callable[[View[R, P]], View[R, P]]: ...


def require_fresh_password(
    view: View[R, P] | None = None, /, *, when: Callable[[R], bool] | None = None
) -> View[R, P] | Callable[[View[R, P]], View[R, P]]:
    """Send the person to « Confirmer votre mot de passe » first, then back to this page.

    Bare (`@require_fresh_password`) it guards every request; `when=` limits it to the
    requests that change something (a page that shows a form freely but guards its POST).
    Place it under `login_required`: it assumes a signed-in person.
    """
    if view is not None:
        return _guard(view, None)

    def decorator(inner: View[R, P]) -> View[R, P]:
        return _guard(inner, when)

    return decorator
