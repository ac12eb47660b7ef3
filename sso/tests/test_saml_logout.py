"""Single logout: asked by a service provider (front channel), or sent by Guichet (SOAP)."""

import base64
import re
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.pack import make_soap_enveloped_saml_thingy
from saml2.saml import NameID
from saml2.samlp import STATUS_SUCCESS
from saml2.sigver import verify_redirect_signature

from accounts.models import UserSession
from audit.models import Event
from sso.models import SignOn
from sso.protocols.saml import idp as saml

from . import saml_sp
from .saml_sp import IDP, SLO, ServiceProvider


@pytest.fixture(autouse=True)
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    yield
    saml.forget()


@pytest.fixture
def sp(poitiers, client):
    service = ServiceProvider()
    service.register()
    return service.connect(client)


@pytest.fixture
def soap_sp(poitiers, client):
    """A service provider with a SOAP single logout end point, served on 127.0.0.1."""
    received = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            request = service.saml.parse_logout_request(body, BINDING_SOAP)  # checks Guichet's signature
            received.append((body, request.message))
            answer = service.saml.create_logout_response(request.message, [BINDING_SOAP])
            envelope = make_soap_enveloped_saml_thingy(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(envelope)))
            self.end_headers()
            self.wfile.write(envelope)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service = ServiceProvider(soap_logout=f"http://127.0.0.1:{server.server_port}/slo/soap")
    service.register()
    service.connect(client)
    yield service, received
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _signed_in(client):
    return client.get("/services/").status_code == 200


