"""XSS strings in every field a person fills are rendered inert on every page that shows them:
the tracking page, the agents' queue and ticket, the e-mails, the admin."""

import pytest
from django.test import Client

from notify.models import Message
from support import actions, carried
from support.models import Ticket
from testing.personas import make_person, with_second_factor

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
LIVE = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")


def assert_inert(html: str) -> None:
    for live in LIVE:
        assert live not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.fixture
def hostile(poitiers, agent):
    client = Client(HTTP_USER_AGENT=XSS)
    ctx = carried.sign(error=XSS, page=XSS)
    response = client.post(
        "/support/",
        {
            "identifier": f"x{XSS}@ac-poitiers.fr",
            "platform": "convergence",
            "nature": "autre",
            "description": XSS,
            "contact_channel": "email",
            "contact": "jeanne.perso@example.org",
            "ctx": ctx,
            "include_context": "on",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    token = client.session["support.just_filed"]["token"]
    actions.add_person_message(ticket, body=XSS)
    actions.add_note(agent, ticket, XSS)
    actions.reply(agent, ticket, XSS)
    return ticket, token


def test_the_form_shows_the_carried_context_inert(poitiers):
    assert_inert(Client().get(carried.link(error=XSS, page=XSS, identifier=XSS)).content.decode())


def test_the_tracking_page_is_inert(hostile):
    _ticket, token = hostile
    assert_inert(Client().get(f"/support/suivi/{token}/").content.decode())


def test_the_agents_pages_are_inert(hostile, agent_client):
    ticket, _ = hostile
    assert_inert(agent_client.get(f"/support/tickets/{ticket.number}/").content.decode())
    queue = agent_client.get("/support/tickets/?status=tous").content.decode()
    for live in LIVE:
        assert live not in queue
    assert ticket.number in queue


def test_the_emails_are_inert(hostile):
    reply = Message.objects.get(purpose="support.reply")
    assert_inert(reply.body_html)


def test_the_admin_is_inert(hostile):
    ticket, _ = hostile
    admin = make_person("admin@univ-poitiers.fr", is_staff=True, is_superuser=True)
    page = with_second_factor(admin).get(f"/admin/support/ticket/{ticket.pk}/change/").content.decode()
    assert_inert(page)
    assert ticket.tracking_hash not in page
