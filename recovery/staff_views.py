"""The support desk (« Guichet du support ») and HR requests. Roles are checked here for the
page and again by the actions in assisted.py for every change."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Account

from . import assisted
from .models import ManagerRequest, ResetCode, SupportReset
from .roles import User
from .staff_forms import DecisionForm, ManagerRequestForm, SearchForm, SupportDecisionForm, SupportResetForm

View = Callable[..., HttpResponseBase]


def _me(request: HttpRequest) -> Account:
    """The staff member behind a _role_required view (every role is an Account's)."""
    if not isinstance(request.user, Account):
        raise PermissionDenied
    return request.user


def _role_required(allowed: Callable[[User], bool]) -> Callable[[View], View]:
    """Anonymous: to the sign-in page. Signed in without the role: the 403 page. With the role
    but a session opened without a second factor: how to get one (staff roles need it)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise PermissionDenied
            # django_otp's middleware gives request.user is_verified(): a second factor this session.
            if not getattr(request.user, "is_verified", lambda: False)():
                return render(request, "recovery/staff/second_factor.html", status=403)
            return view(request, *args, **kwargs)

        return never_cache(login_required(checked))

    return decorator


# --- Support desk --------------------------------------------------------------------------


@_role_required(assisted.is_agent)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = assisted.search(request, _me(request), form.cleaned_data["q"])
    context = {
        "form": form,
        "results": results,
        "limit": assisted.SEARCH_LIMIT,
        "pending_count": assisted.pending_support_resets().count(),
    }
    return render(request, "recovery/staff/desk.html", context)


@_role_required(assisted.is_agent)
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("institution"), pk=pk)
    own = account.pk == _me(request).pk
    form = SupportResetForm(request.POST or None, account=account)
    error = ""
    if request.method == "POST":
        if own:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                reset, printed = assisted.request_support_reset(
                    request, _me(request), account, proofs=data["proofs"], note=data["note"], channel=data["channel"]
                )
            except assisted.Invalid as problem:
                error = str(problem)
            else:
                return _after_issue(request, reset, printed)
    else:
        assisted.open_person(request, _me(request), account)
    context = {
        "person": account,
        "own": own,
        "form": form,
        "error": error,
        "channels": assisted.verified_channels(account),
        "checks_configured": bool(assisted.identity_checks(account.institution)),
        "pending": assisted.pending_support_resets().filter(account=account),
    }
    return render(request, "recovery/staff/person.html", context)


def _after_issue(request: HttpRequest, reset: SupportReset, printed: str | None) -> HttpResponse:
    if printed:
        # Shown once, in this response only: it is stored nowhere in clear, not even the session.
        context = {
            "reset": reset,
            "person": reset.account,
            "code": printed,
            "expires_at": reset.reset_code.expires_at if reset.reset_code else None,
            "code_url": request.build_absolute_uri(reverse("recovery-code")),
        }
        return render(request, "recovery/staff/printed.html", context)
    if reset.status == SupportReset.PENDING:
        messages.info(request, _("Ce compte a des droits étendus : un second agent doit approuver la demande."))
    elif reset.channel == ResetCode.EMAIL:
        messages.success(request, _("Le lien de réinitialisation est parti vers l'adresse de secours vérifiée."))
    else:
        messages.success(request, _("Le code de réinitialisation est parti par SMS vers le mobile vérifié."))
    return redirect("support-person", pk=reset.account_id)


@_role_required(assisted.is_agent)
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    """Privileged accounts' resets waiting for a second agent."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = SupportDecisionForm(request.POST)
        if form.is_valid():
            reset = get_object_or_404(SupportReset, pk=form.cleaned_data["request"])
            try:
                if form.cleaned_data["decision"] == "approve":
                    reset, printed = assisted.approve_support_reset(request, _me(request), reset)
                    return _after_issue(request, reset, printed)
                assisted.refuse_support_reset(request, _me(request), reset, form.cleaned_data["reason"])
            except assisted.Invalid as problem:
                errors[str(reset.pk)] = [str(problem)]
            else:
                messages.success(request, _("Demande refusée."))
                return redirect("support-approvals")
        else:
            errors[request.POST.get("request", "")] = [str(e) for errs in form.errors.values() for e in errs]
    rows = list(assisted.pending_support_resets())
    checks = {}
    for row in rows:
        labels = {c["slug"]: assisted.check_label(c) for c in assisted.identity_checks(row.account.institution)}
        checks[row.pk] = [labels.get(slug, slug) for slug in row.proofs]
    context = {
        "rows": [
            {
                "reset": row,
                "proofs": checks[row.pk],
                "mine": row.requested_by_id == _me(request).pk,
                "own": row.account_id == _me(request).pk,
                "errors": errors.get(str(row.pk), []),
            }
            for row in rows
        ],
    }
    return render(request, "recovery/staff/approvals.html", context)


# --- HR ------------------------------------------------------------------------------------


@_role_required(assisted.can_see_hr)
@require_GET
def hr_list(request: HttpRequest) -> HttpResponse:
    user, now = _me(request), timezone.now()
    pending, decided = [], []
    if assisted.is_hr_approver(user):
        rows = assisted.hr_requests_for(user)
        pending = [r for r in rows.filter(status=ManagerRequest.PENDING, expires_at__gt=now).order_by("created_at")]
        decided = list(rows.exclude(pk__in=[r.pk for r in pending])[:20])
    mine = list(ManagerRequest.objects.filter(requested_by=user).select_related("account")[:20])
    context = {
        "is_approver": assisted.is_hr_approver(user),
        "can_file": assisted.can_file(user),
        "pending": [{"row": r, "can_decide": assisted.can_decide(user, r)} for r in pending],
        "decided": decided,
        "mine": mine,
    }
    return render(request, "recovery/staff/hr_list.html", context)


@_role_required(assisted.can_file)
@require_http_methods(["GET", "POST"])
def hr_new(request: HttpRequest) -> HttpResponse:
    form = ManagerRequestForm(request.POST or None, request.FILES or None, manager=_me(request))
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = assisted.file_manager_request(
                request, _me(request), form.person(), justification=data["justification"], document=data["document"]
            )
        except assisted.Invalid as problem:
            error = str(problem)
        else:
            messages.success(request, _("Demande enregistrée : un valideur RH de votre établissement va l'examiner."))
            return redirect("hr-request", pk=row.pk)
    return render(request, "recovery/staff/hr_new.html", {"form": form, "error": error})


@_role_required(assisted.can_see_hr)
@require_http_methods(["GET", "POST"])
def hr_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ManagerRequest.objects.select_related("account__institution", "requested_by"), pk=pk)
    if not assisted.can_view_request(_me(request), row):
        # The same answer as for an id that does not exist: ids tell nothing of other requests.
        raise Http404
    form = DecisionForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not assisted.can_decide(_me(request), row):
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    row = assisted.approve_manager_request(request, _me(request), row)
                else:
                    row = assisted.refuse_manager_request(request, _me(request), row, form.cleaned_data["reason"])
            except assisted.Invalid as problem:
                error = str(problem)
            else:
                messages.success(request, _("Décision enregistrée ; le responsable est prévenu par courriel."))
                return redirect("hr-request", pk=row.pk)
    context = {
        "row": row,
        "form": form,
        "error": error,
        "can_decide": assisted.can_decide(_me(request), row) and row.state() == ManagerRequest.PENDING,
        "can_download": bool(row.document) and assisted.is_hr_approver(_me(request)),
    }
    return render(request, "recovery/staff/hr_detail.html", context)


@_role_required(assisted.is_hr_approver)
@require_GET
def hr_document(request: HttpRequest, pk: int) -> FileResponse:
    row = get_object_or_404(ManagerRequest.objects.select_related("account"), pk=pk)
    if not assisted.can_view_request(_me(request), row):
        raise Http404  # as for an id that does not exist
    handle = assisted.open_document(request, _me(request), row)
    extension = (row.document.name or "").rpartition(".")[2]
    response = FileResponse(
        handle, as_attachment=True, filename=f"demande-{row.pk}.{extension}", content_type=row.document_type
    )
    # Even if a browser were to render it, nothing in it runs.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
