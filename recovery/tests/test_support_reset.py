"""« Guichet du support »: look a person up, check identity, send a link or print a code;
a privileged account waits for a second agent."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import Event
from notify.models import Message
from recovery.models import ResetCode, SupportReset
from testing.personas import PASSWORD

from .staff_people import make, signed_in

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"
NEW_PASSWORD = "le chat de ma voisine mange des croissants"
PROOFS = ["piece-identite", "matricule"]  # two of the CHU's three checks


@pytest.fixture
def agent2(poitiers):
    return make("agent2@univ-poitiers.fr", "universite", display_name="Bruno Agent", is_support_agent=True)


@pytest.fixture
def mail(smtp_server, django_capture_on_commit_callbacks):
    class Mail:
        messages = smtp_server.messages

        def __call__(self, fn, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return fn(*args, **kwargs)

    return Mail()


def _reset(client, person, *, proofs=PROOFS, note="Ticket 4521, vue au guichet", channel="email"):
    return client.post(f"/support/guichet/personne/{person.pk}/", {"proofs": proofs, "note": note, "channel": channel})


def _printed_code(response) -> str:
    html = response.content.decode()
    return re.search(r'class="code-printed" data-code>([^<]+)<', html).group(1).strip()


# --- Look-up and the person's page ---------------------------------------------------------


def test_lookup_by_exact_identifier_after_normalisation(agent, nurse):
    html = signed_in(agent).get("/support/guichet/", {"q": "  Infirmiere@CHU-Poitiers.fr "}).content.decode()
    assert f"/support/guichet/personne/{nurse.pk}/" in html
    assert "CHU" in html  # the institution is shown
    assert signed_in(agent).get("/support/guichet/", {"q": "infirmiere@chu"}).content.decode().count("personne/") == 0


def test_lookup_by_part_of_the_name_shows_at_most_twenty(agent, nurse):
    for n in range(25):
        make(f"dubois{n}@chu-poitiers.fr", display_name=f"Paul Dubois {n}")
    html = signed_in(agent).get("/support/guichet/", {"q": "dubois"}).content.decode()
    assert len(re.findall(r"/support/guichet/personne/\d+/", html)) == 20
    assert "Seuls les 20 premiers résultats" in html


def test_lookups_are_audited(agent, nurse):
    client = signed_in(agent)
    client.get("/support/guichet/", {"q": "Claire"})
    client.get(f"/support/guichet/personne/{nurse.pk}/")
    search, opened = Event.objects.filter(code="support.lookup").order_by("at")
    assert search.actor == agent and search.data == {"step": "search", "query": "Claire", "results": 1}
    assert search.ip == "127.0.0.1"
    assert opened.actor == agent and opened.subject == nurse and opened.data == {"step": "open"}


def test_the_page_shows_the_person_with_masked_channels(agent, nurse, manager):
    html = signed_in(agent).get(f"/support/guichet/personne/{nurse.pk}/").content.decode()
    for shown in (
        NURSE,
        "Claire Dubois",
        "CHU de Poitiers",
        "actif",
        "c••••@example.org",
        "+33 6 •• •• •• 78",
        "jamais",
    ):
        assert shown in html
    assert "claire.perso" not in html and "12345678" not in html
    assert "identité officielle présentée au guichet" in html and "Rappel au numéro" in html  # the CHU's checklist
    chief_page = signed_in(agent).get(f"/support/guichet/personne/{manager.pk}/").content.decode()
    assert "un second agent doit approuver" in chief_page


# --- Rules ---------------------------------------------------------------------------------


def test_two_proofs_are_needed(agent, nurse):
    response = _reset(signed_in(agent), nurse, proofs=["piece-identite"])
    assert response.status_code == 200
    assert "Cochez au moins 2 vérifications" in response.content.decode()
    assert not ResetCode.objects.exists() and not SupportReset.objects.exists()


def test_every_check_is_needed_when_the_institution_lists_fewer_than_two(agent, nurse):
    nurse.institution.identity_checks = [{"slug": "piece-identite", "label_fr": "Pièce d'identité", "label_en": "ID"}]
    nurse.institution.save()
    assert _reset(signed_in(agent), nurse, proofs=[]).status_code == 200
    assert not SupportReset.objects.exists()
    assert _reset(signed_in(agent), nurse, proofs=["piece-identite"]).status_code == 302


def test_unknown_proofs_do_not_count(agent, nurse):
    _reset(signed_in(agent), nurse, proofs=["piece-identite", "carte-etudiant"])  # not a CHU check
    assert not SupportReset.objects.exists()


def test_a_note_is_needed(agent, nurse):
    response = _reset(signed_in(agent), nurse, note="  ")
    assert "numéro du ticket" in response.content.decode()
    assert not SupportReset.objects.exists()


def test_an_agent_cannot_reset_their_own_account(agent):
    client = signed_in(agent)
    assert "votre propre compte" in client.get(f"/support/guichet/personne/{agent.pk}/").content.decode()
    response = _reset(client, agent, proofs=["carte-etudiant", "piece-identite"], channel="printed")
    assert response.status_code == 403
    assert not SupportReset.objects.exists() and not ResetCode.objects.exists()


def test_an_unverified_channel_cannot_be_chosen(agent, nurse):
    nurse.mobile_verified_at = None
    nurse.save()
    response = _reset(signed_in(agent), nurse, channel="sms")
    assert "Choisissez un moyen proposé" in response.content.decode()
    assert not ResetCode.objects.exists()


# --- Delivery ------------------------------------------------------------------------------


def test_the_link_arrives_by_smtp_and_leads_to_a_new_password(agent, nurse, mail):
    response = mail(_reset, signed_in(agent), nurse)
    assert response.status_code == 302
    assert [m["To"] for m in mail.messages] == ["claire.perso@example.org"]
    body = mail.messages[0].get_body(("plain",)).get_content()
    path = re.search(r"http://testserver(/password/reset/lien/[^\s]+/)", body).group(1)
    person = Client()
    assert person.post(path)["Location"] == "/password/reset/nouveau/"
    reset = ResetCode.objects.get()
    assert (reset.channel, reset.origin, reset.end_reason) == ("email", "support", "used")
    response = mail(person.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert "Votre mot de passe est changé" in response.content.decode()
    assert Client().post("/login/", {"identifier": NURSE, "password": NEW_PASSWORD})["Location"] == "/services/"
    assert Client().post("/login/", {"identifier": NURSE, "password": PASSWORD}).status_code == 200


def test_a_code_goes_by_sms_to_the_verified_mobile(agent, nurse):
    assert _reset(signed_in(agent), nurse, channel="sms").status_code == 302
    sms = Message.objects.get(channel=Message.SMS)
    assert sms.to == "+33612345678" and sms.purpose == "recovery.code"
    assert ResetCode.objects.get().channel == "sms"


def test_a_printed_code_is_shown_once_and_works_on_the_code_page(agent, nurse):
    response = _reset(signed_in(agent), nurse, channel="printed")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    code = _printed_code(response)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    # The code is sent nowhere; the person only gets a notice that one was handed over.
    assert set(Message.objects.values_list("purpose", flat=True)) == {"recovery.printed_notice"}
    reset = ResetCode.objects.get()
    assert (reset.channel, reset.origin) == ("printed", "support")
    assert reset.expires_at - reset.created_at == timedelta(minutes=10)  # ASVS 2.7.2
    assert "10 minutes" in response.content.decode()  # the agent reads the right delay out
    response = Client().post("/password/reset/code/", {"identifier": NURSE, "code": code})
    assert response["Location"] == "/password/reset/nouveau/"


def test_a_printed_code_is_never_stored_nor_logged_in_clear(agent, nurse):
    code = _printed_code(_reset(signed_in(agent), nurse, channel="printed"))
    for row in ResetCode.objects.values():
        assert code not in str(row)
    for row in SupportReset.objects.values():
        assert code not in str(row)
    for event in Event.objects.all():
        assert code not in str(event.data)
    # The agent's page afterwards does not show it again.
    assert code not in signed_in(agent).get(f"/support/guichet/personne/{nurse.pk}/").content.decode()


def test_a_printed_code_lasts_thirty_minutes(agent, nurse):
    code = _printed_code(_reset(signed_in(agent), nurse, channel="printed"))
    ResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 200


def test_a_new_reset_replaces_the_live_code(agent, nurse):
    client = signed_in(agent)
    first = _printed_code(_reset(client, nurse, channel="printed"))
    second = _printed_code(_reset(client, nurse, channel="printed"))
    if first != second:
        assert Client().post("/password/reset/code/", {"identifier": NURSE, "code": first}).status_code == 200
    assert Client().post("/password/reset/code/", {"identifier": NURSE, "code": second}).status_code == 302


def test_an_inactive_account_is_not_reset(agent, nurse):
    nurse.status = nurse.DISABLED
    nurse.save()
    client = signed_in(agent)
    assert "pas actif" in client.get(f"/support/guichet/personne/{nurse.pk}/").content.decode()
    assert "pas actif" in _reset(client, nurse).content.decode()
    assert not ResetCode.objects.exists()


# --- Privileged accounts: a second agent ---------------------------------------------------


def _decide(client, reset, decision, reason=""):
    return client.post("/support/guichet/demandes/", {"request": reset.pk, "decision": decision, "reason": reason})


def test_a_privileged_reset_waits_for_a_second_agent(agent, agent2, manager, mail):
    response = mail(_reset, signed_in(agent), manager)
    assert response.status_code == 302
    assert "second agent doit approuver" in signed_in(agent).get(response["Location"]).content.decode()
    reset = SupportReset.objects.get()
    assert reset.status == SupportReset.PENDING and reset.proofs == PROOFS
    assert not ResetCode.objects.exists() and not mail.messages

    assert _decide(signed_in(agent), reset, "approve").status_code == 403  # not the first agent
    reset.refresh_from_db()
    assert reset.status == SupportReset.PENDING and not ResetCode.objects.exists()

    listing = signed_in(agent2).get("/support/guichet/demandes/").content.decode()
    assert "marc.perso" not in listing and "Ticket 4521" in listing
    assert mail(_decide, signed_in(agent2), reset, "approve").status_code == 302
    reset.refresh_from_db()
    assert reset.status == SupportReset.ISSUED and reset.decided_by == agent2
    assert [m["To"] for m in mail.messages] == ["marc.perso@example.org"]
    assert ResetCode.objects.get().origin == "support"


def test_the_person_cannot_approve_their_own_reset(agent, agent2):
    # agent2 is privileged (an agent): agent asks, agent2 may not decide about themself.
    _reset(signed_in(agent), agent2, proofs=["carte-etudiant", "piece-identite"], channel="printed")
    reset = SupportReset.objects.get()
    assert _decide(signed_in(agent2), reset, "approve").status_code == 403
    assert "propre compte" in signed_in(agent2).get("/support/guichet/demandes/").content.decode()
    reset.refresh_from_db()
    assert reset.status == SupportReset.PENDING


def test_a_printed_code_is_shown_to_the_approving_agent(agent, agent2, manager):
    _reset(signed_in(agent), manager, channel="printed")
    assert not ResetCode.objects.exists()
    response = _decide(signed_in(agent2), SupportReset.objects.get(), "approve")
    code = _printed_code(response)
    assert Client().post("/password/reset/code/", {"identifier": manager.identifier, "code": code}).status_code == 302


def test_a_second_agent_may_refuse_with_a_reason(agent, agent2, manager):
    _reset(signed_in(agent), manager)
    reset = SupportReset.objects.get()
    assert "motif du refus" in _decide(signed_in(agent2), reset, "refuse").content.decode()
    assert _decide(signed_in(agent2), reset, "refuse", "Pièce d'identité douteuse").status_code == 302
    reset.refresh_from_db()
    assert (reset.status, reset.refusal_reason, reset.decided_by) == ("refused", "Pièce d'identité douteuse", agent2)
    assert not ResetCode.objects.exists()
    assert _decide(signed_in(agent2), reset, "approve").status_code == 200  # no longer pending
    assert not ResetCode.objects.exists()


def test_a_pending_reset_lapses_after_a_day(agent, agent2, manager):
    _reset(signed_in(agent), manager)
    SupportReset.objects.update(created_at=timezone.now() - timedelta(hours=25), expires_at=timezone.now())
    response = _decide(signed_in(agent2), SupportReset.objects.get(), "approve")
    assert response.status_code == 200
    assert not ResetCode.objects.exists()


# --- Audit ---------------------------------------------------------------------------------


def test_everything_is_audited_with_proofs_and_channel(agent, agent2, nurse, manager):
    _reset(signed_in(agent), nurse, channel="printed")
    _reset(signed_in(agent), manager, channel="email")
    _decide(signed_in(agent2), SupportReset.objects.get(account=manager), "approve")
    events = {(e.code, e.subject.identifier): e for e in Event.objects.filter(code__startswith="support.reset.")}
    assert set(events) == {
        ("support.reset.requested", NURSE),
        ("support.reset.issued", NURSE),
        ("support.reset.requested", manager.identifier),
        ("support.reset.approved", manager.identifier),
        ("support.reset.issued", manager.identifier),
    }
    for (code, subject), event in events.items():
        assert event.ip == "127.0.0.1"
        assert event.data["proofs"] == PROOFS
        assert event.data["channel"] == ("printed" if subject == NURSE else "email")
        expected = (
            agent2 if code == "support.reset.approved" or (subject != NURSE and code.endswith("issued")) else agent
        )
        assert event.actor == expected
    assert events[("support.reset.requested", manager.identifier)].data["privileged"] is True
    issued = Event.objects.filter(code="recovery.code.issued").values_list("actor", "data")
    assert sorted((actor, data["channel"], data["origin"]) for actor, data in issued) == [
        (agent.pk, "printed", "support"),
        (agent2.pk, "email", "support"),
    ]
