"""Who reaches the support desk and the HR pages: the role, the institution, never oneself."""

import pytest

from recovery.models import ManagerRequest

from .staff_people import make, signed_in

pytestmark = pytest.mark.django_db

AGENT_PAGES = ["/support/guichet/", "/support/guichet/personne/{person}/", "/support/guichet/demandes/"]
HR_PAGES = ["/rh/demandes/", "/rh/demandes/nouvelle/", "/rh/demandes/{request}/"]


@pytest.fixture
def people(poitiers):
    nurse = make("infirmiere@chu-poitiers.fr", display_name="Claire Dubois", email="claire.perso@example.org")
    manager = make("cadre@chu-poitiers.fr", display_name="Marc Cadre", is_manager=True)
    request = ManagerRequest.objects.create(
        account=nurse,
        requested_by=manager,
        justification="Bloquée depuis son retour de congé.",
        expires_at="2999-01-01T00:00:00Z",
    )
    return {
        "nurse": nurse,
        "manager": manager,
        "agent": make("agent@univ-poitiers.fr", "universite", is_support_agent=True),
        "hr": make("rh@chu-poitiers.fr", is_hr_approver=True),
        "ids": {"person": nurse.pk, "request": request.pk},
    }


def _forbidden(response):
    return response.status_code == 403 and "Accès refusé" in response.content.decode()


def _paths(people, pages):
    return [page.format(**people["ids"]) for page in pages]


def test_anonymous_people_are_sent_to_sign_in(client, people):
    for path in _paths(people, AGENT_PAGES + HR_PAGES):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


def test_a_plain_user_gets_the_403_page(people):
    client = signed_in(people["nurse"])
    for path in _paths(people, AGENT_PAGES + HR_PAGES):
        assert _forbidden(client.get(path)), path


def test_a_support_agent_cannot_reach_hr_pages(people):
    client = signed_in(people["agent"])
    for path in _paths(people, HR_PAGES):
        assert _forbidden(client.get(path)), path


def test_an_hr_approver_cannot_reach_the_support_desk(people):
    client = signed_in(people["hr"])
    for path in _paths(people, AGENT_PAGES):
        assert _forbidden(client.get(path)), path


def test_a_manager_cannot_reach_the_support_desk(people):
    client = signed_in(people["manager"])
    for path in _paths(people, AGENT_PAGES):
        assert _forbidden(client.get(path)), path


def test_a_support_agent_cannot_decide_an_hr_request(people):
    client = signed_in(people["agent"])
    response = client.post(f"/rh/demandes/{people['ids']['request']}/", {"decision": "approve"})
    assert _forbidden(response)
    assert ManagerRequest.objects.get().status == ManagerRequest.PENDING


def test_each_role_reaches_its_own_pages(people):
    agent, hr, manager = signed_in(people["agent"]), signed_in(people["hr"]), signed_in(people["manager"])
    for path in _paths(people, AGENT_PAGES):
        assert agent.get(path).status_code == 200, path
    for path in _paths(people, HR_PAGES):
        assert hr.get(path).status_code == (403 if path.endswith("nouvelle/") else 200), path
        assert manager.get(path).status_code == 200, path


def test_english_pages_live_under_the_prefix(people):
    response = signed_in(people["agent"]).get("/en/support/guichet/")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_a_manager_of_an_institution_without_manager_resets_cannot_file(people):
    university_manager = make("chef@univ-poitiers.fr", "universite", is_manager=True)
    client = signed_in(university_manager)
    assert _forbidden(client.get("/rh/demandes/nouvelle/"))
    assert _forbidden(client.get("/rh/demandes/"))


def test_an_hr_approver_of_another_institution_cannot_open_the_request(people):
    other = make("rh@ac-poitiers.fr", "academie", is_hr_approver=True)
    client = signed_in(other)
    # 404, as for an id that does not exist: ids tell nothing about other institutions.
    assert client.get(f"/rh/demandes/{people['ids']['request']}/").status_code == 404
    assert client.post(f"/rh/demandes/{people['ids']['request']}/", {"decision": "approve"}).status_code == 404
    assert ManagerRequest.objects.get().status == ManagerRequest.PENDING


def test_a_disabled_agent_is_not_an_agent(people):
    agent = people["agent"]
    client = signed_in(agent)
    agent.status = agent.DISABLED
    agent.save(update_fields=["status"])
    response = client.get("/support/guichet/")
    assert response.status_code in (302, 403)


def test_agents_and_hr_approvers_need_a_second_factor(client, people):
    """Issue 11: a session opened with the password alone does not reach the desks."""
    for who, pages in (("agent", AGENT_PAGES), ("hr", HR_PAGES[:1])):
        client.force_login(people[who])
        for path in _paths(people, pages):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "Second facteur requis" in response.content.decode()
        # The same person, verified with a second factor, gets in.
        assert signed_in(people[who]).get(_paths(people, pages)[0]).status_code == 200
