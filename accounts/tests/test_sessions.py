"""« Mes connexions », revocation, timeouts, and the new-device message."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.actions import sessions
from accounts.models import UserSession
from notify.models import Message
from testing.personas import TEACHER, make_person

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"
FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"


def test_mes_connexions_lists_sessions_and_the_last_attempts(client, student):
    other = Client(HTTP_USER_AGENT=FIREFOX)
    sign_in(other, STUDENT, ip="203.0.113.42")
    sign_in(client, STUDENT, "wrong")
    sign_in(client, STUDENT)
    html = client.get("/compte/connexions/").content.decode()
    assert "Firefox" in html and "203.0.113.x" in html
    assert "Connexion réussie" in html and "Mot de passe incorrect" in html
    assert html.count("Déconnecter</button>") == 1  # the other one; not this browser
    assert "Déconnecter partout" in html


def test_only_the_last_twenty_attempts_are_shown(client, student):
    for i in range(25):
        sign_in(client, STUDENT, f"wrong-{i % 3}")
    sign_in(client, STUDENT)
    html = client.get("/compte/connexions/").content.decode()
    assert html.count("<tr><td>") == 20


def test_deconnecter_ends_the_other_browser(client, student):
    other = Client()
    sign_in(other, STUDENT)
    sign_in(client, STUDENT)
    target = UserSession.objects.exclude(sid=client.session[sessions.SID]).get()
    client.post(f"/compte/connexions/{target.pk}/deconnecter/")
    assert other.get("/services/").status_code == 302
    assert client.get("/services/").status_code == 200


def test_deconnecter_partout_ends_every_session(client, student):
    other = Client()
    sign_in(other, STUDENT)
    sign_in(client, STUDENT)
    client.post("/compte/connexions/deconnecter-partout/")
    assert other.get("/services/").status_code == 302
    assert client.get("/services/").status_code == 302


def test_nobody_revokes_someone_elses_session(client, student, teacher):
    victim = Client()
    sign_in(victim, "enseignant@ac-poitiers.fr")
    sign_in(client, STUDENT)
    target = UserSession.objects.get(account=teacher)
    client.post(f"/compte/connexions/{target.pk}/deconnecter/")
    assert victim.get("/services/").status_code == 200


def _shift(client, key, seconds):
    session = client.session
    session[key] -= seconds
    session.save()


def test_an_idle_session_ends(client, student, settings):
    sign_in(client, STUDENT)
    _shift(client, sessions.SEEN_AT, settings.GUICHET_SESSION_IDLE_SECONDS + 1)
    assert client.get("/services/").status_code == 302


def test_an_active_session_still_ends_at_the_absolute_limit(client, student, settings):
    sign_in(client, STUDENT)
    _shift(client, sessions.LOGIN_AT, settings.SESSION_COOKIE_AGE + 1)
    assert client.get("/services/").status_code == 302


def test_a_new_device_is_told_by_mail_to_the_secondary_address(
    client, student, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, STUDENT)
    assert [m["To"] for m in smtp_server.messages] == ["jeanne.perso@example.org"]
    mail = smtp_server.messages[0]
    assert "Nouvelle connexion" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "/compte/connexions/" in body
    # The same browser again: no second message.
    client.post("/logout/")
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, STUDENT)
    assert len(smtp_server.messages) == 1


def test_with_smtp_down_the_message_waits_in_the_outbox_and_goes_out_once(
    client, student, smtp_server, django_capture_on_commit_callbacks
):
    from notify.actions import sweep

    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, STUDENT)
    message = Message.objects.get(purpose="accounts.new_device")
    assert message.status == "queued" and message.attempts == 1
    smtp_server.start()
    later = timezone.now() + timedelta(hours=2)
    sweep(now=later)
    sweep(now=later)
    assert len(smtp_server.messages) == 1
    assert Message.objects.get(pk=message.pk).status == "sent"


@pytest.fixture
def teacher_without_secondary_address(poitiers):
    return make_person(TEACHER, "academie", display_name="Paul Lefèvre")


def test_no_message_without_a_verified_secondary_address(
    client, teacher_without_secondary_address, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, "enseignant@ac-poitiers.fr")
    assert smtp_server.messages == [] and not Message.objects.exists()
