"""The CAS server's rules, one by one, through Django's test client."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from sso.models import CasTicket
from sso.protocols.cas import rules as cas
from testing.http import next_location
from testing.personas import PASSWORD

from .conftest import SERVICE, sign_in

pytestmark = pytest.mark.django_db


def _ticket(client, service=SERVICE, **params):
    response = client.get("/cas/login", {"service": service, **params})
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]


def _validate(client, ticket, service=SERVICE, path="/cas/serviceValidate", **params):
    return client.get(path, {"ticket": ticket, "service": service, **params}).content.decode()


def test_login_without_a_session_goes_to_the_sign_in(client, teacher, cas_client):
    response = client.get("/cas/login", {"service": SERVICE})
    assert response["Location"].startswith("/login/?next=%2Fcas%2Flogin")


def test_a_ticket_is_issued_and_validates_once(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    ticket = _ticket(client)
    assert ticket.startswith("ST-")
    assert "<cas:user>enseignant@ac-poitiers.fr</cas:user>" in _validate(client, ticket)
    assert 'code="INVALID_TICKET"' in _validate(client, ticket)  # replayed


def test_a_ticket_is_bound_to_its_service(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    ticket = _ticket(client)
    assert 'code="INVALID_SERVICE"' in _validate(client, ticket, service="https://app.example.org/other/")


def test_a_ticket_expires_after_ten_seconds(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    ticket = _ticket(client)
    row = CasTicket.objects.get()
    assert row.expires_at - row.created_at == timedelta(seconds=10)
    CasTicket.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert 'code="INVALID_TICKET"' in _validate(client, ticket)


def test_tickets_are_stored_hashed(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    ticket = _ticket(client)
    assert ticket not in str(list(CasTicket.objects.values()))


def test_an_unknown_service_is_refused_plainly(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    response = client.get("/cas/login", {"service": "https://evil.example/app.example.org/"})
    assert response.status_code == 400
    assert "Application non reconnue" in response.content.decode()


def test_validation_with_missing_parameters_is_an_invalid_request(client, cas_client):
    assert 'code="INVALID_REQUEST"' in client.get("/cas/serviceValidate").content.decode()


def test_p3_releases_the_configured_attributes_only(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    body = _validate(client, _ticket(client), path="/cas/p3/serviceValidate")
    assert "<cas:mail>enseignant@ac-poitiers.fr</cas:mail>" in body
    assert "<cas:displayName>Paul Lefèvre</cas:displayName>" in body
    assert "eduPersonAffiliation" not in body


def test_proxy_validate_accepts_service_tickets(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    assert "authenticationSuccess" in _validate(client, _ticket(client), path="/cas/proxyValidate")


def test_renew_asks_for_the_password_again(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    response = client.get("/cas/login", {"service": SERVICE, "renew": "true"})
    assert response["Location"].startswith("/login/?") and "renew=1" in response["Location"]
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    signed_in = client.post(
        "/login/", {"identifier": "enseignant@ac-poitiers.fr", "password": PASSWORD, "next": next_url}
    )
    assert next_location(signed_in) == next_url
    ticket = _ticket(client, renew="true")
    assert "authenticationSuccess" in _validate(client, ticket, renew="true")


def test_renew_validation_refuses_a_single_sign_on_ticket(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    assert 'code="INVALID_TICKET"' in _validate(client, _ticket(client), renew="true")


def test_gateway_without_a_session_returns_to_the_service_without_a_ticket(client, teacher, cas_client):
    response = client.get("/cas/login", {"service": SERVICE, "gateway": "true"})
    assert response["Location"] == SERVICE


def test_a_service_not_open_to_the_persons_public_shows_the_right_door(client, student, cas_client):
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    response = client.get("/cas/login", {"service": SERVICE})
    html = response.content.decode()
    assert response.status_code == 403 and "Mauvais portail" in html and "Zimbra" in html
    assert not CasTicket.objects.exists()


def test_logout_ends_the_session_and_returns_to_an_allowed_service(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    assert client.post("/cas/logout", {"service": SERVICE})["Location"] == SERVICE
    assert client.get("/services/").status_code == 302
    assert "Vous êtes déconnecté" in client.get("/cas/logout", {"service": "https://evil.example/"}).content.decode()


def test_a_cross_site_get_of_logout_only_asks(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    response = client.get("/cas/logout", {"service": SERVICE})
    html = response.content.decode()
    assert response.status_code == 200 and '<form method="post">' in html and f'value="{SERVICE}"' in html
    assert client.get("/services/").status_code == 200  # still signed in


def test_the_logout_confirmation_never_carries_an_unknown_service(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    html = client.get("/cas/logout", {"service": "https://evil.example/"}).content.decode()
    assert 'name="service"' not in html
    assert client.post("/cas/logout", {"service": "https://evil.example/"}).status_code == 200


def test_gateway_without_a_service_is_a_page_not_an_error(client, teacher, cas_client):
    response = client.get("/cas/login", {"gateway": "1"})
    assert response.status_code == 200


def test_every_ticket_is_made_of_cas_characters_only(teacher, cas_client):
    """CAS 3.0 §3.7; mod_auth_cas ignores a ticket with `_` and loops back to /cas/login."""
    tickets = [cas.issue(cas_client, SERVICE, teacher, "", from_credentials=False) for _ in range(1000)]
    assert all(re.fullmatch(r"ST-[A-Za-z0-9-]{32,}", t) for t in tickets), [t for t in tickets if "_" in t][:3]
    assert len(set(tickets)) == 1000
    for prefix in ("PT", "PGT", "PGTIOU"):
        assert re.fullmatch(rf"{prefix}-[A-Za-z0-9]{{32,}}", cas.new_ticket(prefix))
