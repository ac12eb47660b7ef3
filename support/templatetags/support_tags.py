"""`{% support_contact_url error="paused" %}`: the /support/ link carrying the page's context
(error, platform, identifier typed, time, page), signed; `{% support_desk_line %}`: the
opening status of the desk that concerns the page (the person's institution when known)."""

from typing import Protocol, runtime_checkable

from django import template
from django.template.context import Context

from .. import carried
from ..queries import Desk

register = template.Library()


@runtime_checkable
class _OnPlatform(Protocol):
    """A platform as pages hold it (the model, or anything with its slug and institution)."""

    @property
    def slug(self) -> str: ...

    @property
    def institution_id(self) -> int: ...


def _identifier(context: Context) -> str:
    request = context.get("request")
    typed = ""
    if request is not None and request.method == "POST":
        typed = request.POST.get("identifier", "")  # never any other field: no password, no code
    return str(context.get("identifier") or typed or "")


def _platform(context: Context) -> _OnPlatform | None:
    platform = context.get("platform")
    if isinstance(platform, _OnPlatform):
        return platform
    user = context.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        mine = getattr(user, "platform", None)
        return mine if isinstance(mine, _OnPlatform) else None
    return None


@register.simple_tag(takes_context=True)
def support_contact_url(context: Context, error: str = "") -> str:
    """The link itself never holds the typed identifier: it waits in the session (see
    carried.remember_typed), so the page's bytes are the same whoever typed what."""
    request = context.get("request")
    platform = _platform(context)
    identifier = _identifier(context)
    if identifier and request is not None:
        carried.remember_typed(request, identifier)
    return carried.link(
        error=error or str(context.get("support_error") or ""),
        platform=platform.slug if platform else "",
        page=request.path if request is not None else "",
    )


@register.simple_tag(takes_context=True)
def support_desks_for_page(context: Context) -> list[Desk]:
    """The desk of the page's institution if known, else every desk."""
    desks = context.get("support_desks") or []
    platform = _platform(context)
    user = context.get("user")
    institution_id = platform.institution_id if platform else None
    if institution_id is None and user is not None and getattr(user, "is_authenticated", False):
        institution_id = getattr(user, "institution_id", None)
    mine = [d for d in desks if d.institution.pk == institution_id and d.known]
    return mine or [d for d in desks if d.known]
