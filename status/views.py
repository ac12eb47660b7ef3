"""The status page, an incident's page, GET /api/status and the incident feeds."""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from . import queries
from .models import Incident


@require_safe
def status_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    statuses = queries.platform_statuses(now)
    past = Incident.objects.filter(ends_at__lte=now).select_related("platform")[:10]
    return render(request, "status/status.html", {"statuses": statuses, "past": past, "now": now})


@require_safe
def incident_page(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("platform"), pk=pk)
    return render(
        request,
        "status/incident.html",
        {
            "incident": incident,
            "updates": incident.updates.all(),
            "under_way": incident.under_way(),
            "state_label": queries.state_label(incident.state),
        },
    )


@require_safe
def api_status(request: HttpRequest) -> JsonResponse:
    """GET /api/status — a public contract for scripts; see README."""
    lang = request.GET.get("lang", "")
    with translation.override(lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
        now = timezone.now()
        statuses = queries.platform_statuses(now)
        body = {
            "generated_at": now.isoformat(),
            "state": queries.worst([s.state for s in statuses]),
            "platforms": [
                {
                    "slug": s.platform.slug,
                    "name": s.platform.name,
                    "state": s.state,
                    "state_label": s.state_label,
                    "incidents": [_incident_json(request, i) for i in s.current],
                    "planned": [_incident_json(request, i) for i in s.planned],
                    "probes": [
                        {
                            "kind": target.kind,
                            "host": target.host,
                            "port": target.port,
                            "ok": result.ok if result else None,
                            "checked_at": result.checked_at.isoformat() if result else None,
                            "latency_ms": result.latency_ms if result else None,
                            "error": result.error if result else None,
                            "cert_days_left": result.cert_days_left if result else None,
                        }
                        for target, result in s.probes
                    ],
                    "days": [{"date": day.isoformat(), "state": state} for day, state in s.strip],
                }
                for s in statuses
            ],
        }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _incident_json(request: HttpRequest, incident: Incident) -> dict[str, object]:
    return {
        "id": incident.pk,
        "state": incident.state,
        "title": incident.title,
        "text": incident.text,
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat() if incident.ends_at else None,
        "automatic": incident.automatic,
        "url": request.build_absolute_uri(reverse("status-incident", args=[incident.pk])),
    }


# Feed[Incident, None] needs django_stubs_ext.monkeypatch at run time (a development package).
class IncidentFeed(Feed):  # type: ignore[type-arg]
    """The last incidents and maintenance, newest first, in the language of the URL."""

    title = gettext_lazy("État des messageries : incidents et maintenances")
    description = gettext_lazy("Incidents et maintenances des messageries de nos établissements.")

    def link(self) -> str:
        return reverse("status")

    def items(self) -> QuerySet[Incident]:
        return Incident.objects.select_related("platform").order_by("-starts_at")[:30]

    def item_title(self, item: Incident) -> str:
        return f"[{queries.state_label(item.state)}] {item.platform.name} : {item.title}"

    def item_description(self, item: Incident) -> str:
        when = _("Début : %(start)s.") % {"start": timezone.localtime(item.starts_at).strftime("%d/%m/%Y %H:%M")}
        if item.ends_at:
            when += " " + _("Fin : %(end)s.") % {"end": timezone.localtime(item.ends_at).strftime("%d/%m/%Y %H:%M")}
        return f"{item.text}\n\n{when}".strip()

    def item_link(self, item: Incident) -> str:
        return reverse("status-incident", args=[item.pk])

    def item_pubdate(self, item: Incident) -> datetime:
        return item.starts_at

    def item_updateddate(self, item: Incident) -> datetime:
        latest = item.updates.first()
        return max(filter(None, [item.starts_at, item.ends_at, latest.posted_at if latest else None]))


class IncidentAtomFeed(IncidentFeed):
    feed_type = Atom1Feed
    subtitle = IncidentFeed.description
