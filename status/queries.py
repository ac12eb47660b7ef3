"""Read side of the status app, shared by the pages, the API, the banner and other apps.

`open_incidents` is a public contract for the support app (its form shows what is under
way): the shape of OpenIncident only grows, never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution, Platform, SafetyRules

from .models import MAINTENANCE, OPERATIONAL, SEVERITY, STATE_CHOICES, Incident, ProbeResult, ProbeTarget

STRIP_DAYS = 90


@dataclass(frozen=True)
class OpenIncident:
    id: int
    platform_slug: str
    platform_name: str
    state: str  # "degraded" | "outage" | "maintenance"
    state_label: str  # in the active language
    title: str  # in the active language
    starts_at: datetime
    ends_at: datetime | None
    url: str  # the incident's page, in the active language


class Banner(TypedDict):
    """One line of the banner on every page (cached: plain values only)."""

    platform: str
    state: str
    state_label: str
    title: str
    url: str
    maintenance: bool


def state_label(state: str) -> str:
    return str(dict(STATE_CHOICES)[state])


def _open(incident: Incident) -> OpenIncident:
    return OpenIncident(
        id=incident.pk,
        platform_slug=incident.platform.slug,
        platform_name=incident.platform.name,
        state=incident.state,
        state_label=state_label(incident.state),
        title=incident.title,
        starts_at=incident.starts_at,
        ends_at=incident.ends_at,
        url=reverse("status-incident", args=[incident.pk]),
    )


def open_incidents(platform_slug: str | None = None, *, at: datetime | None = None) -> list[OpenIncident]:
    """Incidents and maintenance under way now (all platforms, or one), worst first."""
    rows = Incident.objects.under_way(at).select_related("platform")
    if platform_slug:
        rows = rows.filter(platform__slug=platform_slug)
    found = [_open(i) for i in rows]
    return sorted(found, key=lambda i: (-SEVERITY[i.state], i.platform_slug, i.starts_at))


def worst(states: list[str]) -> str:
    return max(states, key=SEVERITY.__getitem__, default=OPERATIONAL)


@dataclass
class PlatformStatus:
    platform: Platform
    state: str
    current: list[Incident]
    planned: list[Incident]
    strip: list[tuple[date, str]]
    probes: list[tuple[ProbeTarget, ProbeResult | None]]

    @property
    def state_label(self) -> str:
        return state_label(self.state)


def platform_statuses(now: datetime | None = None) -> list[PlatformStatus]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - timedelta(days=STRIP_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    recent = Incident.objects.filter(ends_at__isnull=True) | Incident.objects.filter(ends_at__gt=since)
    platforms = Platform.objects.select_related("institution").prefetch_related(
        Prefetch("incidents", queryset=recent.order_by("starts_at"), to_attr="recent_incidents"),
        Prefetch("probe_targets", queryset=ProbeTarget.objects.filter(enabled=True), to_attr="active_targets"),
    )
    out = []
    for platform in platforms:
        incidents = platform.recent_incidents
        current = [i for i in incidents if i.under_way(now)]
        planned = [i for i in incidents if i.starts_at > now]
        out.append(
            PlatformStatus(
                platform=platform,
                state=worst([i.state for i in current]),
                current=current,
                planned=planned,
                strip=_strip(incidents, first, today),
                probes=[(t, t.results.first()) for t in platform.active_targets],
            )
        )
    return out


def _strip(incidents: list[Incident], first: date, today: date) -> list[tuple[date, str]]:
    """The worst state of each day, oldest first (a day with no incident is opérationnel)."""
    days = []
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        end = start + timedelta(days=1)
        states = [i.state for i in incidents if i.starts_at < end and (i.ends_at is None or i.ends_at > start)]
        days.append((day, worst(states)))
    return days


def banners(at: datetime | None = None) -> list[Banner]:
    """What the banner on every page says: platforms degraded, down or in maintenance now."""
    return [
        {
            "platform": i.platform_name,
            "state": i.state,
            "state_label": i.state_label,
            "title": i.title,
            "url": i.url,
            "maintenance": i.state == MAINTENANCE,
        }
        for i in open_incidents(at=at)
    ]


def official_hosts() -> set[str]:
    """Hosts the link checker calls official: the set-up's, and confirmed webmail hosts."""
    hosts = {h.lower() for rules in SafetyRules.objects.all() for h in rules.official_hosts}
    hosts |= {p.hostname.lower() for p in Platform.objects.all() if p.url_confirmed and p.hostname}
    return hosts


def safety_rules() -> list[SafetyRules]:
    return list(SafetyRules.objects.select_related("institution").order_by("institution__order"))


def security_recipients(institution_slug: str | None) -> list[str]:
    """Who reads suspicious-message reports: the security contact, else the support desk."""
    institution = Institution.objects.filter(slug=institution_slug).first() if institution_slug else None
    if institution is None:
        return []
    rules = SafetyRules.objects.filter(institution=institution).first()
    if rules and rules.security_email:
        return [rules.security_email]
    return [institution.support_email] if institution.support_email else []
