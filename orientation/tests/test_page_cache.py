import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import Platform

pytestmark = pytest.mark.django_db


def test_a_cached_home_page_costs_one_query(client, poitiers):
    first = client.get("/").content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/").content
    assert again == first
    assert len(queries) == 1  # the set-up revision


def test_an_admin_edit_shows_at_once(client, poitiers):
    assert "Zimbra" in client.get("/").content.decode()
    zimbra = Platform.objects.get(slug="zimbra")
    zimbra.name = "Zimbra Collaboration"
    zimbra.save()
    assert "Zimbra Collaboration" in client.get("/").content.decode()


def test_each_language_has_its_own_entry(client, poitiers):
    client.get("/")
    assert '<html lang="en">' in client.get("/en/").content.decode()
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_pages_with_input_are_never_cached(client, poitiers):
    client.get("/plateformes/zimbra/")
    html = client.get("/plateformes/zimbra/", {"identifier": "x@univ-poitiers.fr"}).content.decode()
    assert "x@univ-poitiers.fr" in html
    assert "x@univ-poitiers.fr" not in client.get("/plateformes/zimbra/").content.decode()


def test_a_visitor_with_a_session_is_served_fresh(client, poitiers):
    client.get("/")
    client.cookies["sessionid"] = "anything"
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) > 1
