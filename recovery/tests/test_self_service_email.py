"""Self-service recovery by e-mail, end to end with a real SMTP server."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import Event
from recovery.models import ResetCode
from testing import throttles
from testing.personas import PASSWORD

from .conftest import NEW_PASSWORD, ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


@pytest.fixture
def mail(smtp_server, django_capture_on_commit_callbacks):
    """Run on-commit hooks (the outbox delivery) and give the received messages."""

    class Mail:
        messages = smtp_server.messages

        def __call__(self, fn, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return fn(*args, **kwargs)

    return Mail()


CODE = re.compile(r"\b[2-9A-Z]{4}-?[2-9A-Z]{4}\b")


def _link(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://testserver(/password/reset/lien/[^\s]+/)", body).group(1)


def _open(client, message):
    """What the person does: open the link, press the button."""
    return client.post(_link(message))


def test_the_page_shows_the_three_paths_with_their_delays(client, poitiers):
    html = client.get("/password/reset/").content.decode()
    for delay in ("5 à 15 minutes", "30 minutes à 48 heures selon la charge", "1 à 3 jours ouvrés"):
        assert delay in html
    assert 'name="identifier"' in html and 'name="channel"' in html and 'name="contact"' in html


def test_a_link_and_no_code_goes_to_the_verified_secondary_address_only(client, nurse, mail):
    response = mail(ask, client, NURSE)
    assert [m["To"] for m in mail.messages] == ["claire.perso@example.org"]
    message = mail.messages[0]
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    # Nothing short to type or to guess: the e-mail carries the long single-use link only.
    assert _link(message) and not CODE.search(message["Subject"] + text + html)
    assert "code" not in (message["Subject"] + text).lower()
    assert ResetCode.objects.get().code_digest == ""
    page = response.content.decode()
    assert "un lien vient d'y être envoyé" in page and 'name="code"' not in page


def test_link_then_new_password_then_sign_in(client, nurse, mail):
    mail(ask, client, NURSE)
    assert _open(client, mail.messages[0])["Location"] == "/password/reset/nouveau/"
    response = mail(client.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert "Votre mot de passe est changé" in response.content.decode()
    assert any("changé" in m["Subject"] for m in mail.messages)  # the channel is told
    fresh = Client()
    assert fresh.post("/login/", {"identifier": NURSE, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login/", {"identifier": NURSE, "password": NEW_PASSWORD})["Location"] == "/services/"


def test_the_link_confirms_by_post_so_mail_scanners_consume_nothing(client, nurse, mail):
    mail(ask, client, NURSE)
    path = _link(mail.messages[0])
    scanner = Client()
    assert scanner.get(path).status_code == 200
    assert scanner.get(path).status_code == 200
    assert ResetCode.objects.get().ended_at is None
    assert client.post(path)["Location"] == "/password/reset/nouveau/"
    assert Client().post(path).status_code == 410  # single use


def test_links_expire_after_ten_minutes(client, nurse, mail):
    mail(ask, client, NURSE)
    reset = ResetCode.objects.get()
    assert reset.expires_at - reset.created_at == timedelta(minutes=10)
    ResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _open(client, mail.messages[0]).status_code == 410


def test_wrong_codes_typed_by_someone_else_never_end_the_link(client, nurse, mail):
    mail(ask, client, NURSE)
    attacker = Client()
    for _ in range(5):
        response = attacker.post("/password/reset/code/", {"identifier": NURSE, "code": "2222-2222"})
        assert response.status_code == 200 and "incorrect, expiré" in response.content.decode()
    assert _open(Client(), mail.messages[0])["Location"] == "/password/reset/nouveau/"


def test_a_newer_request_invalidates_older_links(client, nurse, mail):
    mail(ask, client, NURSE)
    mail(ask, client, NURSE)
    assert _open(client, mail.messages[0]).status_code == 410
    assert _open(client, mail.messages[1])["Location"] == "/password/reset/nouveau/"
    assert list(ResetCode.objects.order_by("pk").values_list("end_reason", flat=True)) == ["replaced", "used"]


def test_requests_are_limited_per_account_and_per_address(client, nurse):
    for _ in range(5):
        assert ask(client, NURSE, ip="192.0.2.1").status_code == 200
    assert ask(client, NURSE, ip="192.0.2.2").status_code == 429  # same account, other address
    for i in range(5):
        ask(client, f"x{i}@chu-poitiers.fr", ip="192.0.2.3")
    assert ask(client, "y@chu-poitiers.fr", ip="192.0.2.3").status_code == 429  # same address


def test_never_sent_to_an_address_on_the_institutions_domains(client, nurse, mail):
    nurse.secondary_email = "claire.dubois@univ-poitiers.fr"
    nurse.save()
    response = mail(ask, client, NURSE, contact="claire.dubois@univ-poitiers.fr")
    assert "celle de votre établissement" in response.content.decode()
    assert mail.messages == []


def test_an_unverified_or_too_new_address_gets_nothing(client, nurse, mail):
    nurse.secondary_email_usable_from = timezone.now() + timedelta(hours=23)
    nurse.save()
    mail(ask, client, NURSE)
    nurse.secondary_email_usable_from = None
    nurse.secondary_email_verified_at = None
    nurse.save()
    mail(ask, client, NURSE)
    assert mail.messages == []


def test_a_completed_reset_ends_sessions_and_the_sign_in_pause(client, nurse, mail):
    other = Client()
    other.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    for i in range(5):
        client.post("/login/", {"identifier": NURSE, "password": f"wrong-{i}"})
    assert [s for s in throttles.states("account") if s.paused_until and s.paused_until > timezone.now()]
    mail(ask, client, NURSE)
    _open(client, mail.messages[-1])
    mail(client.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert other.get("/services/").status_code == 302
    assert not throttles.exists("account")
    assert Event.objects.filter(code="accounts.password.reset", subject=nurse).exists()


def test_the_new_password_page_needs_a_grant(client, nurse):
    assert client.get("/password/reset/nouveau/").status_code == 410
    response = client.post("/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert response.status_code == 410


def test_a_weak_or_current_password_is_refused_with_reasons(client, nurse, mail):
    mail(ask, client, NURSE)
    _open(client, mail.messages[0])
    for weak in ("motdepasse2026", PASSWORD, "court"):
        html = client.post("/password/reset/nouveau/", {"password": weak, "confirmation": weak}).content.decode()
        assert "Ce mot de passe ne convient pas" in html and weak not in html.split("</h1>", 1)[1].split("<form")[0]
    assert nurse.__class__.objects.get(pk=nurse.pk).check_password(PASSWORD)


def test_links_are_stored_hashed(client, nurse, mail):
    mail(ask, client, NURSE)
    row = str(list(ResetCode.objects.values()))
    assert _link(mail.messages[0]).rsplit("/", 2)[-2] not in row


def test_the_code_page_asks_for_the_identifier_too(client, nurse):
    page = client.get("/password/reset/code/").content.decode()
    assert 'name="identifier"' in page and 'type="hidden" name="identifier"' not in page
    assert "code reçu par SMS ou remis par le support" in page


def test_the_strength_meter_answers_only_someone_choosing_a_password(client, nurse, mail):
    assert client.post("/password/strength/", {"password": "motdepasse2026"}).status_code == 403
    mail(ask, client, NURSE)
    _open(client, mail.messages[0])
    weak = client.post("/password/strength/", {"password": "motdepasse2026"}).json()
    strong = client.post("/password/strength/", {"password": NEW_PASSWORD}).json()
    assert weak["ok"] is False and weak["problems"]
    assert strong["ok"] is True and strong["score"] >= 3


def test_the_english_pages_and_link_e_mail_say_no_french(client, nurse, mail):
    from testing.pages import french_words

    nurse.language = "en"
    nurse.save()
    sent = mail(
        client.post,
        "/en/password/reset/",
        {"identifier": NURSE, "channel": "email", "contact": "claire.perso@example.org"},
    )
    sms = client.post("/en/password/reset/", {"identifier": NURSE, "channel": "sms", "contact": "06 99 99 99 99"})
    assert "a link has just been sent there" in sent.content.decode()
    assert "a code has just been sent by text message" in sms.content.decode()
    message = mail.messages[0]
    assert message["Subject"].endswith("your password reset link")
    for html in (sent.content.decode(), sms.content.decode(), message.get_body(("html",)).get_content()):
        assert french_words(html) == []


def test_the_policy_runs_in_the_new_password_form(nurse):
    from django.utils import translation

    from recovery.forms import NewPasswordForm

    weak = NewPasswordForm(nurse, {"password": "motdepasse2026", "confirmation": "motdepasse2026"})
    current = NewPasswordForm(nurse, {"password": PASSWORD, "confirmation": PASSWORD})
    good = NewPasswordForm(nurse, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    with translation.override("fr"):  # outside a request, whatever an earlier test left active
        assert not weak.is_valid() and weak.errors["password"]
        assert not current.is_valid() and "mot de passe actuel" in str(current.errors["password"])
    assert good.is_valid()


def test_the_meter_words_come_from_the_catalogue(client, poitiers):
    french = client.get("/password/strength/mots.js")
    english = client.get("/en/password/strength/mots.js")
    assert french["Content-Type"].startswith("text/javascript") and english.status_code == 200
    assert "Password strength" in english.content.decode() and "very weak" in english.content.decode()
    assert "Password strength" not in french.content.decode()
