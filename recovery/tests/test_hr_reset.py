"""HR resets: a manager asks for a member of staff, an HR approver of the same institution
decides, the person gets the link, the manager gets the decision and nothing else."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import Event
from notify.models import Message
from recovery.models import ManagerRequest, ResetCode

from .staff_people import make, signed_in

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"
WHY = "Bloquée depuis son retour de congé maternité, plus aucun accès au mobile professionnel."
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mail(smtp_server, django_capture_on_commit_callbacks):
    class Mail:
        messages = smtp_server.messages

        def __call__(self, fn, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return fn(*args, **kwargs)

        def to(self, address):
            return [m for m in self.messages if m["To"] == address]

    return Mail()


def _file(client, identifier=NURSE, justification=WHY, document=None):
    data = {"identifier": identifier, "justification": justification}
    if document is not None:
        data["document"] = document
    return client.post("/rh/demandes/nouvelle/", data)


def _decide(client, row, decision, reason=""):
    return client.post(f"/rh/demandes/{row.pk}/", {"decision": decision, "reason": reason})


# --- Filing --------------------------------------------------------------------------------


def test_a_manager_files_a_request_with_a_document(manager, nurse, settings):
    response = _file(signed_in(manager), document=SimpleUploadedFile("arrêt de travail.pdf", PDF, "application/pdf"))
    row = ManagerRequest.objects.get()
    assert response["Location"] == f"/rh/demandes/{row.pk}/"
    assert (row.account, row.requested_by, row.status, row.justification) == (nurse, manager, "pending", WHY)
    assert row.expires_at - row.created_at == timedelta(days=7)
    # A random name under MEDIA_ROOT, the type read from the content; nothing of the sender's name.
    assert re.fullmatch(r"hr-requests/[0-9a-f]{32}\.pdf", row.document.name)
    stored = Path(settings.MEDIA_ROOT) / row.document.name
    assert stored.read_bytes() == PDF and row.document_type == "application/pdf"
    assert stored.stat().st_mode & 0o077 == 0
    event = Event.objects.get(code="hr.request.filed")
    assert (event.actor, event.subject, event.ip) == (manager, nurse, "127.0.0.1")
    assert event.data == {"request_id": row.pk, "document": True}
    assert not ResetCode.objects.exists()


def test_the_document_is_not_served_publicly(manager, nurse, hr_approver):
    _file(signed_in(manager), document=SimpleUploadedFile("x.pdf", PDF, "application/pdf"))
    name = ManagerRequest.objects.get().document.name
    for client in (Client(), signed_in(hr_approver)):
        for prefix in ("/media/", "/", "/static/"):
            assert client.get(prefix + name).status_code in (302, 404)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "application/pdf"),  # a program renamed
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("note.txt", b"hello", "text/plain"),
    ],
)
def test_only_pdf_png_and_jpeg_are_accepted_by_content(manager, nurse, name, content, content_type):
    response = _file(signed_in(manager), document=SimpleUploadedFile(name, content, content_type))
    assert response.status_code == 200
    assert "PDF, une image PNG ou une image JPEG" in response.content.decode()
    assert not ManagerRequest.objects.exists()


def test_a_document_over_five_megabytes_is_refused(manager, nurse, settings):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    response = _file(signed_in(manager), document=big)
    assert "dépasse 5 Mo" in response.content.decode()
    assert not ManagerRequest.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_png_is_accepted_and_the_document_is_optional(manager, nurse):
    _file(signed_in(manager), document=SimpleUploadedFile("scan.pdf", PNG, "application/pdf"))
    row = ManagerRequest.objects.get()
    assert row.document.name.endswith(".png") and row.document_type == "image/png"
    _file(signed_in(manager))
    assert not ManagerRequest.objects.order_by("-pk").first().document


def test_the_justification_needs_twenty_characters(manager, nurse):
    response = _file(signed_in(manager), justification="Mot de passe perdu")
    assert "au moins 20 caractères" in response.content.decode()
    assert not ManagerRequest.objects.exists()


def test_a_manager_of_another_institution_cannot_file_for_this_person(nurse):
    rector_manager = make("chef@ac-poitiers.fr", "academie", is_manager=True)
    response = _file(signed_in(rector_manager))
    assert "Aucun membre du personnel de votre établissement" in response.content.decode()
    assert not ManagerRequest.objects.exists()


def test_an_inactive_account_cannot_be_asked_for_nor_approved(manager, hr_approver, nurse):
    nurse.status = nurse.DISABLED
    nurse.save()
    assert "pas actif" in _file(signed_in(manager)).content.decode()
    assert not ManagerRequest.objects.exists()
    nurse.status = nurse.ACTIVE
    nurse.save()
    _file(signed_in(manager))
    nurse.status = nurse.DISABLED
    nurse.save()
    assert "pas actif" in _decide(signed_in(hr_approver), ManagerRequest.objects.get(), "approve").content.decode()
    assert ManagerRequest.objects.get().status == "pending" and not ResetCode.objects.exists()


def test_a_manager_cannot_file_for_themself(manager):
    response = _file(signed_in(manager), identifier=manager.identifier)
    assert "votre propre compte" in response.content.decode()
    assert not ManagerRequest.objects.exists()


# --- Deciding ------------------------------------------------------------------------------


def test_approval_sends_the_person_a_link_and_tells_the_manager(manager, hr_approver, nurse, mail):
    _file(signed_in(manager))
    row = ManagerRequest.objects.get()
    listing = signed_in(hr_approver).get("/rh/demandes/").content.decode()
    assert f"/rh/demandes/{row.pk}/" in listing
    assert mail(_decide, signed_in(hr_approver), row, "approve").status_code == 302
    row.refresh_from_db()
    assert (row.status, row.channel, row.decided_by) == ("issued", "email", hr_approver)
    assert ResetCode.objects.get().origin == "hr"

    (to_person,) = mail.to("claire.perso@example.org")
    path = re.search(
        r"http://testserver(/password/reset/lien/[^\s]+/)", to_person.get_body(("plain",)).get_content()
    ).group(1)
    assert Client().post(path)["Location"] == "/password/reset/nouveau/"

    (to_manager,) = mail.to("cadre@chu-poitiers.fr")
    assert "approuvée" in to_manager["Subject"] and NURSE in to_manager["Subject"]
    body = to_manager.get_body(("plain",)).get_content()
    assert "/password/reset/lien/" not in body and not re.search(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", body)  # nothing usable
    event = Event.objects.get(code="hr.request.approved")
    assert (event.actor, event.subject, event.data["channel"], event.data["outcome"]) == (
        hr_approver,
        nurse,
        "email",
        "issued",
    )


def test_without_an_address_the_code_goes_by_sms(manager, hr_approver, nurse):
    nurse.secondary_email_verified_at = None
    nurse.save()
    _file(signed_in(manager))
    _decide(signed_in(hr_approver), ManagerRequest.objects.get(), "approve")
    assert ManagerRequest.objects.get().channel == "sms"
    assert Message.objects.get(channel=Message.SMS).to == "+33612345678"


def test_without_a_verified_channel_the_manager_is_told_to_send_the_person_to_support(manager, hr_approver, mail):
    make("brancardier@chu-poitiers.fr")
    _file(signed_in(manager), identifier="brancardier@chu-poitiers.fr")
    row = ManagerRequest.objects.get()
    mail(_decide, signed_in(hr_approver), row, "approve")
    row.refresh_from_db()
    assert row.status == ManagerRequest.NEEDS_SUPPORT and not ResetCode.objects.exists()
    (to_manager,) = mail.to("cadre@chu-poitiers.fr")
    assert "support" in to_manager["Subject"]
    assert "se présenter au support" in to_manager.get_body(("plain",)).get_content()
    assert "se présenter au support" in signed_in(manager).get(f"/rh/demandes/{row.pk}/").content.decode()


def test_refusal_needs_a_reason_and_the_manager_reads_it(manager, hr_approver, nurse, mail):
    _file(signed_in(manager))
    row = ManagerRequest.objects.get()
    assert "motif du refus" in _decide(signed_in(hr_approver), row, "refuse").content.decode()
    mail(_decide, signed_in(hr_approver), row, "refuse", "Demande à faire par la cadre de santé du service.")
    row.refresh_from_db()
    assert row.status == "refused" and not ResetCode.objects.exists()
    (to_manager,) = mail.to("cadre@chu-poitiers.fr")
    assert "refusée" in to_manager["Subject"]
    assert "cadre de santé du service" in to_manager.get_body(("plain",)).get_content()
    assert Event.objects.get(code="hr.request.refused").actor == hr_approver


def test_the_requester_cannot_approve_their_own_request_even_as_hr_approver(manager, hr_approver, nurse):
    manager.is_hr_approver = True
    manager.save()
    client = signed_in(manager)
    _file(client)
    row = ManagerRequest.objects.get()
    assert "Approuver" not in client.get(f"/rh/demandes/{row.pk}/").content.decode()
    assert _decide(client, row, "approve").status_code == 403
    row.refresh_from_db()
    assert row.status == "pending" and not ResetCode.objects.exists()


def test_an_approver_cannot_approve_a_request_about_themself(manager, hr_approver):
    other_hr = make("rh2@chu-poitiers.fr", email="rh2.perso@example.org", is_hr_approver=True)
    _file(signed_in(manager), identifier=other_hr.identifier)
    row = ManagerRequest.objects.get()
    assert _decide(signed_in(other_hr), row, "approve").status_code == 403
    assert not ResetCode.objects.exists()
    assert _decide(signed_in(hr_approver), row, "approve").status_code == 302  # another approver may


def test_requests_expire_after_seven_days(manager, hr_approver, nurse):
    _file(signed_in(manager))
    ManagerRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    row = ManagerRequest.objects.get()
    assert (
        f"/rh/demandes/{row.pk}/"
        not in signed_in(hr_approver).get("/rh/demandes/").content.decode().split("Dernières")[0]
    )
    response = _decide(signed_in(hr_approver), row, "approve")
    assert response.status_code == 200  # no form any more, nothing done
    row.refresh_from_db()
    assert row.state() == "expired" and not ResetCode.objects.exists()


def test_a_decided_request_cannot_be_decided_again(manager, hr_approver, nurse):
    _file(signed_in(manager))
    row = ManagerRequest.objects.get()
    _decide(signed_in(hr_approver), row, "refuse", "Pas de justificatif.")
    _decide(signed_in(hr_approver), row, "approve")
    assert ManagerRequest.objects.get().status == "refused" and not ResetCode.objects.exists()


# --- The document ----------------------------------------------------------------------------


def test_the_hr_approver_downloads_the_document_and_it_is_audited(manager, hr_approver, nurse):
    _file(signed_in(manager), document=SimpleUploadedFile("x.pdf", PDF, "application/pdf"))
    row = ManagerRequest.objects.get()
    response = signed_in(hr_approver).get(f"/rh/demandes/{row.pk}/justificatif/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="demande-{row.pk}.pdf"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert Event.objects.get(code="hr.document.downloaded").actor == hr_approver


def test_only_an_hr_approver_of_the_institution_downloads_the_document(manager, hr_approver, nurse):
    _file(signed_in(manager), document=SimpleUploadedFile("x.pdf", PDF, "application/pdf"))
    path = f"/rh/demandes/{ManagerRequest.objects.get().pk}/justificatif/"
    other_hr = make("rh@ac-poitiers.fr", "academie", is_hr_approver=True)
    agent = make("agent@univ-poitiers.fr", "universite", is_support_agent=True)
    # Without the role: 403 whatever the id. With it, another institution's request: 404,
    # as for an id that does not exist. The requester sees the request, not the document.
    for someone, status in ((manager, 403), (other_hr, 404), (agent, 403), (nurse, 403)):
        assert signed_in(someone).get(path).status_code == status
    assert Client().get(path).status_code == 302
    assert not Event.objects.filter(code="hr.document.downloaded").exists()
