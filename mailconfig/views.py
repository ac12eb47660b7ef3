"""Mail-client pages and files. Thin: the formats build files, probes test, words explain."""

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import segno
from django.conf import settings as django_settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from audit.actions import client_ip
from institutions import queries
from institutions.models import Revision

from . import decoder, probes, servers, signing, throttle, useragent, words
from .formats import Context, OAuth2Endpoints, apple, autodiscover, thunderbird

MAX_ADDRESS = 320
logger = logging.getLogger("guichet.mailconfig")


def _signed_in_address(request: HttpRequest, mail: servers.MailSettings) -> str:
    user = getattr(request, "user", None)
    identifier = getattr(user, "identifier", "") if user is not None and user.is_authenticated else ""
    return identifier if identifier and servers.address_belongs(mail, identifier) else ""


def _oauth2(request: HttpRequest) -> OAuth2Endpoints:
    issuer = django_settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT") or request.build_absolute_uri("/").rstrip("/")
    return OAuth2Endpoints(
        issuer=issuer,
        auth_url=request.build_absolute_uri(reverse("oidc-authorize")),
        token_url=request.build_absolute_uri(reverse("oauth2_provider:token")),
    )


def _context(request: HttpRequest, mail: servers.MailSettings, address: str = "") -> Context:
    return Context(
        address=address,
        guide_url=request.build_absolute_uri(reverse("mailconfig-platform", args=[mail.platform.slug])),
        oauth2=_oauth2(request) if mail.oauth2 else None,
        organisation=django_settings.GUICHET_SITE_NAME,
    )


# --- files for programs (unprefixed public contract) ------------------------------------


@require_safe
def autoconfig(request: HttpRequest) -> HttpResponse:
    """Thunderbird: ?emailaddress=…, or the host autoconfig.<domain>. Same bytes for every
    address of a domain, so the answer cannot tell which addresses exist."""
    address = request.GET.get("emailaddress", "")[:MAX_ADDRESS]
    domain = address.rpartition("@")[2] if "@" in address else ""
    if not domain:
        host = request.get_host().split(":")[0].lower()
        domain = host.removeprefix("autoconfig.") if host.startswith("autoconfig.") else ""
    mail = servers.for_domain(domain) if domain else None
    if mail is None:
        raise Http404
    return HttpResponse(thunderbird.render(mail, _context(request, mail)), content_type=thunderbird.CONTENT_TYPE)


@csrf_exempt  # a program's POST, with no cookie and nothing to forge
def autodiscover_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    address = autodiscover.requested_address(request.body)
    if address is None:
        return HttpResponse(autodiscover.render_error(), content_type=autodiscover.CONTENT_TYPE)
    mail = servers.for_domain(address.rpartition("@")[2])
    # A platform whose own Exchange answers Autodiscover is never described here.
    if mail is None or not mail.autodiscover:
        raise Http404
    context = _context(request, mail, address if servers.address_belongs(mail, address) else "")
    return HttpResponse(autodiscover.render(mail, context), content_type=autodiscover.CONTENT_TYPE)


@require_safe
def mobileconfig(request: HttpRequest, slug: str) -> HttpResponse:
    mail = _settings_or_404(slug)
    address = _signed_in_address(request, mail) or _given_address(request, mail)
    try:
        data = apple.render(mail, _context(request, mail, address))
    except ValueError:  # a platform without both an incoming and an outgoing server
        raise Http404 from None
    if signing.configured():
        try:
            data = signing.sign(data)
        except signing.SigningUnavailable as exc:
            # Still useful unsigned (the device says « Non vérifié »); the operator must know.
            logger.error("mailconfig.profile_unsigned %s", exc)
    response = HttpResponse(data, content_type=apple.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{mail.platform.slug}.mobileconfig"'
    return response


def _given_address(request: HttpRequest, mail: servers.MailSettings) -> str:
    address = request.GET.get("adresse", "")[:MAX_ADDRESS].strip().lower()
    return address if servers.address_belongs(mail, address) else ""


# --- pages ------------------------------------------------------------------------------


def _settings_or_404(slug: str) -> servers.MailSettings:
    platform = get_object_or_404(queries.platforms(), slug=slug)
    mail = servers.for_platform(platform)
    if mail is None:
        raise Http404
    return mail


def _page(request: HttpRequest, mail: servers.MailSettings, *, status: int = 200, **extra: object) -> HttpResponse:
    address = _signed_in_address(request, mail) or _given_address(request, mail)
    profile_url = reverse("mailconfig-mobileconfig", args=[mail.platform.slug])
    if address:
        profile_url += "?" + urlencode({"adresse": address})
    qr = segno.make(request.build_absolute_uri(profile_url), error="m")
    context = {
        "mail": mail,
        "platform": mail.platform,
        "address": address,
        "username": mail.username(address),
        "guides": useragent.guide_order(request.headers.get("User-Agent", "")),
        "profile_url": profile_url,
        "profile_qr": qr.svg_data_uri(scale=4, border=2),
        "profile_signed": signing.configured(),
        "oauth2": _oauth2(request) if mail.oauth2 else None,
        **extra,
    }
    return render(request, "mailconfig/platform.html", context, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        mine = servers.for_address(getattr(user, "identifier", ""))
        if mine is not None:
            return _page(request, mine)
    tables = [m for m in (servers.for_platform(p) for p in queries.platforms()) if m is not None]
    guides = useragent.guide_order(request.headers.get("User-Agent", ""))
    return render(request, "mailconfig/index.html", {"tables": tables, "guides": guides})


@require_safe
def platform(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _settings_or_404(slug))


@require_POST
def connection_test(request: HttpRequest, slug: str) -> HttpResponse:
    mail = _settings_or_404(slug)
    # Only the platform's declared end points: any host or port sent along is ignored.
    if not throttle.allow(client_ip(request) or ""):
        return _page(request, mail, throttled=True, status=429)
    results = _probe_all(mail)
    return _page(
        request,
        mail,
        results=[(r, words.explain(r)) for r in results],
        summary=words.summary(results),
    )


def _probe_all(mail: servers.MailSettings) -> list[probes.Result]:
    """Probe the platform's end points, at most once a minute whoever asks: many addresses
    together cannot turn Guichet into a hammer on the mail servers, and nobody is refused."""
    key = f"mailconfig:results:{mail.platform.slug}:{Revision.current()}"
    results: list[probes.Result] | None = cache.get(key)
    if results is None:
        wanted = [server for server in mail.servers if mail.allows(server)]
        # Side by side, so that the page waits for the slowest end point, not for their sum.
        with ThreadPoolExecutor(max_workers=max(1, len(wanted))) as pool:
            results = list(
                pool.map(
                    lambda server: probes.check(
                        server,
                        timeout=django_settings.GUICHET_MAILCONFIG_PROBE_TIMEOUT,
                        cafile=django_settings.GUICHET_MAILCONFIG_PROBE_CAFILE,
                    ),
                    wanted,
                )
            )
        if django_settings.GUICHET_MAILCONFIG_PROBE_CACHE_SECONDS > 0:
            cache.set(key, results, django_settings.GUICHET_MAILCONFIG_PROBE_CACHE_SECONDS)
    return results


@require_POST
def decode(request: HttpRequest, slug: str) -> HttpResponse:
    mail = _settings_or_404(slug)
    message = request.POST.get("message", "")[: decoder.MAX_MESSAGE]
    entry = decoder.decode(message)
    return _page(request, mail, message=message, decoded=entry, decode_tried=bool(message.strip()))
