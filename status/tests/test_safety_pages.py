"""The safety pages: the phishing page built from the set-up's real rules, « Ce lien est-il
officiel ? », and « Signaler un message suspect » with its links checked and the report
handed to the sink (an outbox message until the support desk registers its own)."""

from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from institutions.models import Institution, Platform, SafetyRules
from notify.models import Message
from status import reports

pytestmark = pytest.mark.django_db

EML = Path(__file__).parent / "data" / "lookalike.eml"


def _text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def security_contact(poitiers):
    rules = SafetyRules.objects.get(institution__slug="univ-poitiers")
    rules.security_email = "securite@univ-poitiers.fr"
    rules.save()
    return rules.security_email


@pytest.fixture
def sink():
    # The default sink (the outbox) for this test; whatever was registered comes back after.
    registered = list(reports._sink)
    reports.reset_sink()
    yield
    reports._sink[:] = registered


# --- « Reconnaître un message frauduleux » ------------------------------------------------


def test_the_phishing_page_lists_each_institutions_rules_from_the_setup(client, poitiers):
    page = _text(client.get("/securite/hameconnage/"))
    for name in ("Université de Poitiers", "Académie de Poitiers", "CHU de Poitiers"):
        assert name in page
    assert "…@univ-poitiers.fr" in page and "…@chu-poitiers.fr" in page
    assert "https://www.ac-poitiers.fr/" in page
    assert "Votre mot de passe, ni par courriel, ni par téléphone, ni par SMS" in page
    assert "univ-p0itiers.fr" in page  # the example of a forged sender, from the real domain


def test_the_phishing_page_in_english_has_no_french(client, poitiers):
    page = _text(client.get("/en/securite/hameconnage/"))
    assert "Your password, by e-mail, telephone or text message" in page
    assert "Votre mot de passe" not in page and "Vérifiez" not in page


def test_a_change_in_the_setup_shows_on_the_cached_page(client, poitiers):
    assert "phishing-rules@example.org" not in _text(client.get("/securite/hameconnage/"))
    rules = SafetyRules.objects.get(institution__slug="chu-poitiers")
    rules.sender_addresses = ["phishing-rules@example.org"]
    rules.save()
    assert "phishing-rules@example.org" in _text(client.get("/securite/hameconnage/"))


def test_a_confirmed_webmail_host_becomes_official(client, poitiers):
    page = _text(client.post("/securite/verifier-un-lien/", {"url": "https://webmail.univ-poitiers.fr/"}))
    assert "Officiel</strong>" not in page
    platform = Platform.objects.get(slug="zimbra")
    platform.confirmed_url = platform.webmail_url
    platform.save()
    page = _text(client.post("/securite/verifier-un-lien/", {"url": "https://webmail.univ-poitiers.fr/"}))
    assert "Officiel</strong>" in page


# --- « Ce lien est-il officiel ? » ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "label", "reason"),
    [
        ("https://www.univ-poitiers.fr/", "Officiel", "Ce lien mène à une page officielle"),
        ("https://univ-poitiers.fr.evil.com/", "Dangereux", "le site réel est evil.com"),
        ("https://xn--univ-pitiers-9fk.fr/", "Dangereux", "son vrai nom est xn--univ-pitiers-9fk.fr"),
        ("https://univ-poitiers.fr@evil.com/", "Dangereux", "le lien mène en réalité à evil.com"),
        ("https://bit.ly/x", "Non officiel", "raccourcisseur de liens"),
        ("javascript:alert(1)", "Adresse invalide", "« javascript: »"),
    ],
)
def test_the_link_check_page_gives_the_verdict_and_why(client, poitiers, url, label, reason):
    response = client.post("/securite/verifier-un-lien/", {"url": url})
    assert response.status_code == 200
    page = _text(response)
    assert f"<strong>{label}</strong>" in page and reason in page
    assert "<script>" not in page.split("<main", 1)[1]


def test_the_link_check_page_in_english(client, poitiers):
    page = _text(client.post("/en/securite/verifier-un-lien/", {"url": "https://univ-p0itiers.fr/"}))
    assert "<strong>Dangerous</strong>" in page and "looks like univ-poitiers.fr" in page
    assert "Dangereux" not in page


