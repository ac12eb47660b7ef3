"""The probes open a « dégradé » incident after N consecutive failures, close it once every
probe passes again, and tell the administrators through the outbox; a certificate about to
expire is announced once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institutions.models import Platform
from notify.models import Message
from status import actions, queries
from status.models import DEGRADED, Incident, ProbeResult, ProbeTarget
from testing.status import TLSServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(settings):
    settings.GUICHET_ADMIN_EMAILS = ["exploitation@univ-poitiers.fr"]
    settings.GUICHET_STATUS_FAILURES = 3


def _target(kind, port, platform="zimbra"):
    return ProbeTarget.objects.create(
        platform=Platform.objects.get(slug=platform), kind=kind, host="127.0.0.1", port=port
    )


def _alerts():
    return list(Message.objects.filter(purpose=actions.ALERT_PURPOSE).order_by("pk"))


def test_n_failures_open_a_degraded_incident_and_recovery_closes_it(poitiers, admins, good_cert):
    with TLSServer("imap", good_cert) as server:
        target = _target("imap", server.port)
        assert actions.probe(target).ok
        server.fail()
        actions.probe(target)
        actions.probe(target)
        assert queries.open_incidents("zimbra") == []  # two failures: not yet
        actions.probe(target)

        [opened] = queries.open_incidents("zimbra")
        assert opened.state == DEGRADED and opened.platform_name == "Zimbra"
        incident = Incident.objects.get(pk=opened.id)
        assert incident.automatic and incident.ends_at is None
        [alert] = _alerts()
        assert alert.to == "exploitation@univ-poitiers.fr"
        assert "Zimbra ne répond plus correctement" in alert.subject

        actions.probe(target)  # still failing: still one incident, no second alert
        assert Incident.objects.count() == 1 and len(_alerts()) == 1

        server.recover()
        assert actions.probe(target).ok
    incident.refresh_from_db()
    assert incident.ends_at is not None
    assert queries.open_incidents("zimbra") == []
    assert incident.updates.get().text_fr == "Le service fonctionne de nouveau normalement."
    assert "fonctionne de nouveau" in _alerts()[-1].subject
    assert ProbeResult.objects.filter(target=target).count() == 6


def test_recovery_waits_for_every_probe_of_the_platform(poitiers, admins, good_cert):
    with TLSServer("imap", good_cert) as imap, TLSServer("smtp", good_cert) as smtp:
        a, b = _target("imap", imap.port), _target("smtp", smtp.port)
        imap.fail()
        smtp.fail()
        for _ in range(3):
            actions.probe(a)
            actions.probe(b)
        assert len(queries.open_incidents("zimbra")) == 1
        imap.recover()
        actions.probe(a)
        assert len(queries.open_incidents("zimbra")) == 1  # SMTP still failing
        smtp.recover()
        actions.probe(b)
    assert queries.open_incidents("zimbra") == []


def test_a_failure_elsewhere_leaves_other_platforms_operational(poitiers, admins, ca):
    from testing.status import closed_port

    target = _target("smtp", closed_port(), platform="exchange")
    for _ in range(3):
        assert actions.probe(target).error == "refused"
    assert [i.platform_slug for i in queries.open_incidents()] == ["exchange"]
    states = {s.platform.slug: s.state for s in queries.platform_statuses()}
    assert states == {"convergence": "operational", "zimbra": "operational", "exchange": "degraded"}


def test_a_staff_incident_is_never_closed_by_the_probes(poitiers, admins, good_cert):
    manual = Incident.objects.create(
        platform=Platform.objects.get(slug="zimbra"), state="outage", title_fr="Panne du stockage"
    )
    with TLSServer("https", good_cert) as server:
        actions.probe(_target("https", server.port))
    manual.refresh_from_db()
    assert manual.ends_at is None
    assert [i.state for i in queries.open_incidents("zimbra")] == ["outage"]


def test_a_certificate_expiring_within_14_days_is_announced_once(poitiers, admins, ca):
    soon = ca.issue("127.0.0.1", days=10)
    with TLSServer("smtp", soon) as server:
        target = _target("smtp", server.port)
        assert actions.probe(target).ok
        assert actions.probe(target).ok
    [alert] = _alerts()
    assert "expire dans" in alert.subject and "Zimbra" in alert.subject
    assert "127.0.0.1" in alert.body_text

    renewed_badly = ca.issue("127.0.0.1", days=5)  # another certificate, also too short
    with TLSServer("smtp", renewed_badly, port=target.port) as server:
        actions.probe(target)
    assert len(_alerts()) == 2


def test_a_certificate_with_time_left_is_not_announced(poitiers, admins, good_cert):
    with TLSServer("https", good_cert) as server:
        actions.probe(_target("https", server.port))
    assert _alerts() == []


def test_an_alert_in_english_for_an_english_speaking_administrator(poitiers, admins, ca, django_user_model):
    from institutions.models import Institution

    staff = django_user_model.objects.create_user(
        "ops@univ-poitiers.fr",
        institution=Institution.objects.get(slug="univ-poitiers"),
        is_staff=True,
        secondary_email="ops@example.org",
        secondary_email_verified_at=timezone.now(),
        language="en",
    )
    with TLSServer("imap", ca.issue("127.0.0.1", days=3)) as server:
        actions.probe(_target("imap", server.port))
    english = Message.objects.get(purpose=actions.ALERT_PURPOSE, to="ops@example.org")
    assert english.account == staff
    assert "expires in 2 days" in english.subject  # 2 days and 23 hours


def test_results_older_than_the_retention_limit_are_pruned(poitiers, settings):
    settings.GUICHET_STATUS_RETENTION_DAYS = 90
    target = _target("https", 443)
    now = timezone.now()
    for days in (0, 89, 91, 200):
        ProbeResult.objects.create(target=target, ok=True, checked_at=now - timedelta(days=days))
    assert actions.prune(now) == 2
    assert sorted((now - r.checked_at).days for r in ProbeResult.objects.all()) == [0, 89]


def test_the_webmail_address_gives_each_platform_an_automatic_https_probe(poitiers):
    actions.sync_targets()
    auto = {t.platform.slug: (t.host, t.port, t.path) for t in ProbeTarget.objects.filter(automatic=True)}
    assert auto["exchange"] == ("webmail.chu-poitiers.fr", 443, "/owa/")
    platform = Platform.objects.get(slug="exchange")
    platform.webmail_url = "https://mail.chu-poitiers.fr/owa/"
    platform.save()
    actions.sync_targets()
    actions.sync_targets()
    assert ProbeTarget.objects.get(platform=platform, automatic=True).host == "mail.chu-poitiers.fr"
    assert ProbeTarget.objects.filter(automatic=True).count() == 3


def test_the_periodic_task_does_nothing_when_probes_are_off(poitiers, settings):
    from status.tasks import probe_task

    settings.GUICHET_STATUS_PROBES = False
    assert probe_task.call_local() == 0
    assert ProbeResult.objects.count() == 0
