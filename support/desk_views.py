"""The agents' desk: the queue, a ticket, and what agents do with it. A support agent signed
in with a second factor; every change goes through support.actions, which audits it."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Account
from audit.actions import client_ip, record
from institutions.models import Institution, Platform
from recovery.assisted import is_agent

from . import actions, events, queries, sla
from .forms import FilterForm, NoteForm, PriorityForm, ReplyForm, StatusForm
from .models import Ticket
from .views import context_rows, serve_screenshot

PAGE = 100
P = ParamSpec("P")
AgentView = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def verified(user: Account | AnonymousUser) -> bool:
    """A second factor was used in this session (django-otp sets is_verified)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def agent_required(view: AgentView[P]) -> AgentView[P]:
    """Anonymous: sign in. No role: 403. The role without a second factor: say how to get one."""

    @wraps(view)
    def checked(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not is_agent(request.user):
            raise PermissionDenied
        if not verified(request.user):
            return render(request, "support/desk/second_factor.html", status=403)
        return view(request, *args, **kwargs)

    return never_cache(login_required(checked))


@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, institutions=Institution.objects.all(), platforms=Platform.objects.all())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = list(queries.queue(filters)[:PAGE])
    return render(request, "support/desk/queue.html", {"form": form, "tickets": rows, "limit": PAGE})


def _agent(request: HttpRequest) -> Account:
    """The agent signed in (agent_required let no one else through)."""
    if not isinstance(request.user, Account):
        raise PermissionDenied
    return request.user


def _ticket(number: str) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("institution", "platform", "assignee"), number=number)


@agent_required
@require_GET
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    row = _ticket(number)
    record(events.TICKET_VIEWED, actor=_agent(request), subject_label=row.identifier, ticket=row.number,
           ip=client_ip(request))  # fmt: skip
    account = Account.objects.filter(identifier=row.identifier).first()
    reset_url = (
        reverse("support-person", args=[account.pk])
        if account
        else f"{reverse('support-desk')}?{'q=' + row.identifier}"
    )
    now = timezone.now()
    return render(
        request,
        "support/desk/ticket.html",
        {
            "ticket": row,
            "messages_all": row.messages.select_related("author"),
            "screenshots": row.screenshots.all(),
            "context_rows": context_rows({k: str(v) for k, v in row.context.items() if k != "links"}),
            "reply_form": ReplyForm(),
            "note_form": NoteForm(),
            "status_form": StatusForm(initial={"status": row.status}),
            "priority_form": PriorityForm(initial={"urgency": row.urgency, "impact": row.impact}),
            "agents": Account.objects.filter(is_support_agent=True, status=Account.ACTIVE).order_by("identifier"),
            "reset_url": reset_url,
            "sla_elapsed_minutes": int(sla.elapsed(row, now) // 60),
            "sla_target_minutes": sla.target(row) // 60,
            "sla_breached": sla.breached(row, now),
            "sla_paused": row.sla_running_since is None,
        },
    )


@agent_required
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    row = _ticket(number)
    action, ip, agent = request.POST.get("action"), client_ip(request), _agent(request)
    form: Form | None = None
    if action == "reply":
        form = ReplyForm(request.POST)
        if form.is_valid():
            actions.reply(agent, row, form.cleaned_data["body"], status=form.cleaned_data["status"], ip=ip)
    elif action == "note":
        form = NoteForm(request.POST)
        if form.is_valid():
            actions.add_note(agent, row, form.cleaned_data["body"], ip=ip)
    elif action == "status":
        form = StatusForm(request.POST)
        if form.is_valid():
            actions.set_status(agent, row, form.cleaned_data["status"], ip=ip)
    elif action == "priority":
        form = PriorityForm(request.POST)
        if form.is_valid():
            actions.set_impact(
                agent, row, urgency=form.cleaned_data["urgency"], impact=form.cleaned_data["impact"], ip=ip
            )
    elif action == "assign":
        pk = request.POST.get("assignee", "")
        assignee = agent if pk == "me" else Account.objects.filter(pk=pk).first() if pk.isdigit() else None
        actions.assign(agent, row, assignee, ip=ip)
    if form is not None and not form.is_valid():
        messages.error(request, _("Rien n'a été enregistré : le texte est vide ou une valeur est invalide."))
    return redirect("support-ticket", number=row.number)


@agent_required
@require_http_methods(["GET"])
def screenshot(request: HttpRequest, number: str, pk: int) -> FileResponse:
    row = _ticket(number)
    record(events.SCREENSHOT_VIEWED, actor=_agent(request), subject_label=row.identifier, ticket=row.number,
           ip=client_ip(request))  # fmt: skip
    return serve_screenshot(row, pk)
