"""The safety pages: « Reconnaître un message frauduleux », « Ce lien est-il officiel ? »,
« Signaler un message suspect »."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from audit.actions import client_ip
from institutions import queries as setup
from institutions import routing
from orientation.cache import cached_page

from . import findings, limits, linkcheck, mailparse, queries, reports
from .forms import LinkForm, ReportForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Header names people read, in their language (the message's own values stay as they are).
HEADER_LABELS = {
    "From": _("Expéditeur (From)"),
    "Reply-To": _("Réponse à (Reply-To)"),
    "Return-Path": _("Adresse de retour (Return-Path)"),
    "To": _("Destinataire (To)"),
    "Subject": _("Objet (Subject)"),
    "Date": _("Date"),
}


@require_safe
@cached_page
def phishing(request: HttpRequest) -> HttpResponse:
    rules = queries.safety_rules()
    hosts = sorted(queries.official_hosts())
    lang = (get_language() or "fr")[:2]
    # Institutions that never ask for the same things share one list (Poitiers: all three).
    groups: dict[tuple[str, ...], list[str]] = {}
    for rule in rules:
        items = tuple(item.get(lang) or item["fr"] for item in rule.never_asks)
        if items:
            groups.setdefault(items, []).append(rule.institution.name)
    example = next((r.sender_domains[0] for r in rules if r.sender_domains), "univ-poitiers.fr")
    return render(
        request,
        "status/phishing.html",
        {
            "rules": rules,
            "never_asks": [(names, list(items)) for items, names in groups.items()],
            "hosts": hosts,
            "example_domain": example,
            "example_fake": example.replace("o", "0", 1),
            "example_embedded": f"{example}.securite-compte.com",
        },
    )


class Judgement(TypedDict):
    verdict: linkcheck.Verdict
    label: StrOrPromise
    summary: StrOrPromise
    reasons: list[str]


def _judge(url: str, hosts: set[str]) -> Judgement:
    verdict = linkcheck.check(url, hosts)
    return {
        "verdict": verdict,
        "label": findings.VERDICTS[verdict.verdict],
        "summary": findings.SUMMARIES[verdict.verdict],
        "reasons": [findings.describe(f) for f in verdict.findings],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def link_check(request: HttpRequest) -> HttpResponse:
    # POST, so the pasted link (which may carry a tracking code naming the person) stays out
    # of access logs and browser history.
    form = LinkForm(request.POST if request.method == "POST" else None)
    result = _judge(form.cleaned_data["url"], queries.official_hosts()) if form.is_valid() else None
    return render(request, "status/link_check.html", {"form": form, "result": result})


def _institution_of(identifier: str) -> str | None:
    if not identifier:
        return None
    route = setup.route(identifier)
    if route.status != routing.MATCHED or route.target is None:
        return None
    return route.target.institution.slug


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "status/report.html", {"form": ReportForm()})
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "status/report.html", {"form": form}, status=400)
    if not limits.allow_report(client_ip(request)):
        # The form comes back filled in: nothing the person pasted is lost.
        return render(request, "status/report.html", {"form": form, "too_many": True}, status=429)
    raw = form.cleaned_data["eml"] or form.cleaned_data["message"].encode("utf-8")
    parsed = mailparse.parse(raw)
    hosts = queries.official_hosts()
    judged = [(link, _judge(link, hosts)) for link in parsed.links]
    sender = _judge(f"https://{parsed.sender_domain}/", _sender_domains()) if parsed.sender_domain else None
    identifier = form.cleaned_data["identifier"]
    reports.file_report(
        identifier=identifier,
        contact=form.cleaned_data["contact"],
        message_text=_as_text(parsed),
        links=[(link, j["verdict"].verdict) for link, j in judged],
        language=(get_language() or "fr")[:2],
        institution_slug=_institution_of(identifier),
    )
    return render(
        request,
        "status/report_done.html",
        {
            "parsed": parsed,
            "headers": [(HEADER_LABELS[name], value) for name, value in parsed.headers.items()],
            "judged": judged,
            "sender": sender,
            "dangerous": any(j["verdict"].verdict == "danger" for _l, j in judged),
        },
    )


def _sender_domains() -> set[str]:
    return {d for rules in queries.safety_rules() for d in rules.sender_domains}


def _as_text(parsed: mailparse.Parsed) -> str:
    head = "\n".join(f"{name}: {value}" for name, value in parsed.headers.items())
    return f"{head}\n\n{parsed.text}".strip()[:100_000]
