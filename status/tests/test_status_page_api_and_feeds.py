"""/etat/ per platform with its 90-day strip, an incident's page, GET /api/status in JSON
and the incident feeds (RSS and Atom), in French and English."""

from datetime import timedelta
from html import unescape

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from institutions.models import Platform
from status.models import Incident, IncidentUpdate, ProbeResult, ProbeTarget

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _incident(slug="zimbra", state="degraded", **fields):
    values = {
        "platform": Platform.objects.get(slug=slug),
        "state": state,
        "title_fr": "Lenteurs à l'ouverture des messages",
        "title_en": "Messages slow to open",
        "text_fr": "Les équipes travaillent sur un disque lent.",
        "text_en": "The teams are working on a slow disk.",
    }
    values.update(fields)
    return Incident.objects.create(**values)


def test_every_platform_is_operational_without_incidents(client, poitiers):
    response = client.get("/etat/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Convergence", "Zimbra", "Exchange / Outlook"):
        assert name in page
    assert page.count("Opérationnel") == 3
    assert page.count('class="day state-operational"') == 3 * 90


def test_an_incident_shows_on_its_platform_and_on_the_strip(client, poitiers):
    _incident(state="outage", starts_at=timezone.now() - timedelta(hours=1))
    _incident(
        "exchange",
        state="maintenance",
        title_fr="Mise à jour d'Exchange",
        starts_at=timezone.now() - timedelta(days=3, hours=2),
        ends_at=timezone.now() - timedelta(days=3),
    )
    page = unescape(client.get("/etat/").content.decode())
    assert "Panne" in page and "Lenteurs à l'ouverture des messages" in page
    assert page.count('class="day state-outage"') == 1
    assert page.count('class="day state-maintenance"') >= 1
    assert "Mise à jour d'Exchange" in page  # among recent incidents


def test_planned_maintenance_is_announced_but_not_yet_a_state(client, poitiers):
    start = timezone.now() + timedelta(days=2)
    _incident(
        state="maintenance", title_fr="Migration du stockage", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    page = unescape(client.get("/etat/").content.decode())
    assert "Maintenance prévue le" in page and "Migration du stockage" in page
    assert page.count("Opérationnel") == 3


def test_the_incident_page_shows_its_updates_in_the_language_of_the_url(client, poitiers):
    incident = _incident()
    IncidentUpdate.objects.create(incident=incident, text_fr="Disque remplacé.", text_en="Disk replaced.")
    french = unescape(client.get(f"/etat/incidents/{incident.pk}/").content.decode())
    english = unescape(client.get(f"/en/etat/incidents/{incident.pk}/").content.decode())
    assert "Lenteurs à l'ouverture des messages" in french and "Disque remplacé." in french
    assert "Messages slow to open" in english and "Disk replaced." in english
    assert "Disque" not in english and "Dégradé" not in english and "Degraded" in english


def test_an_unknown_incident_is_a_404(client, poitiers):
    assert client.get("/etat/incidents/999/").status_code == 404


def test_api_status_gives_states_incidents_probes_and_days(client, poitiers):
    incident = _incident()
    target = ProbeTarget.objects.create(platform=incident.platform, kind="imap", host="imap.univ-poitiers.fr", port=993)
    ProbeResult.objects.create(target=target, ok=False, error="timeout", latency_ms=None)
    response = client.get("/api/status")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["state"] == "degraded"
    zimbra = next(p for p in body["platforms"] if p["slug"] == "zimbra")
    assert zimbra["state"] == "degraded" and zimbra["state_label"] == "dégradé"
    assert zimbra["incidents"][0]["title"] == "Lenteurs à l'ouverture des messages"
    assert zimbra["incidents"][0]["url"].endswith(f"/etat/incidents/{incident.pk}/")
    assert zimbra["probes"] == [
        {
            "kind": "imap",
            "host": "imap.univ-poitiers.fr",
            "port": 993,
            "ok": False,
            "checked_at": zimbra["probes"][0]["checked_at"],
            "latency_ms": None,
            "error": "timeout",
            "cert_days_left": None,
        }
    ]
    assert len(zimbra["days"]) == 90 and zimbra["days"][-1]["state"] == "degraded"
    others = [p["state"] for p in body["platforms"] if p["slug"] != "zimbra"]
    assert others == ["operational", "operational"]


def test_api_status_speaks_english_on_request_and_is_unprefixed(client, poitiers):
    _incident()
    body = client.get("/api/status?lang=en").json()
    zimbra = next(p for p in body["platforms"] if p["slug"] == "zimbra")
    assert zimbra["state_label"] == "degraded" and zimbra["incidents"][0]["title"] == "Messages slow to open"
    assert client.get("/en/api/status").status_code == 404


def test_the_atom_feed_lists_incidents_newest_first(client, poitiers):
    _incident(
        title_fr="Ancien", starts_at=timezone.now() - timedelta(days=5), ends_at=timezone.now() - timedelta(days=4)
    )
    _incident(title_fr="Récent")
    response = client.get("/etat/flux.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["[dégradé] Zimbra : Récent", "[dégradé] Zimbra : Ancien"]
    link = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert "/etat/incidents/" in link


def test_the_rss_feed_in_english(client, poitiers):
    _incident()
    response = client.get("/en/etat/flux.rss")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Mail service status: incidents and maintenance"
    assert channel.findtext("item/title") == "[degraded] Zimbra : Messages slow to open"
    assert "/en/etat/incidents/" in channel.findtext("item/link")


def test_the_status_page_reads_a_bounded_number_of_queries(client, poitiers, django_assert_max_num_queries):
    for slug in ("zimbra", "exchange", "convergence"):
        for _ in range(3):
            _incident(slug)
    with django_assert_max_num_queries(20):
        assert client.get("/etat/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/en/etat/", "/en/securite/hameconnage/", "/en/securite/verifier-un-lien/", "/en/securite/signaler/"]
)
def test_english_pages_carry_no_french_of_ours(client, poitiers, path):
    incident = _incident(starts_at=timezone.now() - timedelta(days=2))
    IncidentUpdate.objects.create(incident=incident, text_fr="Disque remplacé.", text_en="Disk replaced.")
    page = unescape(client.get(path).content.decode())
    for french in (
        "Opérationnel",
        "dégradé",
        "Vérifier",
        "Signaler",
        "ne demandent",
        "Collez",
        "Lenteurs",
        "aujourd'hui",
    ):
        assert french not in page, (path, french)
