"""While a platform is degraded, down or in maintenance, every page says so under the header,
names the platform and links to the incident; cached anonymous pages are never stale for
long, and the banner goes when the incident ends."""

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from accounts.models import Account
from institutions.models import Platform, Public
from status.models import Incident
from status.tasks import refresh_banners

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/orientation/",
    "/orientation/?identifier=jeanne%40gmail.com",
    "/plateformes/zimbra/",
    "/plateformes/convergence/?identifier=x%40ac-poitiers.fr",
    "/accessibilite/",
    "/login/",
    "/password/reset/",
    "/etat/",
    "/securite/hameconnage/",
    "/securite/verifier-un-lien/",
    "/securite/signaler/",
    "/en/",
    "/en/plateformes/exchange/",
    "/en/login/",
]


def _incident(**fields):
    values = {
        "platform": Platform.objects.get(slug="zimbra"),
        "state": "degraded",
        "title_fr": "Envoi de messages ralenti",
        "title_en": "Sending mail is slow",
    }
    values.update(fields)
    return Incident.objects.create(**values)


def _banner(response) -> str:
    page = unescape(response.content.decode())
    start = page.find('<section class="status-banners"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize("path", PAGES)
def test_the_banner_names_the_platform_and_links_to_the_incident(client, poitiers, path):
    incident = _incident()
    response = client.get(path)
    assert response.status_code == 200
    banner = _banner(response)
    english = path.startswith("/en/")
    assert ("Zimbra : degraded." if english else "Zimbra : dégradé.") in banner
    assert ("Sending mail is slow" if english else "Envoi de messages ralenti") in banner
    assert f'href="{"/en" if english else ""}/etat/incidents/{incident.pk}/"' in banner
    # Placed after the header, before the page's own content.
    page = response.content.decode()
    assert page.index("</header>") < page.index("status-banners") < page.index('<main id="contenu"')


def test_signed_in_pages_carry_the_banner_too(client, poitiers):
    public = Public.objects.get(slug="universite")
    person = Account.objects.create_user(
        "jeanne@etu.univ-poitiers.fr", "x", institution=public.institution, public=public, platform=public.platform
    )
    client.force_login(person, backend="accounts.backends.DirectoryBackend")
    _incident(state="outage")
    for path in ("/services/", "/compte/connexions/"):
        assert "Zimbra : panne." in _banner(client.get(path)), path


def test_maintenance_says_maintenance(client, poitiers):
    _incident(state="maintenance", ends_at=timezone.now() + timedelta(hours=1), title_fr="Mise à jour")
    banner = _banner(client.get("/"))
    assert "Zimbra : maintenance." in banner and "Détails de la maintenance" in banner


def test_no_banner_when_everything_works(client, poitiers):
    _incident(starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1))
    assert _banner(client.get("/")) == ""
    assert "status-banners" not in client.get("/etat/").content.decode()


def test_a_cached_home_page_shows_a_new_incident_at_once_and_drops_it_when_closed(client, poitiers):
    assert _banner(client.get("/")) == ""
    assert _banner(client.get("/")) == ""  # now served from the page cache
    incident = _incident()
    assert "Zimbra" in _banner(client.get("/"))
    incident.ends_at = timezone.now()
    incident.save()
    assert _banner(client.get("/")) == ""


def test_a_planned_maintenance_shows_once_its_start_has_come(client, poitiers):
    start = timezone.now() + timedelta(hours=2)
    incident = _incident(state="maintenance", starts_at=start, ends_at=start + timedelta(hours=1))
    refresh_banners()
    assert _banner(client.get("/")) == ""  # cached, banner-less
    # The clock reaches the start (no save, no signal: only time passed).
    Incident.objects.filter(pk=incident.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    assert refresh_banners() is True  # the worker's minutely check notices
    assert "Zimbra : maintenance." in _banner(client.get("/"))
    assert refresh_banners() is False  # nothing changed since: no needless invalidation


def test_several_platforms_each_get_their_line_worst_first(client, poitiers):
    _incident(state="maintenance")
    _incident(platform=Platform.objects.get(slug="exchange"), state="outage", title_fr="Exchange hors service")
    banner = _banner(client.get("/etat/"))
    assert banner.index("Exchange / Outlook : panne.") < banner.index("Zimbra : maintenance.")


def test_the_banner_costs_no_query_once_read(client, poitiers):
    _incident()
    client.get("/orientation/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/orientation/?identifier=a")
    assert not any("status_incident" in q["sql"] for q in queries.captured_queries)
