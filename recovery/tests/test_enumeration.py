"""Nobody learns from /password/reset/ whether an identifier exists or which contacts it has."""

import re

import pytest

from .conftest import ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


def _normalized(response, identifier):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return html.replace(identifier, "IDENTIFIER")


@pytest.mark.parametrize(
    ("identifier", "channel", "contact"),
    [
        ("personne@chu-poitiers.fr", "email", "claire.perso@example.org"),  # unknown identifier
        (NURSE, "email", "autre@example.org"),  # wrong contact
        (NURSE, "sms", "06 99 99 99 99"),  # wrong number
        ("jmartin", "email", "claire.perso@example.org"),  # bare login, unknown
    ],
)
def test_responses_are_byte_identical_whatever_happened(client, nurse, identifier, channel, contact):
    # The page says where to look (the e-mail for a link, the code form after an SMS): it
    # depends on the channel chosen, never on the account or the contact.
    right = {"email": "claire.perso@example.org", "sms": "06 12 34 56 78"}[channel]
    sent = ask(client, NURSE, channel, right, ip="192.0.2.1")
    other = ask(client, identifier, channel, contact, ip="192.0.2.2")
    assert sent.status_code == other.status_code == 200
    assert _normalized(sent, NURSE) == _normalized(other, identifier)
    assert sent.headers.keys() == other.headers.keys()


def test_wrong_codes_are_answered_the_same_for_unknown_identifiers(client, nurse):
    ask(client, NURSE)
    known = client.post("/password/reset/code/", {"identifier": NURSE, "code": "000000"})
    unknown = client.post("/password/reset/code/", {"identifier": "personne@chu-poitiers.fr", "code": "000000"})
    assert known.status_code == unknown.status_code
    assert _normalized(known, NURSE) == _normalized(unknown, "personne@chu-poitiers.fr")
