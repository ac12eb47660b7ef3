"""The person's pages: « Contacter le support », the confirmation, the tracking page."""

from typing import cast

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.actions import client_ip
from institutions.models import Institution, Platform
from institutions.queries import route

from . import actions, carried, eta, incidents, queries
from .forms import ContactForm, FollowUpForm, local_input
from .models import Ticket

JUST_FILED = "support.just_filed"


def _platform_of(identifier: str) -> Platform | None:
    found = route(identifier) if identifier else None
    return found.target.platform if found and found.target else None


def _initial(request: HttpRequest, context: dict[str, str]) -> dict[str, object]:
    identifier = context.get("identifier", "")
    platform = context.get("platform") or (p.slug if (p := _platform_of(identifier)) else "")
    return {
        "identifier": identifier,
        "platform": platform,
        "nature": carried.NATURE_OF_ERROR.get(context.get("error", ""), ""),
        "occurred_at": local_input(carried.when(context)),
        "ctx": request.GET.get("ctx", ""),
        "include_context": True,
    }


def context_rows(context: dict[str, str], browser: str = "") -> list[tuple[str, str]]:
    """A carried context in words: for the person to confirm, for agents to read."""
    rows = []
    if context.get("error"):
        rows.append((_("Erreur rencontrée"), carried.error_label(context["error"]) or context["error"]))
    if context.get("page"):
        rows.append((_("Page"), context["page"]))
    moment = carried.when(context)
    if moment:
        rows.append((_("Heure"), timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")))
    browser = browser or context.get("browser", "")
    if browser:
        rows.append((_("Navigateur et système"), browser))
    return rows


def _shown_context(request: HttpRequest, context: dict[str, str]) -> list[tuple[str, str]]:
    """What the person confirms before filing (never retypes); nothing without a context."""
    if not context:
        return []
    return context_rows(context, carried.browser_in_words(request.META.get("HTTP_USER_AGENT", "")))


def _page(request: HttpRequest, form: ContactForm, context: dict[str, str], status: int = 200) -> HttpResponse:
    platform_slug = str(form["platform"].value() or "")
    nature = str(form["nature"].value() or "")
    field = cast("forms.ModelChoiceField[Platform]", form.fields["platform"])  # as ContactForm declares it
    platform = next((p for p in field.queryset or () if p.slug == platform_slug), None)
    institution = platform.institution if platform else None
    delay = queries.first_response_estimate(institution)
    desks = [queries.desk(i) for i in ([institution] if institution else Institution.objects.all())]
    return render(
        request,
        "support/contact.html",
        {
            "form": form,
            "context_rows": _shown_context(request, context),
            "faq": queries.matching_faq(platform_slug, nature),
            "incidents": incidents.open_incidents(platform_slug),
            "estimate": eta.in_words(delay),
            "desks": desks,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        context = carried.read(request.GET.get("ctx", ""))
        typed = request.GET.get(carried.IDENTIFIER_PARAM, "") or carried.typed_for(request, context)
        if context or typed:
            context = carried.arrived(context, typed)
        return _page(request, ContactForm(initial=_initial(request, context)), context)
    form = ContactForm(request.POST, request.FILES)
    context = carried.read(request.POST.get("ctx", ""))
    if request.POST.get("step") == "faq" or not form.is_valid():
        form.is_valid()
        return _page(request, form, context, status=200 if request.POST.get("step") == "faq" else 400)
    data = form.cleaned_data
    kept = dict(context) if data["include_context"] and context else {}
    if kept:
        kept["browser"] = carried.browser_in_words(request.META.get("HTTP_USER_AGENT", ""))
    incident = incidents.find(data["incident"], data["platform"].slug if data["platform"] else "")
    try:
        ticket, token = actions.open_ticket(
            identifier=data["identifier"],
            nature=data["nature"],
            contact_channel=data["contact_channel"],
            contact=data["contact"],
            language=(get_language() or "fr")[:2],
            platform=data["platform"],
            occurred_at=data["occurred_at"],
            description=data["description"],
            urgent=data["urgent"],
            context=kept,
            screenshot=data["screenshot"],
            incident_ref=incident.ref if incident else "",
            site=request.build_absolute_uri("/").rstrip("/"),
            ip=client_ip(request),
        )
    except actions.ContactLimit as problem:
        form.add_error(None, str(problem))
        return _page(request, form, context, status=429)
    request.session[JUST_FILED] = {"number": ticket.number, "token": token}
    return redirect("support-filed")


@never_cache
@require_GET
def filed(request: HttpRequest) -> HttpResponse:
    # Shown once: the tracking secret does not stay in the session table.
    just = request.session.pop(JUST_FILED, None)
    if not just:
        return redirect("support-contact")
    ticket = actions.ticket_for_link(just["token"])
    if ticket is None:
        return redirect("support-contact")
    delay = queries.first_response_estimate(ticket.institution)
    return render(
        request,
        "support/filed.html",
        {
            "ticket": ticket,
            "link": request.build_absolute_uri(reverse("support-track", args=[just["token"]])),
            "estimate": eta.in_words(delay),
            "desks": [queries.desk(ticket.institution)] if ticket.institution else [],
        },
    )


def _tracked(token: str) -> Ticket:
    ticket = actions.ticket_for_link(token)
    if ticket is None:
        raise Http404
    return ticket


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _tracked(token)
    form = FollowUpForm()
    if request.method == "POST":
        if request.POST.get("action") == "close":
            actions.close_by_person(ticket, ip=client_ip(request))
            return redirect("support-track", token=token)
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid() and ticket.status != Ticket.CLOSED:
            data = form.cleaned_data
            actions.add_person_message(ticket, body=data["body"], screenshot=data["screenshot"], ip=client_ip(request))
            return redirect("support-track", token=token)
    ticket.refresh_from_db()
    return render(
        request,
        "support/track.html",
        {
            "ticket": ticket,
            "token": token,
            "messages_public": ticket.messages.exclude(kind="note").select_related("author"),
            "screenshots": ticket.screenshots.all(),
            "form": form,
            "desks": [queries.desk(ticket.institution)] if ticket.institution else [],
        },
        status=400 if form.errors else 200,
    )


def serve_screenshot(ticket: Ticket, pk: int) -> FileResponse:
    shot = ticket.screenshots.filter(pk=pk).first()
    if shot is None:
        raise Http404
    response = FileResponse(shot.file.open("rb"), content_type=shot.content_type)
    response["Content-Disposition"] = f'inline; filename="capture-{shot.pk}{(shot.file.name or "")[-4:]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def track_screenshot(request: HttpRequest, token: str, pk: int) -> FileResponse:
    return serve_screenshot(_tracked(token), pk)
