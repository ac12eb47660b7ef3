"""The tracking link: unguessable, stored hashed, one ticket per link, useless once the ticket
is purged; from it the person reads answers, adds a message or a screenshot, and closes."""

import os
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.models import Event
from support import actions, images
from support.models import Screenshot, Ticket

from .conftest import file_ticket, png_bytes


@pytest.fixture
def filed(poitiers):
    return file_ticket()


def test_the_secret_is_long_and_only_its_hash_is_stored(filed):
    ticket, token = filed
    assert len(token) >= 43  # 32 random bytes
    assert re.fullmatch(r"[0-9a-f]{64}", ticket.tracking_hash)
    assert token not in ticket.tracking_hash
    # Neither the audit log nor the outbox row's metadata hold it (the body must: it is the link).
    assert not any(token in str(e.data) for e in Event.objects.all())


def test_each_link_opens_its_own_ticket_only(poitiers):
    first, token_a = file_ticket()
    second, token_b = file_ticket(contact="autre@example.org")
    assert token_a != token_b
    page = Client().get(f"/support/suivi/{token_a}/").content.decode()
    assert first.number in page and second.number not in page
    assert actions.ticket_for_link(token_b).pk == second.pk


def test_a_wrong_or_altered_link_opens_nothing(filed):
    _ticket, token = filed
    client = Client()
    assert client.get(f"/support/suivi/{token[:-1]}x/").status_code == 404
    assert client.get("/support/suivi/" + "A" * 43 + "/").status_code == 404
    assert client.get("/support/suivi/" + "A" * 500 + "/").status_code == 404


def test_the_person_adds_a_message_and_a_screenshot_then_closes(filed):
    ticket, token = filed
    client = Client()
    url = f"/support/suivi/{token}/"
    upload = SimpleUploadedFile("c.png", png_bytes(), content_type="image/png")
    assert client.post(url, {"action": "message", "body": "Toujours bloqué.", "screenshot": upload}).status_code == 302
    page = client.get(url).content.decode()
    assert "Toujours bloqué." in page
    shot = Screenshot.objects.get(ticket=ticket)
    image = client.get(f"{url}captures/{shot.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    client.post(url, {"action": "close"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.CLOSED
    assert "Ce ticket est clos" in client.get(url).content.decode()


def test_an_empty_message_gets_a_clear_error(filed):
    _ticket, token = filed
    response = Client().post(f"/support/suivi/{token}/", {"action": "message", "body": "  "})
    assert response.status_code == 400
    assert "Écrivez un message ou joignez une capture." in response.content.decode()


def test_a_screenshot_is_not_served_through_another_tickets_link(poitiers):
    first, token_a = file_ticket()
    _second, token_b = file_ticket(contact="autre@example.org")
    actions.add_person_message(first, body="", screenshot=images.clean_bytes(png_bytes()))
    shot = Screenshot.objects.get(ticket=first)
    client = Client()
    assert client.get(f"/support/suivi/{token_a}/captures/{shot.pk}/").status_code == 200
    assert client.get(f"/support/suivi/{token_b}/captures/{shot.pk}/").status_code == 404


def test_after_the_purge_the_link_and_files_are_gone(filed):
    ticket, token = filed
    actions.add_person_message(ticket, body="avec capture", screenshot=images.clean_bytes(png_bytes()))
    shot = Screenshot.objects.get(ticket=ticket)
    path = shot.file.path
    actions.close_by_person(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=400))
    assert actions.purge_expired() == 1
    assert not Ticket.objects.exists()
    assert Client().get(f"/support/suivi/{token}/").status_code == 404
    assert Client().get(f"/support/suivi/{token}/captures/{shot.pk}/").status_code == 404
    assert not os.path.exists(path)
    assert Event.objects.filter(code="support.ticket.purged").exists()


def test_open_tickets_are_never_purged(filed):
    ticket, _token = filed
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert actions.purge_expired() == 0


def test_a_resolved_ticket_nobody_reopens_is_closed_after_a_week_then_purged(filed, agent):
    ticket, token = filed
    actions.set_status(agent, ticket, Ticket.RESOLVED)
    week_ago = timezone.now() - timedelta(days=8)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=week_ago)
    assert actions.purge_expired() == 0
    ticket.refresh_from_db()
    assert ticket.status == Ticket.CLOSED
    later = timezone.now() + timedelta(days=400)
    assert actions.purge_expired(now=later) == 1
    assert actions.ticket_for_link(token) is None


def test_links_handed_out_before_the_keyed_hash_moved_still_open_their_ticket(filed):
    # The digest is the one accounts' keyed_digest stored (same salt, sha256): moving it to
    # audit.keyed must not orphan the links people already hold.
    ticket, token = filed
    stored = salted_hmac("guichet.throttle.support-tracking", token, algorithm="sha256").hexdigest()
    assert ticket.tracking_hash == stored
    assert actions.ticket_for_link(token).pk == ticket.pk
