"""Hand-off to GLPI, tested against a local server speaking GLPI's documented REST API
(testing/support.py): the ticket with its urgency and screenshot as a document, follow-ups
both ways by polling, and GLPI down — the ticket stays in Guichet, nothing lost, retried."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from institutions.models import Platform
from notify.models import Message
from support import actions, handoff, images
from support.connectors import glpi
from support.models import TicketMessage

from .conftest import file_ticket, png_bytes


@pytest.fixture
def university_ticket(poitiers, glpi_server):
    ticket, token = file_ticket(
        identifier="etudiant@etu.univ-poitiers.fr",
        platform=Platform.objects.get(slug="zimbra"),
        urgent=True,
        description="<b>Zimbra</b> refuse mon mot de passe",
        screenshot=images.clean_bytes(png_bytes()),
    )
    return ticket, token


def test_the_ticket_is_created_in_glpi_with_urgency_and_screenshot(university_ticket, glpi_server):
    ticket, _ = university_ticket
    assert ticket.handoff_next_at is not None
    assert handoff.hand_off(ticket.pk) is True
    ticket.refresh_from_db()
    [(ref, created)] = glpi_server.tickets.items()
    assert ticket.helpdesk_ref == str(ref)
    assert created["urgency"] == 4 and created["entities_id"] == 3
    assert ticket.number in created["name"]
    # The person's text arrives escaped: GLPI shows it, never runs it.
    assert "&lt;b&gt;Zimbra&lt;/b&gt;" in created["content"] and "<b>" not in created["content"]
    [document] = glpi_server.documents.values()
    assert document["content"].startswith(b"\x89PNG")
    assert glpi_server.links[0]["items_id"] == ref and glpi_server.links[0]["itemtype"] == "Ticket"
    assert glpi_server.killed >= 1 and not glpi_server.sessions
    assert Event.objects.filter(code="support.handoff.created").exists()


def test_glpi_down_keeps_the_ticket_and_retries(university_ticket, glpi_server):
    ticket, token = university_ticket
    glpi_server.down()
    assert handoff.hand_off(ticket.pk) is False
    ticket.refresh_from_db()
    assert ticket.helpdesk_ref == "" and ticket.handoff_attempts == 1
    assert "503" in ticket.handoff_error
    assert ticket.handoff_next_at > timezone.now()
    assert Event.objects.filter(code="support.handoff.failed").exists()
    # The person still has their ticket and link; agents still answer it in Guichet.
    assert actions.ticket_for_link(token).pk == ticket.pk
    # Not due yet: the sweep leaves it alone; once due and GLPI back, it goes.
    assert handoff.sweep()[0] == 0
    glpi_server.up()
    assert handoff.sweep(now=timezone.now() + timedelta(minutes=5))[0] == 1
    ticket.refresh_from_db()
    assert ticket.helpdesk_ref and ticket.handoff_error == ""
    assert len(glpi_server.tickets) == 1


def test_a_wrong_token_is_a_failure_not_a_crash(university_ticket, glpi_server, monkeypatch):
    ticket, _ = university_ticket
    monkeypatch.setenv("GUICHET_GLPI_USER_TOKEN_UNIV_POITIERS", "wrong")
    assert handoff.hand_off(ticket.pk) is False
    ticket.refresh_from_db()
    assert "initSession" in ticket.handoff_error and ticket.handoff_attempts == 1


def test_glpi_unreachable_is_retried(university_ticket, glpi_server):
    ticket, _ = university_ticket
    glpi_server.stop()
    assert handoff.hand_off(ticket.pk) is False
    ticket.refresh_from_db()
    assert "unreachable" in ticket.handoff_error


def test_two_workers_never_hand_off_the_same_ticket_twice(university_ticket, glpi_server):
    ticket, _ = university_ticket
    now = timezone.now()
    assert handoff.hand_off(ticket.pk, now) is True
    assert handoff.hand_off(ticket.pk, now) is False
    assert len(glpi_server.tickets) == 1


def test_follow_ups_go_both_ways(university_ticket, glpi_server, agent):
    ticket, _token = university_ticket
    handoff.hand_off(ticket.pk)
    ticket.refresh_from_db()
    ref = int(ticket.helpdesk_ref)
    # Guichet → GLPI: an agent's answer and the person's message are pushed at the next poll.
    actions.reply(agent, ticket, "Essayez de nouveau.")
    actions.add_person_message(ticket, body="Toujours pas <script>alert(1)</script>")
    glpi_server.add_followup(ref, "&lt;p&gt;Compte débloqué côté annuaire.&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;")
    glpi_server.add_followup(ref, "<p>Note privée du technicien</p>", private=True)
    handoff.sync(ticket)
    pushed = [f["content"] for f in glpi_server.followups.values() if f["from_guichet"]]
    assert any("Essayez de nouveau." in c for c in pushed)
    assert any("&lt;script&gt;" in c and "<script>" not in c for c in pushed)
    # GLPI → Guichet: the public follow-up, as plain text, and the person is told.
    pulled = TicketMessage.objects.get(ticket=ticket, kind=TicketMessage.HELPDESK)
    assert pulled.body == "Compte débloqué côté annuaire."
    assert not TicketMessage.objects.filter(body__contains="Note privée").exists()
    assert Message.objects.filter(purpose="support.reply").count() == 2
    # Polling again pulls nothing twice and pushes nothing twice.
    before = len(glpi_server.followups)
    assert handoff.sync(ticket) == 0
    assert len(glpi_server.followups) == before


def test_an_institution_without_helpdesk_is_not_handed_off(poitiers):
    ticket, _ = file_ticket()
    assert ticket.handoff_next_at is None
    assert handoff.hand_off(ticket.pk) is False


def test_html_from_glpi_becomes_inert_text():
    assert glpi.to_text('<p>Bonjour<img src=x onerror="alert(1)"></p><script>bad()</script>') == "Bonjour"
    assert glpi.to_html("a < b\n<i>") == "<p>a &lt; b<br>&lt;i&gt;</p>"


def test_filing_hands_off_through_the_worker_after_commit(poitiers, glpi_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = file_ticket(identifier="x@univ-poitiers.fr", platform=Platform.objects.get(slug="zimbra"))
    ticket.refresh_from_db()
    assert ticket.helpdesk_ref and len(glpi_server.tickets) == 1


def test_the_periodic_poll_pulls_new_follow_ups(university_ticket, glpi_server):
    ticket, _ = university_ticket
    handoff.hand_off(ticket.pk)
    ticket.refresh_from_db()
    glpi_server.add_followup(int(ticket.helpdesk_ref), "<p>Réglé de notre côté.</p>")
    assert handoff.sweep() == (0, 1)
    assert TicketMessage.objects.filter(ticket=ticket, kind=TicketMessage.HELPDESK).count() == 1
