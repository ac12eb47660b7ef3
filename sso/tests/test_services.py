"""« Mes services »: what the person may open, their own platform first."""

import pytest

from institutions.models import Client, Public

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_student_sees_zimbra_first_and_not_the_other_platforms(client, student):
    Client.objects.create(
        slug="ent", name="Environnement numérique", protocol="oidc", launch_url="https://ent.example.org/"
    )
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    html = client.get("/services/").content.decode()
    assert html.index("Zimbra") < html.index("Environnement numérique")
    assert 'href="/sso/zimbra/zimbra-webmail/"' in html
    assert "Convergence" not in html and "Outlook sur le web" not in html


def test_a_client_limited_to_another_public_is_not_listed(client, student):
    limited = Client.objects.create(
        slug="rh", name="Portail RH du CHU", protocol="oidc", launch_url="https://rh.example.org/"
    )
    limited.publics.set([Public.objects.get(slug="chu")])
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    assert "Portail RH du CHU" not in client.get("/services/").content.decode()


def test_a_teacher_sees_convergence_first(client, teacher):
    sign_in(client, "enseignant@ac-poitiers.fr")
    html = client.get("/services/").content.decode()
    assert "Convergence" in html and "Zimbra" not in html
