"""What sibling apps plug into: the status app's « Signaler un message suspect » becomes a
ticket; the paused and « trop de demandes » pages link to support with their context."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client

from notify.models import Message
from support import carried
from support.actions import file_suspicious_report
from support.models import Ticket
from testing.personas import make_person

from .test_contact_form import FORM


def test_a_suspicious_message_report_becomes_a_ticket(poitiers):
    ticket = file_suspicious_report(
        identifier="jeanne.martin@ac-poitiers.fr",
        contact="jeanne.perso@example.org",
        message_text="Votre boîte est pleine, cliquez ici",
        links=[("https://ac-poitiers.fr.evil.example/login", "Domaine inconnu : ne cliquez pas")],
        language="fr",
        institution_slug="ac-poitiers",
    )
    assert isinstance(ticket, Ticket)
    assert ticket.nature == "message-suspect" and ticket.institution.slug == "ac-poitiers"
    assert "https://ac-poitiers.fr.evil.example/login — Domaine inconnu" in ticket.description
    assert ticket.context["links"][0][0] == "https://ac-poitiers.fr.evil.example/login"
    assert Message.objects.get(purpose="support.ticket_opened").to == "jeanne.perso@example.org"


def test_a_suspicious_report_by_sms_and_without_institution(poitiers):
    ticket = file_suspicious_report(
        identifier="x@example.org", contact="+33612345678", message_text="?", links=[], language="en",
        institution_slug=None,
    )  # fmt: skip
    assert ticket.contact_channel == "sms" and ticket.institution is None


def _href_of(page: str) -> str:
    return (
        page.split('class="support-contact"><a class="button secondary" href="')[1].split('"')[0].replace("&amp;", "&")
    )


def _ctx_of(page: str) -> dict:
    return carried.read(unquote(parse_qs(urlsplit(_href_of(page)).query)["ctx"][0]))


@pytest.mark.django_db
def test_the_paused_page_carries_the_identifier_and_never_the_password(poitiers):
    make_person("jeanne.martin@ac-poitiers.fr", "academie")
    client = Client()
    for n in range(6):
        response = client.post(
            "/login/", {"identifier": "jeanne.martin@ac-poitiers.fr", "password": f"Mauvais-{n}-Secret"}
        )
    assert response.status_code == 429
    page = response.content.decode()
    context = _ctx_of(page)
    assert context == {"error": "paused", "page": "/login/"}
    assert "Mauvais" not in page
    # The identifier waits in the session, not in the page; the form gets it, once.
    form = client.get(_href_of(page)).content.decode()
    assert 'value="jeanne.martin@ac-poitiers.fr"' in form
    assert "Mauvais" not in form
    assert 'value="jeanne.martin@ac-poitiers.fr"' not in client.get(_href_of(page)).content.decode()


def test_the_too_many_requests_page_links_to_support(poitiers):
    client = Client()
    form = {"identifier": "jeanne.martin@ac-poitiers.fr", "channel": "email", "contact": "j@example.org"}
    for _ in range(6):
        response = client.post("/password/reset/", form)
    assert response.status_code == 429
    context = _ctx_of(response.content.decode())
    assert context["error"] == "too_many"
    # The form opened from there already knows the identifier and the nature.
    page = client.get(_href_of(response.content.decode())).content.decode()
    assert '<option value="mot-de-passe-perdu" selected>' in page
    assert 'value="jeanne.martin@ac-poitiers.fr"' in page


def test_every_page_has_the_footer_link_with_the_desk_status(poitiers):
    for url in ("/", "/plateformes/convergence/", "/password/reset/", "/login/", "/en/"):
        page = Client().get(url).content.decode()
        assert 'class="support-footer"' in page, url
        assert "/support/?ctx=" in page
        assert ("Ouvert maintenant" in page or "Fermé" in page) or ("Open now" in page or "Closed" in page)


def test_a_platform_page_shows_only_its_institutions_desk(poitiers):
    page = Client().get("/plateformes/zimbra/").content.decode()
    footer = page.split('class="support-footer"')[1]
    assert "Académie :" not in footer and "CHU :" not in footer


def test_a_platform_page_says_whether_its_desk_is_open_and_links_to_support(poitiers):
    page = Client().get("/plateformes/exchange/").content.decode()
    section = page.split('id="support-titre"')[1]
    assert "Contacter le support" in section
    assert "Ouvert maintenant" in section or "Fermé" in section
    href = section.split('class="button secondary" href="')[1].split('"')[0].replace("&amp;", "&")
    assert carried.read(unquote(parse_qs(urlsplit(href).query)["ctx"][0]))["platform"] == "exchange"


def test_the_status_apps_report_form_files_a_support_ticket(poitiers):
    # Wired in SupportConfig.ready: the status app never imports support.
    response = Client().post(
        "/securite/signaler/",
        {
            "message": "Votre boîte est pleine : https://univ-poitiers.fr.evil.example/",
            "identifier": "a@univ-poitiers.fr",
        },
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.nature == "message-suspect" and "univ-poitiers.fr.evil.example" in ticket.description


def test_an_open_status_incident_is_offered_on_the_form(poitiers):
    from institutions.models import Platform
    from status.models import Incident

    incident = Incident.objects.create(
        platform=Platform.objects.get(slug="convergence"), state="degraded", title_fr="Convergence lente"
    )
    page = Client().get("/support/?ctx=" + carried.sign(platform="convergence")).content.decode()
    assert "Convergence lente" in page and "Ajouter ma demande à cet incident" in page
    Client().post("/support/", {**FORM, "incident": f"etat-{incident.pk}"})
    assert Ticket.objects.get().incident_ref == f"etat-{incident.pk}"
