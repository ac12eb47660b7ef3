"""Staff post incidents and maintenance in the admin (title and text in French and English,
platform, start, end, updates) and see the probes with their history; results are not
edited by hand."""

import pytest

from status.models import Incident, ProbeResult, ProbeTarget

pytestmark = pytest.mark.django_db


def test_staff_post_a_maintenance_with_an_update_and_it_shows_on_the_status_page(admin_client, client):
    from institutions.models import Platform

    zimbra = Platform.objects.get(slug="zimbra")
    response = admin_client.post(
        "/admin/status/incident/add/",
        {
            "platform": zimbra.pk,
            "state": "maintenance",
            "starts_at_0": "2026-12-05",
            "starts_at_1": "22:00:00",
            "ends_at_0": "2099-01-01",
            "ends_at_1": "06:00:00",
            "title_fr": "Mise à jour de Zimbra",
            "text_fr": "La messagerie sera lente pendant la nuit.",
            "title_en": "Zimbra upgrade",
            "text_en": "Mail will be slow during the night.",
            "updates-TOTAL_FORMS": "1",
            "updates-INITIAL_FORMS": "0",
            "updates-MIN_NUM_FORMS": "0",
            "updates-MAX_NUM_FORMS": "1000",
            "updates-0-posted_at_0": "2026-12-05",
            "updates-0-posted_at_1": "22:05:00",
            "updates-0-text_fr": "Mise à jour commencée.",
            "updates-0-text_en": "Upgrade started.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.updates.get().text_en == "Upgrade started."
    assert "Zimbra : maintenance." in client.get("/etat/").content.decode()
    from audit.models import Event

    event = Event.objects.get(code="status.incident.posted")
    assert event.actor.identifier == "admin@univ-poitiers.fr" and event.data["platform"] == "zimbra"
    assert "Zimbra upgrade" in client.get("/en/").content.decode()


def test_the_probes_and_their_history_are_listed(admin_client):
    from institutions.models import Platform

    target = ProbeTarget.objects.create(
        platform=Platform.objects.get(slug="exchange"), kind="smtp", host="smtp.chu-poitiers.fr", port=587
    )
    ProbeResult.objects.create(target=target, ok=False, error="cert_expired", cert_days_left=-3)
    assert "smtp.chu-poitiers.fr" in admin_client.get("/admin/status/probetarget/").content.decode()
    detail = admin_client.get(f"/admin/status/probetarget/{target.pk}/change/").content.decode()
    assert "cert_expired" in detail
    assert admin_client.get("/admin/status/proberesult/add/").status_code == 403


def test_the_safety_rules_are_in_the_admin(admin_client):
    page = admin_client.get("/admin/institutions/safetyrules/").content.decode()
    assert "CHU de Poitiers" in page
