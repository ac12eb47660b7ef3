from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from institutions import models, queries, routing

from .cache import cached_page

MAX_QUERY = 1000  # longer input is cut before routing; routing itself rejects > 320
Route = routing.Route[models.Public]


def _matched(result: Route | None) -> models.Public | None:
    """The public an identifier belongs to, when routing matched it."""
    if result is None or result.status != routing.MATCHED:
        return None
    return result.target


def _route_message(result: Route) -> str:
    public = _matched(result)
    if public is not None:
        return _("%(address)s relève de %(platform)s (%(institution)s).") % {
            "address": result.query,
            "platform": public.platform.name,
            "institution": public.institution.name,
        }
    if result.status == routing.SUGGESTION:
        return _("Vouliez-vous dire %(suggestion)s ?") % {"suggestion": result.suggestion}
    if result.status == routing.UNKNOWN_DOMAIN:
        return _(
            "Le domaine « %(domain)s » n'est pas une messagerie de nos établissements. "
            "Vérifiez votre adresse ou choisissez votre établissement."
        ) % {"domain": result.domain}
    if result.status == routing.BARE_LOGIN:
        return _(
            "Un identifiant sans « @domaine » ne dit pas de quel établissement il dépend. "
            "Choisissez votre établissement, ou saisissez votre adresse complète."
        )
    if result.status == routing.INVALID:
        return _("Cette saisie ne ressemble pas à une adresse électronique. Exemple : %(example)s") % {
            "example": "jeanne.martin@etu.univ-poitiers.fr"
        }
    return _("Saisissez votre adresse électronique ou votre identifiant.")


def _platform_url(platform: models.Platform, identifier: str = "") -> str:
    url = reverse("platform", args=[platform.slug])
    return f"{url}?{urlencode({'identifier': identifier})}" if identifier else url


@require_safe
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "orientation/home.html",
        {
            "profiles": models.Profile.objects.prefetch_related(
                Prefetch("publics", queryset=models.Public.objects.select_related("platform"))
            ),
            "publics": models.Public.objects.select_related("platform", "institution"),
            "faq": models.FaqEntry.objects.all(),
        },
    )


@require_safe
def route(request: HttpRequest) -> HttpResponse:
    """The routing step without JavaScript: a match goes straight to the platform's page."""
    raw = request.GET.get("identifier", "")[:MAX_QUERY]
    if not raw.strip():
        return _render_route(request, raw, None)
    result = queries.route(raw)
    public = _matched(result)
    if public is not None:
        return redirect(_platform_url(public.platform, result.query))
    return _render_route(request, raw, result)


def _render_route(request: HttpRequest, raw: str, result: Route | None) -> HttpResponse:
    return render(
        request,
        "orientation/route.html",
        {
            "identifier": raw,
            "result": result,
            "message": _route_message(result) if result else "",
            "suggestion_url": (
                f"{reverse('route')}?{urlencode({'identifier': result.suggestion})}"
                if result and result.suggestion
                else ""
            ),
            "choices": queries.platforms(),
        },
    )


@require_safe
def platform(request: HttpRequest, slug: str) -> HttpResponse:
    identifier = request.GET.get("identifier", "")[:MAX_QUERY]
    if identifier:
        return _platform_page(request, slug, identifier)
    return _cached_platform_page(request, slug)


@cached_page
def _cached_platform_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _platform_page(request, slug, "")


def _platform_page(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    platform = get_object_or_404(queries.platforms(), slug=slug)
    result = queries.route(identifier) if identifier else None
    public = _matched(result)
    matched = public.platform if public is not None else None
    elsewhere = matched if matched is not None and matched != platform else None
    return render(
        request,
        "orientation/platform.html",
        {
            "platform": platform,
            "publics": platform.publics.all(),
            "identifier": identifier,
            "belongs": matched == platform,
            "elsewhere": elsewhere,
            "elsewhere_url": _platform_url(elsewhere, result.query) if elsewhere and result else "",
            "hours": _hours(platform.institution.support_hours),
        },
    )


def _hours(hours: dict[str, list[str]]) -> list[tuple[str, str]]:
    days = [
        ("monday", _("Lundi")),
        ("tuesday", _("Mardi")),
        ("wednesday", _("Mercredi")),
        ("thursday", _("Jeudi")),
        ("friday", _("Vendredi")),
        ("saturday", _("Samedi")),
        ("sunday", _("Dimanche")),
    ]
    return [(label, ", ".join(hours.get(key, [])) or _("fermé")) for key, label in days]


@require_safe
@cached_page
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "orientation/accessibility.html")


@require_safe
def api_route(request: HttpRequest) -> JsonResponse:
    """GET /api/route?q=<identifier> — a public contract for scripts; see README."""
    lang = request.GET.get("lang", "")
    with translation.override(lang if lang in dict(settings.LANGUAGES) else translation.get_language()):
        raw = request.GET.get("q", "")[:MAX_QUERY]
        result = queries.route(raw)
        public = result.target
        platform = public.platform if public is not None else None
        body = {
            "query": result.query,
            "status": result.status,
            "platform": platform.slug if platform else None,
            "name": platform.name if platform else None,
            "institution": public.institution.name if public is not None else None,
            "url": platform.webmail_url if platform else None,
            "url_confirmed": platform.url_confirmed if platform else None,
            "guide": _platform_url(platform) if platform else None,
            "suggestion": result.suggestion,
            "message": _route_message(result),
        }
    return JsonResponse(body, status=400 if result.status == routing.EMPTY else 200)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
