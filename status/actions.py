"""Every state change of the status app: probe results, incidents opened and closed by the
probes, alerts to the administrators. Network I/O (the probes themselves) happens outside
any transaction; what it found is written, audited and announced in one."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from audit.actions import record
from institutions.models import Platform
from notify.actions import queue_email
from notify.quotas import administrators

from . import events, probes
from .models import DEGRADED, Incident, IncidentUpdate, ProbeResult, ProbeTarget

logger = logging.getLogger(__name__)

ALERT_PURPOSE = "status.alert"


def sync_targets() -> None:
    """One automatic HTTPS probe per platform, following its webmail address."""
    for platform in Platform.objects.all():
        url = urlsplit(platform.webmail_url)
        if url.scheme != "https" or not url.hostname:
            continue
        values = {"host": url.hostname, "port": url.port or 443, "path": url.path or "/"}
        current = ProbeTarget.objects.filter(platform=platform, kind=ProbeTarget.HTTPS, automatic=True).first()
        if current is None:
            if not ProbeTarget.objects.filter(platform=platform, kind=ProbeTarget.HTTPS, **values).exists():
                ProbeTarget.objects.create(platform=platform, kind=ProbeTarget.HTTPS, automatic=True, **values)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.consecutive_failures = 0
            current.save(update_fields=[*values, "consecutive_failures"])


def spec_of(target: ProbeTarget) -> probes.Spec:
    return probes.Spec(
        host=target.host,
        port=target.port,
        path=target.path or "/",
        starttls=target.tls == ProbeTarget.STARTTLS,
        timeout=settings.GUICHET_STATUS_TIMEOUT,
        login=target.login,
        secret_file=target.secret_file,
        auth=target.auth,
    )


def run_probes(now: datetime | None = None) -> int:
    """Probe every enabled target once; returns how many ran."""
    sync_targets()
    count = 0
    for target in ProbeTarget.objects.filter(enabled=True).select_related("platform"):
        probe(target, now=now)
        count += 1
    prune(now)
    return count


def probe(target: ProbeTarget, *, now: datetime | None = None) -> ProbeResult:
    """Run one probe (outside any transaction: it waits on the network) and record it."""
    outcome = probes.run(target.kind, spec_of(target), ca_file=settings.GUICHET_STATUS_CA_FILE)
    return record_outcome(target, outcome, now=now)


def record_outcome(target: ProbeTarget, outcome: probes.Outcome, *, now: datetime | None = None) -> ProbeResult:
    now = now or timezone.now()
    with transaction.atomic():
        # One writer per platform at a time: two workers must not both open an incident.
        platform = Platform.objects.select_for_update().get(pk=target.platform_id)
        target.refresh_from_db(fields=["consecutive_failures", "cert_alerted_for"])
        result = ProbeResult.objects.create(
            target=target,
            checked_at=now,
            ok=outcome.ok,
            latency_ms=outcome.latency_ms,
            error=outcome.error,
            detail=outcome.detail,
            banner=outcome.banner,
            cert_not_after=outcome.cert_not_after,
            cert_days_left=outcome.cert_days_left,
        )
        target.consecutive_failures = 0 if outcome.ok else target.consecutive_failures + 1
        target.save(update_fields=["consecutive_failures"])
        _check_certificate(target, outcome)
        _settle(platform, now)
    return result


def _check_certificate(target: ProbeTarget, outcome: probes.Outcome) -> None:
    days, not_after = outcome.cert_days_left, outcome.cert_not_after
    if days is None or not_after is None or days > settings.GUICHET_STATUS_CERT_WARN_DAYS:
        return
    if target.cert_alerted_for == not_after:
        return  # this certificate was announced already; a renewed one will be judged afresh
    target.cert_alerted_for = not_after
    target.save(update_fields=["cert_alerted_for"])
    record(events.CERTIFICATE_EXPIRING, target_id=target.pk, host=target.host, port=target.port, days=days)
    _alert("certificate", target.platform, target=target, days=days, not_after=not_after)


def _settle(platform: Platform, now: datetime) -> None:
    """Open a « dégradé » incident after N failures in a row; close it once all probes pass."""
    targets = list(platform.probe_targets.filter(enabled=True))
    threshold = settings.GUICHET_STATUS_FAILURES
    failing = [t for t in targets if t.consecutive_failures >= threshold]
    open_auto = Incident.objects.filter(platform=platform, automatic=True, ends_at__isnull=True).first()
    if failing and open_auto is None:
        names = ", ".join(f"{t.get_kind_display()} ({t.host}:{t.port})" for t in failing)
        incident = Incident.objects.create(
            platform=platform,
            state=DEGRADED,
            automatic=True,
            starts_at=now,
            title_fr=f"{platform.name} : service perturbé",
            title_en=f"{platform.name}: service disrupted",
            text_fr=(
                "Nos vérifications automatiques échouent depuis plusieurs minutes. "
                "Les équipes techniques sont prévenues ; inutile de changer votre mot de passe."
            ),
            text_en=(
                "Our automatic checks have been failing for several minutes. "
                "The technical teams have been told; there is no need to change your password."
            ),
        )
        record(events.INCIDENT_OPENED, incident_id=incident.pk, platform=platform.slug, automatic=True)
        _alert("failing", platform, incident=incident, probes=names)
    elif open_auto is not None and targets and all(t.consecutive_failures == 0 for t in targets):
        open_auto.ends_at = now
        open_auto.save(update_fields=["ends_at"])
        IncidentUpdate.objects.create(
            incident=open_auto,
            posted_at=now,
            text_fr="Le service fonctionne de nouveau normalement.",
            text_en="The service is working normally again.",
        )
        record(events.INCIDENT_CLOSED, incident_id=open_auto.pk, platform=platform.slug, automatic=True)
        _alert("recovered", platform, incident=open_auto)


def _alert(kind: str, platform: Platform, **context: object) -> None:
    recipients = administrators()
    if not recipients:
        logger.warning("status alert (%s, %s) and no administrator to tell (GUICHET_ADMIN_EMAILS)", kind, platform)
        return
    for address, language, account in recipients:
        queue_email(
            to=address,
            template="status_alert",
            context={"kind": kind, "platform": platform.name, **context},
            language=language,
            purpose=ALERT_PURPOSE,
            account=account,
        )


def staff_saved_incident(incident: Incident, *, actor: Account, created: bool, ip: str | None = None) -> None:
    """The admin's save of an incident or maintenance, in the event log (the save is the admin's)."""
    record(
        events.INCIDENT_POSTED if created else events.INCIDENT_EDITED,
        actor=actor,
        ip=ip,
        incident_id=incident.pk,
        platform=incident.platform.slug,
        state=incident.state,
    )


def prune(now: datetime | None = None) -> int:
    """Forget probe results older than the retention limit (incidents are kept)."""
    limit = (now or timezone.now()) - timedelta(days=settings.GUICHET_STATUS_RETENTION_DAYS)
    deleted, _ = ProbeResult.objects.filter(checked_at__lt=limit).delete()
    return deleted
