"""Whose portal this is, for every page: names, logos, colours and the official address.

Read once per set-up revision (the cache key carries it) and served as two small,
long-cached files: /identite.css (the colours as custom properties; the CSP forbids inline
styles) and /identite/<who>.svg (a logo, shown through <img>, where SVG never runs script).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from institutions import identity as rules
from institutions.models import Institution, Portal
from orientation.cache import current_revision

_YEAR = 365 * 24 * 3600


@dataclass
class Identity:
    revision: int
    portal: Portal | None
    institutions: list[Institution] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.portal.name if self.portal else settings.GUICHET_SITE_NAME

    @property
    def tagline(self) -> str:
        return self.portal.tagline if self.portal else ""

    @property
    def has_logo(self) -> bool:
        return bool(self.portal and self.portal.logo_svg)

    @property
    def host(self) -> str:
        return self.portal.host if self.portal else ""


def current() -> Identity:
    """The identity for this revision; a broken database gives the settings' plain name."""
    try:
        revision = current_revision()
        key = f"identity:{revision}"
        found: Identity | None = cache.get(key)
        if found is None:
            found = Identity(revision, Portal.objects.filter(pk=1).first(), list(Institution.objects.all()))
            cache.set(key, found, 3600)
        return found
    except DatabaseError:
        return Identity(0, None)


def stylesheet(ident: Identity) -> str:
    lines = []
    portal = ident.portal
    if portal and portal.colour:
        # Named apart from --brand, which site.css switches for the dark theme.
        lines.append(f"--brand-light:{portal.colour};--brand-light-hover:{rules.darker(portal.colour)};")
    if portal and portal.colour_on_dark:
        lines.append(f"--brand-on-dark:{portal.colour_on_dark};")
    css = ":root{" + "".join(lines) + "}\n"
    for inst in ident.institutions:
        if inst.colour:
            css += f".inst-{inst.slug}{{--inst:{inst.colour};}}\n"
    return css


@require_GET
def identity_css(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(stylesheet(current()), content_type="text/css; charset=utf-8")
    # The URL carries the revision (?v=…), so a changed set-up is a new URL.
    response["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    return response


@require_GET
def logo(request: HttpRequest, who: str) -> HttpResponse:
    ident = current()
    if who == "portail":
        svg = ident.portal.logo_svg if ident.portal else ""
    else:
        svg = next((i.logo_svg for i in ident.institutions if i.slug == who), "")
    if not svg:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    # Opened on its own, the drawing still may not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
