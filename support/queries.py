"""Read-side helpers: an institution's schedule and contact block, the queue, the first-
response estimate, matching FAQ entries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from institutions.models import FaqEntry, Institution

from . import eta, hours
from .models import Ticket


def schedule_for(institution: Institution) -> hours.Schedule:
    return hours.Schedule.from_setup(institution.support_hours, institution.support_closures)


@dataclass(frozen=True)
class Desk:
    institution: Institution
    status: hours.Status
    status_text: str
    weekly: list[tuple[str, str]]
    closures: list[dict[str, str]]  # {"start": date, "end": date}, from the set-up file
    known: bool

    @property
    def open(self) -> bool:
        return self.status.open


def desk(institution: Institution, now: datetime | None = None) -> Desk:
    now = now or timezone.now()
    schedule = schedule_for(institution)
    status = hours.status_at(schedule, now)
    today = now.astimezone(hours.PARIS).date().isoformat()
    upcoming = [c for c in institution.support_closures if c.get("end", "") >= today]
    return Desk(
        institution=institution,
        status=status,
        status_text=hours.describe(status, now) if schedule.known else "",
        weekly=hours.weekly_lines(schedule),
        closures=upcoming,
        known=schedule.known,
    )


def first_response_estimate(institution: Institution | None, now: datetime | None = None) -> timedelta:
    now = now or timezone.now()
    tickets = Ticket.objects.all()
    if institution is not None:
        tickets = tickets.filter(institution=institution)
    queued = tickets.filter(status=Ticket.NEW, first_response_at__isnull=True).count()
    recent = tickets.filter(first_response_at__gte=now - timedelta(days=30)).values_list(
        "created_at", "first_response_at"
    )[:200]
    until_open = timedelta(0)
    recent_seconds: list[float] = []
    if institution is not None:
        schedule = schedule_for(institution)
        recent_seconds = [hours.open_seconds(schedule, a, b) for a, b in recent if b is not None]
        status = hours.status_at(schedule, now)
        if not status.open and status.reopens:
            until_open = status.reopens - now
    else:
        recent_seconds = [(b - a).total_seconds() for a, b in recent if b is not None]
        # Institution not known yet: the soonest any desk opens.
        waits = []
        for one in Institution.objects.all():
            schedule = schedule_for(one)
            if schedule.known:
                status = hours.status_at(schedule, now)
                waits.append(timedelta(0) if status.open else (status.reopens - now if status.reopens else None))
        known_waits = [w for w in waits if w is not None]
        if known_waits:
            until_open = min(known_waits)
    return eta.estimate(queued=queued, recent_seconds=recent_seconds, until_open=until_open)


def matching_faq(platform_slug: str, nature: str) -> list[FaqEntry]:
    """Entries tagged with the problem, or with the platform; those with both first."""
    wanted = [t for t in (platform_slug, nature) if t]
    entries = [e for e in FaqEntry.objects.all() if set(e.topics) & set(wanted)]
    return sorted(entries, key=lambda e: (-len(set(e.topics) & set(wanted)), e.order))[:4]


def queue(filters: dict[str, str]) -> QuerySet[Ticket]:
    rows = Ticket.objects.select_related("institution", "platform", "assignee")
    status = filters.get("status") or "ouverts"
    if status == "ouverts":
        rows = rows.filter(status__in=Ticket.OPEN_STATUSES)
    elif status != "tous":
        rows = rows.filter(status=status)
    for key, field in (("institution", "institution__slug"), ("platform", "platform__slug"), ("nature", "nature")):
        if filters.get(key):
            rows = rows.filter(**{field: filters[key]})
    if filters.get("q"):
        q = filters["q"].strip()
        rows = rows.filter(Q(number__iexact=q) | Q(identifier__icontains=q))
    return rows.order_by("-priority", "created_at")
