"""In a real browser (Debian's Chromium, CSP enforced): a teacher's paused sign-in → « Contacter
le support » with the context filled → an agent answers → the teacher reads the answer from
the tracking link on a phone-sized screen. axe-core finds nothing on the person's and the
agent's pages, on a phone and on a desktop."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from notify.models import Message
from support.models import Ticket
from testing.browser import axe_check
from testing.personas import make_person, with_second_factor

from .conftest import file_ticket

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.GUICHET_SUPPORT_FILES = tmp_path / "support"


def _hand_session(page, client: Client, site: str) -> None:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}])


def _tracking_link(ticket: Ticket) -> str:
    body = Message.objects.get(purpose="support.ticket_opened", to=ticket.contact).body_text
    return re.search(r"(/support/suivi/[^/\s]+/)", body).group(1)


def test_paused_sign_in_to_an_answer_read_on_a_phone(open_page, site, screenshot):
    make_person("jeanne.martin@ac-poitiers.fr", "academie")
    agent = make_person("agent@univ-poitiers.fr", display_name="Agnès Agent", is_support_agent=True)
    # Five wrong passwords already typed (a client as fast as a script); the sixth, on the phone.
    for n in range(5):
        Client().post("/login/", {"identifier": "jeanne.martin@ac-poitiers.fr", "password": f"Mauvais-{n}"})
    phone = open_page("phone")
    phone.goto("/login/")
    phone.get_by_label("Identifiant").first.fill("jeanne.martin@ac-poitiers.fr")
    phone.get_by_role("button", name="Continuer").click()
    phone.get_by_label("Mot de passe", exact=True).fill("Mauvais-5")
    phone.get_by_role("button", name="Se connecter").click()
    expect(phone.get_by_role("heading", name="Connexion suspendue")).to_be_visible()
    phone.locator(".support-contact").get_by_role("link", name="Contacter le support").click()

    # The context is there to confirm, not to retype.
    expect(phone.get_by_role("heading", name="Contacter le support")).to_be_visible()
    expect(phone.get_by_text("Connexion suspendue après plusieurs erreurs")).to_be_visible()
    expect(phone.get_by_label("Votre identifiant de messagerie")).to_have_value("jeanne.martin@ac-poitiers.fr")
    expect(phone.get_by_label("Votre messagerie")).to_have_value("convergence")
    expect(phone.get_by_label("Nature du problème")).to_have_value("connexion-suspendue")
    phone.get_by_label("Décrivez ce qui se passe").fill("Je dois envoyer les bulletins avant 9 h.")
    phone.get_by_label("Cela bloque un travail urgent").check()
    phone.get_by_label("Adresse personnelle ou numéro de mobile").fill("06 12 34 56 78")
    phone.get_by_label("Téléphone mobile (SMS)").check()
    screenshot(phone, "form")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    expect(phone.get_by_role("heading", name="Demande enregistrée")).to_be_visible()
    ticket = Ticket.objects.get()
    expect(phone.get_by_text(ticket.number)).to_be_visible()
    assert ticket.context["error"] == "paused" and ticket.urgent

    # The agent answers from the desk (desktop, second factor verified).
    desk = open_page("desktop")
    _hand_session(desk, with_second_factor(agent), site)
    desk.goto("/support/tickets/")
    desk.get_by_role("link", name=ticket.number).click()
    desk.get_by_label("Réponse à la personne").fill("Votre compte est débloqué : reconnectez-vous.")
    desk.get_by_role("button", name="Envoyer la réponse").click()
    expect(desk.get_by_text("Votre compte est débloqué : reconnectez-vous.")).to_be_visible()
    screenshot(desk, "desk")
    assert Message.objects.filter(purpose="support.reply", channel="sms", to="+33612345678").exists()

    # The teacher reads it from the tracking link sent by SMS, on the phone.
    phone.goto(_tracking_link(ticket))
    expect(phone.get_by_text("Votre compte est débloqué : reconnectez-vous.")).to_be_visible()
    expect(phone.get_by_text("En attente de l'utilisateur")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the tracking page scrolls sideways on a phone"
    screenshot(phone, "tracking")


def test_the_form_works_without_javascript(open_page, site):
    page = open_page("desktop", javascript=False)
    page.goto("/support/")
    page.get_by_label("Votre identifiant de messagerie").fill("etudiant@etu.univ-poitiers.fr")
    page.get_by_label("Nature du problème").select_option("mot-de-passe-perdu")
    page.get_by_role("button", name="Voir les réponses à ce problème").click()
    expect(page.get_by_text("J'ai oublié mon mot de passe.")).to_be_visible()
    page.get_by_label("Adresse personnelle ou numéro de mobile").fill("etudiant.perso@example.org")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", name="Demande enregistrée")).to_be_visible()


def test_a_screenshot_can_be_pasted(open_page, site):
    page = open_page("desktop")
    page.goto("/support/")
    expect(page.get_by_text("Vous pouvez aussi coller une capture")).to_be_visible()
    page.evaluate(
        """async () => {
          const canvas = document.createElement('canvas'); canvas.width = 8; canvas.height = 6;
          const blob = await new Promise(r => canvas.toBlob(r, 'image/png'));
          const data = new DataTransfer(); data.items.add(new File([blob], 'x.png', {type: 'image/png'}));
          document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data}));
        }"""
    )
    expect(page.get_by_text("Capture collée")).to_be_visible()
    page.get_by_label("Votre identifiant de messagerie").fill("etudiant@etu.univ-poitiers.fr")
    page.get_by_label("Nature du problème").select_option("autre")
    page.get_by_label("Adresse personnelle ou numéro de mobile").fill("etudiant.perso@example.org")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", name="Demande enregistrée")).to_be_visible()
    assert Ticket.objects.get().screenshots.get().width == 8


@pytest.mark.parametrize("path", ["/support/", "/en/support/", "tracking", "filed"])
def test_axe_finds_nothing_on_the_persons_pages(axe_page, site, path, screenshot):
    label = {"/support/": "contact", "/en/support/": "contact-en"}.get(path, path)
    if path in ("tracking", "filed"):
        ticket, token = file_ticket(description="Rien ne se passe.")
        if path == "filed":
            client = Client()
            session = client.session
            session["support.just_filed"] = {"number": ticket.number, "token": token}
            session.save()
            _hand_session(axe_page, client, site)
            path = "/support/envoye/"
        else:
            path = f"/support/suivi/{token}/"
    assert axe_page.goto(path).status == 200
    axe_check(axe_page)
    screenshot(axe_page, label)


@pytest.mark.parametrize("path", ["/support/tickets/", "ticket", "second-factor"])
def test_axe_finds_nothing_on_the_agents_pages(axe_page, site, path, screenshot):
    label = {"/support/tickets/": "queue"}.get(path, path)
    agent = make_person("agent@univ-poitiers.fr", display_name="Agnès Agent", is_support_agent=True)
    ticket, _ = file_ticket(urgent=True)
    if path == "second-factor":
        client = Client()
        client.force_login(agent)
        path, status = "/support/tickets/", 403
    else:
        client = with_second_factor(agent)
        status = 200
        if path == "ticket":
            path = f"/support/tickets/{ticket.number}/"
    _hand_session(axe_page, client, site)
    assert axe_page.goto(path).status == status
    axe_check(axe_page)
    screenshot(axe_page, label)
