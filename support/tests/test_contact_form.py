"""« Contacter le support » at /support/: context carried and signed, confirmed not retyped,
the FAQ before filing, a clear message for bad input, no JavaScript needed."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from institutions.models import Institution
from notify.models import Message
from support import carried, incidents
from support.models import Ticket

FORM = {
    "identifier": "jeanne.martin@ac-poitiers.fr",
    "platform": "convergence",
    "nature": "bouton-sans-effet",
    "description": "Rien ne se passe.",
    "contact_channel": "email",
    "contact": "jeanne.perso@example.org",
}


@pytest.fixture
def client(poitiers):
    return Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/131.0 Mobile Safari/537.36")


def test_the_page_is_at_the_public_address_in_both_languages(client):
    assert client.get("/support/").status_code == 200
    english = client.get("/en/support/").content.decode()
    assert "Contact support" in english
    for french in ("Contacter", "Fermé", "Ouvert maintenant", "Nature du problème", "Horaires"):
        assert french not in english


def test_context_from_a_signed_link_is_shown_and_prefilled(client):
    link = carried.link(error="paused", identifier="jeanne.martin@ac-poitiers.fr", page="/login/")
    page = client.get(link).content.decode()
    assert "Connexion suspendue après plusieurs erreurs" in page
    assert 'value="jeanne.martin@ac-poitiers.fr"' in page
    # Platform pre-selected by routing the identifier; nature by the error.
    assert '<option value="convergence" selected>' in page
    assert '<option value="connexion-suspendue" selected>' in page
    assert "Chrome 131 / Android 14" in page


def test_a_forged_context_is_ignored(client):
    forged = signing.Signer(salt="another").sign_object({"error": "500"})
    page = client.get(f"/support/?ctx={forged}").content.decode()
    assert "Erreur du serveur" not in page
    tampered = carried.sign(error="paused")[:-3] + "abc"
    assert carried.read(tampered) == {}


def test_only_known_keys_enter_the_signed_context_never_a_password():
    token = carried.sign(error="paused", password="Secret-2026", code="123456")
    assert carried.read(token) == {"error": "paused"}
    # Deterministic: the same page gives the same bytes whoever asks (no timestamp inside).
    assert carried.sign(error="paused") == token


def test_filing_keeps_the_confirmed_context_and_queues_the_tracking_link(client):
    ctx = carried.sign(error="paused", page="/login/")
    response = client.post("/support/", {**FORM, "ctx": ctx, "include_context": "on"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.context["error"] == "paused"
    assert ticket.context["browser"] == "Chrome 131 / Android 14"
    assert ticket.institution.slug == "ac-poitiers"
    message = Message.objects.get(purpose="support.ticket_opened")
    assert message.to == "jeanne.perso@example.org"
    assert ticket.number in message.subject
    assert "/support/suivi/" in message.body_text
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page


def test_the_person_can_leave_the_context_out(client):
    client.post("/support/", {**FORM, "ctx": carried.sign(error="paused")})
    assert Ticket.objects.get().context == {}


def test_faq_entries_matching_platform_and_problem_are_shown_before_filing(client):
    page = client.post("/support/", {**FORM, "nature": "connexion-suspendue", "step": "faq"}).content.decode()
    assert "Ma connexion est suspendue." in page
    assert not Ticket.objects.exists()


def test_an_open_incident_can_take_the_request(client):
    def provider(platform):
        return [incidents.Incident(ref="inc-7", title="Convergence lente", platform="convergence")]

    incidents.register(provider)
    try:
        page = client.get("/support/?ctx=" + carried.sign(platform="convergence")).content.decode()
        assert "Ajouter ma demande à cet incident" in page
        client.post("/support/", {**FORM, "incident": "inc-7"})
        assert Ticket.objects.get().incident_ref == "inc-7"
    finally:
        incidents.unregister(provider)


def test_a_broken_incident_provider_does_not_break_the_form(client):
    def broken(platform):
        raise RuntimeError("status app down")

    incidents.register(broken)
    try:
        assert client.get("/support/").status_code == 200
    finally:
        incidents.unregister(broken)


def test_bad_input_gets_clear_messages_and_loses_nothing(client):
    response = client.post("/support/", {**FORM, "nature": "", "contact": "moi@ac-poitiers.fr"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez la nature du problème." in page
    assert "adresse est celle de votre établissement" in page
    assert "Rien ne se passe." in page


def test_a_mobile_contact_is_normalised_and_gets_an_sms(client):
    client.post("/support/", {**FORM, "contact_channel": "sms", "contact": "06 12 34 56 78"})
    ticket = Ticket.objects.get()
    assert ticket.contact == "+33612345678"
    assert Message.objects.get(purpose="support.ticket_opened").channel == "sms"


def test_urgent_raises_the_priority(client):
    client.post("/support/", {**FORM, "urgent": "on"})
    client.post("/support/", {**FORM, "contact": "autre@example.org"})
    urgent, normal = Ticket.objects.order_by("pk")
    assert urgent.priority > normal.priority


def test_many_tickets_from_one_contact_are_refused_but_another_contact_still_works(client):
    for _ in range(5):
        assert client.post("/support/", FORM).status_code == 302
    response = client.post("/support/", FORM)
    assert response.status_code == 429
    assert "Suivez-les avec le lien reçu" in response.content.decode()
    assert client.post("/support/", {**FORM, "contact": "collegue@example.org"}).status_code == 302


def test_a_campus_behind_one_address_is_not_locked_out(client):
    for n in range(20):
        response = client.post("/support/", {**FORM, "contact": f"p{n}@example.org"}, REMOTE_ADDR="2001:db8::1")
        assert response.status_code == 302


def test_hours_and_contacts_are_shown_on_the_page(client):
    Institution.objects.filter(slug="ac-poitiers").update(support_phone="05 16 52 00 00")
    page = client.get("/support/").content.decode()
    assert "05 16 52 00 00" in page
    assert "Horaires de la semaine" in page
    assert "Fermé" in page or "Ouvert maintenant" in page


def test_the_footer_link_carries_the_page(client):
    page = client.get("/plateformes/zimbra/").content.decode()
    href = page.split('class="support-footer"><a href="')[1].split('"')[0]
    token = parse_qs(urlsplit(href.replace("&amp;", "&")).query)["ctx"][0]
    assert carried.read(token)["page"] == "/plateformes/zimbra/"


def test_the_confirmation_shows_the_link_once_and_forgets_it(client):
    response = client.post("/support/", FORM)
    first = client.get(response["Location"])
    assert "/support/suivi/" in first.content.decode()
    assert "support.just_filed" not in client.session
    again = client.get(response["Location"])
    assert again.status_code == 302 and again["Location"] == "/support/"
