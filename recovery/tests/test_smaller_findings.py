"""The smaller findings: no-store on signed-in pages, the person told of a printed code,
404 for every HR request the viewer may not see."""

import pytest

from notify.models import Message
from recovery.models import ManagerRequest
from testing.personas import PASSWORD

from .staff_people import make, signed_in

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


@pytest.mark.parametrize("path", ["/services/", "/compte/connexions/", "/compte/contacts/", "/compte/securite/", "/"])
def test_every_signed_in_page_says_no_store(client, nurse, path):
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    response = client.get(path)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_an_anonymous_page_may_still_be_cached(client, poitiers):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_hr_request_ids_the_viewer_may_not_see_answer_404_like_unknown_ones(poitiers, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    nurse = make("infirmiere.rh@chu-poitiers.fr", email="claire@example.org")
    manager = make("cadre@chu-poitiers.fr", is_manager=True)
    why = "Bloquée depuis son retour de congé, plus aucun accès au mobile professionnel."
    signed_in(manager).post("/rh/demandes/nouvelle/", {"identifier": nurse.identifier, "justification": why})
    row = ManagerRequest.objects.get()
    other_hr = signed_in(make("rh@ac-poitiers.fr", "academie", is_hr_approver=True))
    assert other_hr.get(f"/rh/demandes/{row.pk}/").status_code == 404
    assert other_hr.get(f"/rh/demandes/{row.pk + 1000}/").status_code == 404
    assert other_hr.post(f"/rh/demandes/{row.pk}/", {"decision": "approve"}).status_code == 404
    assert other_hr.get(f"/rh/demandes/{row.pk}/justificatif/").status_code == 404
    own_hr = signed_in(make("rh@chu-poitiers.fr", is_hr_approver=True))
    assert own_hr.get(f"/rh/demandes/{row.pk}/").status_code == 200  # the right approver still sees it


def test_the_person_is_told_when_support_hands_over_a_printed_code(poitiers):
    nurse = make("infirmiere.p@chu-poitiers.fr", email="claire@example.org", mobile="+33612345670")
    agent = signed_in(make("agent@univ-poitiers.fr", "universite", is_support_agent=True))
    response = agent.post(
        f"/support/guichet/personne/{nurse.pk}/",
        {"proofs": ["piece-identite", "matricule"], "note": "Vue au guichet", "channel": "printed"},
    )
    assert response.status_code == 200 and "code-printed" in response.content.decode()
    notices = Message.objects.filter(purpose="recovery.printed_notice", account=nurse)
    assert sorted(notices.values_list("channel", "to")) == [("email", "claire@example.org"), ("sms", "+33612345670")]
    assert "support a remis" in notices.get(channel="email").body_text
