"""The agents' desk: support role and a second factor; queue by priority; SLA clocks that count
opening hours and pause while waiting for the person; every action audited; the person
notified through the outbox; one click to the assisted reset with the identifier."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from audit.models import Event
from institutions.models import Platform
from notify.models import Message
from support import actions, hours, sla
from support.models import Ticket
from testing.personas import make_person, with_second_factor

from .conftest import file_ticket


def test_anonymous_people_are_sent_to_sign_in(poitiers):
    response = Client().get("/support/tickets/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_people_without_the_role_are_refused_even_with_a_second_factor(poitiers):
    someone = make_person("etudiant@etu.univ-poitiers.fr")
    assert with_second_factor(someone).get("/support/tickets/").status_code == 403


def test_an_agent_without_a_second_factor_is_told_how_to_get_one(agent):
    client = Client()
    client.force_login(agent)
    response = client.get("/support/tickets/")
    assert response.status_code == 403
    assert "Second facteur requis" in response.content.decode()
    ticket, _ = file_ticket()
    assert client.get(f"/support/tickets/{ticket.number}/").status_code == 403


def test_the_queue_is_ordered_by_priority_then_age(agent_client, agent):
    low, _ = file_ticket(contact="a@example.org")
    urgent, _ = file_ticket(contact="b@example.org", urgent=True)
    major, _ = file_ticket(contact="c@example.org")
    actions.set_impact(agent, major, urgency=5, impact=5)
    page = agent_client.get("/support/tickets/").content.decode()
    positions = [page.index(t.number) for t in (major, urgent, low)]
    assert positions == sorted(positions)


def test_filters_by_institution_platform_status_and_nature(agent_client):
    academy, _ = file_ticket(contact="a@example.org")
    university, _ = file_ticket(
        contact="b@example.org",
        identifier="x@univ-poitiers.fr",
        platform=Platform.objects.get(slug="zimbra"),
        nature="mot-de-passe-perdu",
    )
    page = agent_client.get("/support/tickets/?institution=univ-poitiers").content.decode()
    assert university.number in page and academy.number not in page
    page = agent_client.get("/support/tickets/?platform=convergence&nature=bouton-sans-effet").content.decode()
    assert academy.number in page and university.number not in page
    page = agent_client.get("/support/tickets/?status=clos").content.decode()
    assert academy.number not in page


def test_reply_notifies_the_person_and_is_audited(agent_client, agent):
    ticket, token = file_ticket()
    response = agent_client.post(
        f"/support/tickets/{ticket.number}/agir/",
        {"action": "reply", "body": "Videz le cache puis réessayez.", "status": Ticket.WAITING},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.WAITING and ticket.first_response_at and ticket.assignee == agent
    message = Message.objects.get(purpose="support.reply")
    assert message.to == ticket.contact and "Videz le cache" in message.body_text
    assert Event.objects.filter(code="support.ticket.replied", actor=agent).exists()
    assert "Videz le cache" in Client().get(f"/support/suivi/{token}/").content.decode()


def test_internal_notes_never_reach_the_person(agent_client, agent):
    ticket, token = file_ticket()
    agent_client.post(f"/support/tickets/{ticket.number}/agir/", {"action": "note", "body": "Appelé, messagerie."})
    assert "Appelé, messagerie." in agent_client.get(f"/support/tickets/{ticket.number}/").content.decode()
    assert "Appelé, messagerie." not in Client().get(f"/support/suivi/{token}/").content.decode()
    assert not Message.objects.filter(purpose="support.reply").exists()
    assert Event.objects.filter(code="support.ticket.noted").exists()


def test_assign_status_and_priority_are_audited(agent_client, agent):
    ticket, _ = file_ticket()
    url = f"/support/tickets/{ticket.number}/agir/"
    agent_client.post(url, {"action": "assign", "assignee": "me"})
    agent_client.post(url, {"action": "status", "status": Ticket.RESOLVED})
    agent_client.post(url, {"action": "priority", "urgency": "5", "impact": "4"})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.priority) == (agent, Ticket.RESOLVED, 5)
    codes = set(Event.objects.filter(actor=agent).values_list("code", flat=True))
    assert {"support.ticket.assigned", "support.ticket.status", "support.ticket.prioritised"} <= codes


def test_viewing_a_ticket_is_audited_and_links_to_the_assisted_reset(agent_client, agent):
    person = make_person("jeanne.martin@ac-poitiers.fr", "academie")
    ticket, _ = file_ticket()
    page = agent_client.get(f"/support/tickets/{ticket.number}/").content.decode()
    assert f'href="/support/guichet/personne/{person.pk}/"' in page
    assert Event.objects.filter(code="support.ticket.viewed", actor=agent).exists()
    stranger, _ = file_ticket(identifier="inconnu@ac-poitiers.fr", contact="z@example.org")
    page = agent_client.get(f"/support/tickets/{stranger.number}/").content.decode()
    assert "/support/guichet/?q=inconnu@ac-poitiers.fr" in page


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=hours.PARIS)


def test_the_sla_clock_counts_opening_hours_and_pauses_while_waiting(poitiers, agent):
    # Académie desk: 08:00-18:00 Monday to Thursday, 08:00-17:00 on Fridays.
    opened = paris("2027-06-04T16:00")  # a Friday; the desk shuts at 17:00 on Fridays
    ticket, _ = file_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(created_at=opened, sla_running_since=opened)
    ticket.refresh_from_db()
    # Monday 9:00: one hour on Friday, one on Monday; the weekend does not count.
    assert sla.elapsed(ticket, paris("2027-06-07T09:00")) == 2 * 3600
    # Waiting for the person from Monday 9:00 to Tuesday 9:00: the clock stands still.
    sla.move_clock(ticket, Ticket.WAITING, paris("2027-06-07T09:00"))
    ticket.status = Ticket.WAITING
    assert sla.elapsed(ticket, paris("2027-06-08T09:00")) == 2 * 3600
    sla.move_clock(ticket, Ticket.IN_PROGRESS, paris("2027-06-08T09:00"))
    ticket.status = Ticket.IN_PROGRESS
    assert sla.elapsed(ticket, paris("2027-06-08T09:30")) == 2 * 3600 + 1800


def test_a_person_answering_restarts_the_clock(poitiers, agent):
    ticket, _ = file_ticket()
    actions.reply(agent, ticket, "Pouvez-vous préciser ?", status=Ticket.WAITING)
    ticket.refresh_from_db()
    assert ticket.sla_running_since is None
    actions.add_person_message(ticket, body="Voici.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.IN_PROGRESS and ticket.sla_running_since is not None


def test_a_breached_target_is_flagged_in_the_queue(agent_client):
    ticket, _ = file_ticket(urgent=True)
    long_ago = timezone.now() - timedelta(days=10)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=long_ago, sla_running_since=long_ago)
    assert "délai dépassé" in agent_client.get("/support/tickets/").content.decode()


def test_actions_refuse_someone_without_the_role(poitiers):
    ticket, _ = file_ticket()
    someone = make_person("etudiant@etu.univ-poitiers.fr")
    with pytest.raises(PermissionDenied):
        actions.add_note(someone, ticket, "intrus")


def test_an_empty_reply_says_nothing_was_saved(agent_client):
    ticket, _ = file_ticket()
    response = agent_client.post(
        f"/support/tickets/{ticket.number}/agir/", {"action": "reply", "body": ""}, follow=True
    )
    assert "Rien n&#x27;a été enregistré" in response.content.decode()
    assert not Message.objects.filter(purpose="support.reply").exists()
