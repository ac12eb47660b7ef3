"""Self-service recovery by e-mail, end to end with a real SMTP server."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Throttle
from audit.models import Event
from recovery.models import ResetCode
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


def _code_and_link(message):
    body = message.get_body(("plain",)).get_content()
    code = re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", body).group(1)
    link = re.search(r"(http://testserver/password/reset/lien/[^\s]+/)", body).group(1)
    return code, link


def test_the_page_shows_the_three_paths_with_their_delays(client, poitiers):
    html = client.get("/password/reset/").content.decode()
    for delay in ("5 à 15 minutes", "30 minutes à 48 heures selon la charge", "1 à 3 jours ouvrés"):
        assert delay in html
    assert 'name="identifier"' in html and 'name="channel"' in html and 'name="contact"' in html


def test_a_code_goes_to_the_verified_secondary_address_only(client, nurse, mail):
    mail(ask, client, NURSE)
    assert [m["To"] for m in mail.messages] == ["claire.perso@example.org"]
    code, _link = _code_and_link(mail.messages[0])
    assert code in mail.messages[0]["Subject"]


def test_code_then_new_password_then_sign_in(client, nurse, mail):
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[0])
    response = client.post("/password/reset/code/", {"identifier": NURSE, "code": code})
    assert response["Location"] == "/password/reset/nouveau/"
    response = mail(client.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert "Votre mot de passe est changé" in response.content.decode()
    assert any("changé" in m["Subject"] for m in mail.messages)  # the channel is told
    fresh = Client()
    assert fresh.post("/login/", {"identifier": NURSE, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login/", {"identifier": NURSE, "password": NEW_PASSWORD})["Location"] == "/services/"


def test_the_link_confirms_by_post_so_mail_scanners_consume_nothing(client, nurse, mail):
    mail(ask, client, NURSE)
    _code, link = _code_and_link(mail.messages[0])
    path = link.removeprefix("http://testserver")
    scanner = Client()
    assert scanner.get(path).status_code == 200
    assert scanner.get(path).status_code == 200
    assert ResetCode.objects.get().ended_at is None
    assert client.post(path)["Location"] == "/password/reset/nouveau/"
    assert Client().post(path).status_code == 410  # single use


def test_codes_expire_after_ten_minutes(client, nurse, mail):
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[0])
    reset = ResetCode.objects.get()
    assert reset.expires_at - reset.created_at == timedelta(minutes=10)
    ResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/password/reset/code/", {"identifier": NURSE, "code": code})
    assert response.status_code == 200 and "incorrect, expiré" in response.content.decode()


def test_a_code_is_single_use(client, nurse, mail):
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[0])
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 302
    assert Client().post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 200


def test_five_wrong_entries_kill_the_code_not_the_link(client, nurse, mail):
    mail(ask, client, NURSE)
    code, link = _code_and_link(mail.messages[0])
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
    for _ in range(5):
        client.post("/password/reset/code/", {"identifier": NURSE, "code": wrong})
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 200
    assert ResetCode.objects.get().code_digest == ""  # the code is dead
    # The link of the same message is 256 bits nobody guesses: it still works.
    assert Client().post(link.replace("http://testserver", ""))["Location"] == "/password/reset/nouveau/"


def test_a_newer_request_invalidates_older_codes(client, nurse, mail):
    mail(ask, client, NURSE)
    mail(ask, client, NURSE)
    first, _ = _code_and_link(mail.messages[0])
    second, _ = _code_and_link(mail.messages[1])
    if first != second:
        assert client.post("/password/reset/code/", {"identifier": NURSE, "code": first}).status_code == 200
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": second}).status_code == 302
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
    assert Throttle.objects.filter(kind="account", paused_until__gt=timezone.now()).exists()
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[-1])
    client.post("/password/reset/code/", {"identifier": NURSE, "code": code})
    mail(client.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert other.get("/services/").status_code == 302
    assert not Throttle.objects.filter(kind="account").exists()
    assert Event.objects.filter(code="accounts.password.reset", subject=nurse).exists()


def test_the_new_password_page_needs_a_grant(client, nurse):
    assert client.get("/password/reset/nouveau/").status_code == 410
    response = client.post("/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert response.status_code == 410


def test_a_weak_or_current_password_is_refused_with_reasons(client, nurse, mail):
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[0])
    client.post("/password/reset/code/", {"identifier": NURSE, "code": code})
    for weak in ("motdepasse2026", PASSWORD, "court"):
        html = client.post("/password/reset/nouveau/", {"password": weak, "confirmation": weak}).content.decode()
        assert "Ce mot de passe ne convient pas" in html and weak not in html.split("</h1>", 1)[1].split("<form")[0]
    assert nurse.__class__.objects.get(pk=nurse.pk).check_password(PASSWORD)


def test_codes_are_stored_hashed(client, nurse, mail):
    mail(ask, client, NURSE)
    code, link = _code_and_link(mail.messages[0])
    row = str(list(ResetCode.objects.values()))
    assert code not in row and link.rsplit("/", 2)[-2] not in row


def test_a_code_can_be_typed_with_the_identifier_on_its_own_page(client, nurse, mail):
    page = client.get("/password/reset/code/").content.decode()
    assert 'name="identifier"' in page and 'type="hidden" name="identifier"' not in page
    mail(ask, Client(), NURSE)
    code, _link = _code_and_link(mail.messages[0])
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": code})["Location"] == (
        "/password/reset/nouveau/"
    )


def test_the_strength_meter_answers_only_someone_choosing_a_password(client, nurse, mail):
    assert client.post("/password/strength/", {"password": "motdepasse2026"}).status_code == 403
    mail(ask, client, NURSE)
    code, _link = _code_and_link(mail.messages[0])
    client.post("/password/reset/code/", {"identifier": NURSE, "code": code})
    weak = client.post("/password/strength/", {"password": "motdepasse2026"}).json()
    strong = client.post("/password/strength/", {"password": NEW_PASSWORD}).json()
    assert weak["ok"] is False and weak["problems"]
    assert strong["ok"] is True and strong["score"] >= 3