def test_an_empty_link_is_asked_again_politely(client, poitiers):
    response = client.post("/securite/verifier-un-lien/", {"url": "  "})
    assert response.status_code == 200
    assert "Collez un lien à vérifier." in _text(response)


def test_a_huge_link_is_refused_with_a_message_not_an_error(client, poitiers):
    response = client.post("/securite/verifier-un-lien/", {"url": "https://a.fr/" + "x" * 10_000})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


# --- « Signaler un message suspect » -------------------------------------------------------


def test_an_eml_with_a_lookalike_link_is_reported_and_its_links_flagged(client, security_contact, sink):
    upload = SimpleUploadedFile("quota.eml", EML.read_bytes(), content_type="message/rfc822")
    response = client.post(
        "/securite/signaler/",
        {"eml": upload, "identifier": "etudiant@etu.univ-poitiers.fr", "contact": "06 12 34 56 78"},
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Ce message contient au moins un lien dangereux" in page
    assert "univ-poitiers.fr.validation-compte.com" in page and "le site réel est validation-compte.com" in page
    assert "raccourcisseur de liens" in page  # bit.ly from the HTML part
    assert "Le domaine de l'expéditeur (univ-p0itiers.fr) n'est pas celui de vos établissements." in page
    assert "univ-p0itiers.fr ressemble à univ-poitiers.fr" in page
    # The message's HTML is never rendered: its script and tracking pixel are not on the page.
    assert 'alert("never rendered")' not in page and "tracker.example" not in page

    [message] = Message.objects.filter(purpose=reports.PURPOSE)
    assert message.to == "securite@univ-poitiers.fr"
    assert "[danger] https://univ-poitiers.fr.validation-compte.com/zimbra/login" in message.body_text
    assert "[official] https://www.univ-poitiers.fr/" in message.body_text
    assert "etudiant@etu.univ-poitiers.fr" in message.body_text and "06 12 34 56 78" in message.body_text
    assert "<a " not in message.body_html.split("<body>", 1)[1]  # links as text only


def test_a_pasted_message_with_headers_is_read_like_a_file(client, security_contact, sink):
    pasted = (
        "From: Support <support@univ-poitiers.fr.mail-secure.net>\n"
        "Subject: Action requise\n\n"
        "Connectez-vous ici : https://univ-poitiers-securite.com/login et saisissez votre mot de passe."
    )
    page = _text(client.post("/securite/signaler/", {"message": pasted, "identifier": "x@univ-poitiers.fr"}))
    assert "https://univ-poitiers-securite.com/login" in page and "ressemble à univ-poitiers.fr" in page
    assert Message.objects.get(purpose=reports.PURPOSE).to == "securite@univ-poitiers.fr"


def test_pasted_text_without_headers_still_has_its_links_checked(client, poitiers, settings, sink):
    settings.GUICHET_ADMIN_EMAILS = ["rssi@example.org"]
    page = _text(client.post("/securite/signaler/", {"message": "Cliquez hxxps://bit.ly/abc vite"}))
    assert "https://bit.ly/abc" in page
    # No institution known: the administrators receive it.
    assert Message.objects.get(purpose=reports.PURPOSE).to == "rssi@example.org"


def test_the_support_desk_of_the_institution_receives_it_without_a_security_contact(client, poitiers, sink):
    Institution.objects.filter(slug="chu-poitiers").update(support_email="support@chu-poitiers.fr")
    client.post("/securite/signaler/", {"message": "https://evil.example/", "identifier": "a@chu-poitiers.fr"})
    assert Message.objects.get(purpose=reports.PURPOSE).to == "support@chu-poitiers.fr"


def test_a_registered_sink_replaces_the_outbox(client, poitiers, sink):
    received = []

    def support_desk(*, identifier, contact, message_text, links, language, institution_slug):
        received.append((identifier, contact, links, language, institution_slug, message_text))
        return "ticket-1"

    reports.register_sink(support_desk)
    client.post(
        "/en/securite/signaler/",
        {"message": "Subject: hi\nFrom: a@b.example\n\nhttps://univ-p0itiers.fr/", "identifier": "j@ac-poitiers.fr"},
    )
    [(identifier, contact, links, language, institution, text)] = received
    assert (identifier, contact, language, institution) == ("j@ac-poitiers.fr", "", "en", "ac-poitiers")
    assert links == [("https://univ-p0itiers.fr/", "danger")]
    assert "From: a@b.example" in text
    assert not Message.objects.filter(purpose=reports.PURPOSE).exists()


def test_an_empty_report_is_refused_with_a_message(client, poitiers, sink):
    response = client.post("/securite/signaler/", {"message": "   "})
    assert response.status_code == 400
    assert "Collez le message suspect ou choisissez son fichier .eml." in _text(response)


def test_a_file_over_the_limit_is_refused_and_the_form_keeps_the_rest(client, poitiers, settings, sink):
    settings.GUICHET_STATUS_REPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.eml", b"Subject: x\n\n" + b"a" * 5000)
    response = client.post("/securite/signaler/", {"eml": upload, "identifier": "jeanne@univ-poitiers.fr"})
    assert response.status_code == 400
    page = _text(response)
    assert "Ce fichier est trop gros (1 Ko au plus)" in page and 'value="jeanne@univ-poitiers.fr"' in page
    assert not Message.objects.filter(purpose=reports.PURPOSE).exists()


def test_a_malformed_file_is_read_as_far_as_possible_never_a_500(client, poitiers, sink):
    upload = SimpleUploadedFile("junk.eml", b"\xff\xfe\x00garbage\r\n\r\n<a href='https://evil.example/'>x</a>\x00")
    response = client.post("/securite/signaler/", {"eml": upload})
    assert response.status_code == 200
    assert "https://evil.example/" in _text(response)


def test_replies_sent_elsewhere_than_the_sender_are_pointed_out(client, poitiers, sink):
    upload = SimpleUploadedFile("quota.eml", EML.read_bytes())
    page = _text(client.post("/securite/signaler/", {"eml": upload}))
    assert "Une réponse partirait vers gmail.com, pas vers univ-p0itiers.fr" in page
    assert "Expéditeur (From)" in page and "Objet (Subject)" in page
    assert "Votre boîte aux lettres sera fermée dans 24 h" in page  # the decoded subject


def test_the_report_result_in_english_has_no_french_of_ours(client, poitiers, sink):
    upload = SimpleUploadedFile("quota.eml", EML.read_bytes())
    page = _text(client.post("/en/securite/signaler/", {"eml": upload}))
    assert "Sender (From)" in page and "This message contains at least one dangerous link" in page
    assert "Dangereux" not in page and "Expéditeur" not in page


# --- nobody floods the security team ------------------------------------------------------


def _report(client, ip, text="https://univ-p0itiers.fr/"):
    return client.post("/securite/signaler/", {"message": text}, REMOTE_ADDR=ip)


def test_one_address_is_held_back_after_its_allowance_and_keeps_its_text(client, poitiers, settings, sink):
    from status.limits import PER_ADDRESS

    settings.GUICHET_ADMIN_EMAILS = ["rssi@example.org"]
    for _ in range(PER_ADDRESS):
        assert _report(client, "198.51.100.7").status_code == 200
    refused = _report(client, "198.51.100.7", "Mon message https://evil.example/")
    assert refused.status_code == 429
    page = _text(refused)
    assert "Réessayez dans une dizaine de minutes" in page and "Mon message https://evil.example/" in page
    assert Message.objects.filter(purpose=reports.PURPOSE).count() == PER_ADDRESS
    # Someone else, elsewhere, is not held back by it.
    assert _report(client, "203.0.113.9").status_code == 200


def test_ipv6_addresses_of_one_network_share_an_allowance(client, poitiers, sink):
    from status.limits import PER_ADDRESS

    for n in range(PER_ADDRESS):
        assert _report(client, f"2001:db8:1:2::{n + 1:x}").status_code == 200
    assert _report(client, "2001:db8:1:2:ffff::1").status_code == 429
    assert _report(client, "2001:db8:1:3::1").status_code == 200  # the next /64 is another network


def test_the_daily_ceiling_holds_for_everyone_together(client, poitiers, sink, monkeypatch):
    from status import limits

    monkeypatch.setattr(limits, "PER_DAY", 3)
    assert [_report(client, f"192.0.2.{n}").status_code for n in range(1, 5)] == [200, 200, 200, 429]