def test_sp_initiated_logout_over_redirect_ends_the_session_and_is_answered(client, sp, nurse):
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    request_id, url = saml_sp.logout_request(sp, answer.name_id, answer.assertion.authn_statement[0].session_index)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(SLO + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert query["RelayState"] == "bye" and query["SigAlg"].endswith("rsa-sha256")

    # What the SP does: the query's signature against Guichet's published certificate…
    idp_cert = sp.saml.metadata.certs(IDP, "idpsso", "signing")[0][1]
    assert verify_redirect_signature(query, sp.saml.sec.sec_backend, idp_cert)
    assert not verify_redirect_signature({**query, "RelayState": "other"}, sp.saml.sec.sec_backend, idp_cert)
    # …then the LogoutResponse itself.
    parsed = sp.saml.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    assert parsed.response.status.status_code.value == STATUS_SUCCESS
    assert parsed.response.in_response_to == request_id

    assert not _signed_in(client)
    assert UserSession.objects.get(account=nurse).revoked_at is not None
    assert SignOn.objects.get().ended_at is not None
    event = Event.objects.get(code="sso.saml.logout")
    assert event.data == {"client": "test-sp", "initiator": "sp", "session_ended": True}
    # The SP that asked is not told again.
    assert not Event.objects.filter(code__startswith="sso.logout.").exists()


def test_sp_initiated_logout_over_post_is_answered_with_a_signed_form(client, sp, nurse):
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    session_index = answer.assertion.authn_statement[0].session_index
    request_id, posted = saml_sp.logout_request(sp, answer.name_id, session_index, binding=BINDING_HTTP_POST)
    hop = client.post("/saml/slo/post", posted)
    assert hop.status_code == 303
    action, fields = saml_sp.form(client.get(hop["Location"]))
    assert action == SLO and fields["RelayState"] == "bye"
    assert b"SignatureValue" in base64.b64decode(fields["SAMLResponse"])
    parsed = sp.saml.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert parsed.response.status.status_code.value == STATUS_SUCCESS
    assert parsed.response.in_response_to == request_id
    assert not _signed_in(client)


def test_an_unsigned_logout_request_is_refused_and_the_session_stays(client, sp, nurse):
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    _id, url = saml_sp.logout_request(sp, answer.name_id, "whatever", sign=False)
    assert client.get(url).status_code == 400
    assert _signed_in(client)


def test_a_logout_request_for_someone_else_leaves_this_session_alone(client, sp, nurse):
    saml_sp.sign_on(client, sp, nurse.identifier)
    other = NameID(format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", text="autre@chu-poitiers.fr")
    _id, url = saml_sp.logout_request(sp, other, "whatever")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(SLO)
    assert _signed_in(client)
    assert Event.objects.get(code="sso.saml.logout").data["session_ended"] is False


def test_guichet_logout_tells_a_soap_service_provider(client, soap_sp, nurse):
    sp, received = soap_sp
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    client.post("/logout/")
    assert len(received) == 1
    body, request = received[0]
    assert "SignatureValue" in body
    assert request.name_id.text == nurse.identifier
    assert [index.text for index in request.session_index] == [answer.assertion.authn_statement[0].session_index]
    event = Event.objects.get(code="sso.saml.logout")
    assert event.data == {"client": "test-sp", "initiator": "idp", "binding": "soap", "status": "Success"}
    assert Event.objects.filter(code="sso.logout.notified").exists()


def test_guichet_logout_reaches_a_front_channel_only_provider_through_the_browser(client, sp, nurse):
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    page = client.post("/logout/")
    html = page.content.decode()
    assert page.status_code == 200 and "Déconnexion en cours" in html
    src = unescape(re.search(r'<iframe src="([^"]+)"', html).group(1))
    assert src.startswith(SLO + "?") and "Signature=" in src
    assert "https://sp.example.org" in page["Content-Security-Policy"].split("frame-src")[1]
    # The SP reads a LogoutRequest signed by Guichet (HTTP-Redirect binding), for this person.
    query = {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}
    request = sp.saml.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    assert request.name_id.text == nurse.identifier
    assert [i.text for i in request.session_index] == [answer.assertion.authn_statement[0].session_index]
    idp_cert = sp.saml.metadata.certs(IDP, "idpsso", "signing")[0][1]
    assert verify_redirect_signature(query, sp.saml.sec.sec_backend, idp_cert)
    event = Event.objects.get(code="sso.saml.logout")
    assert event.data["binding"] == "redirect" and Event.objects.filter(code="sso.logout.notified").exists()
    assert SignOn.objects.get().ended_at is not None


def _post_only(client, entity, slug):
    service = ServiceProvider(entity, post_logout_only=True)
    service.register(slug=slug)
    return service.connect(client)


def test_guichet_logout_posts_signed_logout_requests_through_every_post_only_provider(client, nurse):
    first = _post_only(client, saml_sp.ENTITY, "test-sp")
    second = _post_only(client, "https://other-sp.example.org/saml", "other-sp")
    sessions = {sp.entity_id: saml_sp.sign_on(client, sp, nurse.identifier) for sp in (first, second)}
    answer = client.post("/logout/")
    assert answer.status_code == 302 and answer["Location"].startswith("/saml/slo/redirect?chain=")
    next_url, reached = answer["Location"], []
    for _ in range(2):
        page = client.get(next_url)
        html = page.content.decode()
        assert page.status_code == 200 and "data-autosubmit" in html and "Continuer</button>" in html  # no JS needed
        assert "https://sp.example.org" in page["Content-Security-Policy"].split("form-action")[1]
        action, fields = saml_sp.form(page)
        assert action == SLO
        # Each SP reads a LogoutRequest signed by Guichet (its XML signature checked by pysaml2).
        sp = next(sp for sp in (first, second) if sp.entity_id not in reached)
        request = sp.saml.parse_logout_request(fields["SAMLRequest"], BINDING_HTTP_POST).message
        assert request.signature is not None and request.name_id.text == nurse.identifier
        session_index = sessions[sp.entity_id].assertion.authn_statement[0].session_index
        assert [i.text for i in request.session_index] == [session_index]
        reached.append(sp.entity_id)
        # The SP answers by HTTP-POST, RelayState carried back: Guichet goes on to the next one.
        response = sp.saml.create_logout_response(request, [BINDING_HTTP_POST])
        back = client.post(
            "/saml/slo/post",
            {"SAMLResponse": base64.b64encode(str(response).encode()).decode(), "RelayState": fields["RelayState"]},
        )
        assert back.status_code == 303
        next_url = back["Location"]
    assert sorted(reached) == sorted([first.entity_id, second.entity_id])
    done = client.get(next_url)
    assert done.status_code == 302 and done["Location"] == "/"  # where the logout was going
    events = Event.objects.filter(code="sso.saml.logout", data__binding="post")
    assert events.count() == 2 and Event.objects.filter(code="sso.logout.notified").count() == 2


def test_a_tampered_posted_logout_request_is_refused_by_the_provider(client, nurse):
    sp = _post_only(client, saml_sp.ENTITY, "test-sp")
    saml_sp.sign_on(client, sp, nurse.identifier)
    page = client.get(client.post("/logout/")["Location"])
    _action, fields = saml_sp.form(page)
    xml = base64.b64decode(fields["SAMLRequest"]).decode().replace(nurse.identifier, "directeur@chu-poitiers.fr")
    with pytest.raises(Exception, match="not signed correctly"):
        sp.saml.parse_logout_request(base64.b64encode(xml.encode()).decode(), BINDING_HTTP_POST)


def test_a_forged_logout_chain_is_refused(client, nurse):
    response = client.get("/saml/slo/redirect", {"chain": "forged"})
    assert response.status_code == 400
