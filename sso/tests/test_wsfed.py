"""WS-Federation passive for Exchange, accepted by passport-wsfed-saml2 (npm), a relying
party nobody here wrote: the shipped Poitiers set-up registers Outlook on the web this way."""

import base64
import json
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from lxml import etree
from signxml import XMLVerifier

from audit.models import Event
from institutions.models import Client
from sso.models import ImmutableId
from sso.protocols.wsfed import rules as wsfed

from . import saml_sp

pytestmark = pytest.mark.django_db
OWA = "https://webmail.chu-poitiers.fr/owa/"
RP_SCRIPT = Path(__file__).resolve().parent.parent.parent / "testing" / "wsfed_rp.js"
PASSWORD = saml_sp.PASSWORD


@pytest.fixture(scope="module")
def idp_files():
    return saml_sp.keypair("wsfed-idp")


@pytest.fixture(autouse=True)
def idp_keys(settings, idp_files):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = idp_files


def _signed_in(client, identifier="infirmiere@chu-poitiers.fr"):
    assert client.post("/login/", {"identifier": identifier, "password": PASSWORD}).status_code == 302


def _signin(client, **params):
    return client.get("/wsfed/", {"wa": "wsignin1.0", "wtrealm": OWA, **params})


def _form(response) -> tuple[str, dict[str, str]]:
    html = response.content.decode()
    action = unescape(re.search(r'<form method="post" action="([^"]+)" data-autosubmit', html).group(1))
    fields = {name: unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', html)}
    return action, fields


def relying_party(wresult: str, *, realm=OWA, thumbprint=None, wctx="") -> dict:
    given = {
        "wresult": wresult,
        "wctx": wctx,
        "realm": realm,
        "issuer": "http://testserver/wsfed/",
        "thumbprint": thumbprint or wsfed.thumbprint(),
        "recipient": OWA,
    }
    done = subprocess.run(
        ["node", str(RP_SCRIPT)],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_outlook_on_the_web_gets_a_token_the_relying_party_accepts(client, nurse):
    _signed_in(client)
    response = _signin(client, wctx="rm=0&id=passive&ru=%2fowa%2f")
    action, fields = _form(response)
    assert response.status_code == 200 and action == OWA
    assert fields["wa"] == "wsignin1.0" and fields["wctx"] == "rm=0&id=passive&ru=%2fowa%2f"
    result = relying_party(fields["wresult"], wctx=fields["wctx"])
    assert result["ok"], result
    profile = result["profile"]
    # What Exchange's claims-based authentication maps: the UPN (and the primary SID, below).
    assert profile[wsfed.UPN] == "infirmiere@chu-poitiers.fr"
    assert profile["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"] == "Claire Dubois"
    assert "AudienceRestrictionCondition><saml:Audience>https://webmail.chu-poitiers.fr/owa/<" in fields["wresult"]
    assert Event.objects.filter(code="sso.wsfed.signin").exists()
    # A database account: the immutable ID sso keeps (Entra ID's shape), no made-up primary SID.
    immutable = ImmutableId.objects.get(account=nurse).value
    assert profile[wsfed.IMMUTABLE_ID] == immutable and len(base64.b64decode(immutable)) == 16
    assert wsfed.PRIMARY_SID not in profile


def test_a_saml2_token_is_accepted_too(client, nurse):
    Client.objects.filter(slug="outlook-web").update(config={"realm": OWA, "reply_urls": [OWA], "token": "saml2"})
    _signed_in(client)
    _action, fields = _form(_signin(client))
    assert "urn:oasis:names:tc:SAML:2.0:assertion" in fields["wresult"]
    result = relying_party(fields["wresult"])
    assert result["ok"], result
    assert result["profile"][wsfed.UPN] == "infirmiere@chu-poitiers.fr"


def test_a_tampered_token_is_refused(client, nurse):
    _signed_in(client)
    _action, fields = _form(_signin(client))
    forged = fields["wresult"].replace("infirmiere@chu-poitiers.fr", "directeur@chu-poitiers.fr")
    assert forged != fields["wresult"]
    result = relying_party(forged)
    assert not result["ok"] and "signature" in result["error"].lower()


def test_a_token_signed_by_another_key_is_refused(client, nurse):
    _signed_in(client)
    _action, fields = _form(_signin(client))
    result = relying_party(fields["wresult"], thumbprint="0" * 40)
    assert not result["ok"] and "thumbprint" in result["error"].lower()


def test_a_token_for_another_realm_is_refused_by_the_relying_party(client, nurse):
    _signed_in(client)
    _action, fields = _form(_signin(client))
    result = relying_party(fields["wresult"], realm="https://webmail.chu-poitiers.fr/ecp/")
    assert not result["ok"] and "audience" in result["error"].lower()


def test_primary_sid_and_upn_come_from_the_directory_entry(nurse):
    from accounts.directories.ldap import LdapDirectory

    sid = bytes([1, 5, 0, 0, 0, 0, 0, 5]) + b"".join(
        n.to_bytes(4, "little") for n in (21, 1004336348, 1177238915, 682003330, 1105)
    )
    entry = LdapDirectory(nurse.institution, url="ldap://unused")._entry(
        {"mail": ["infirmiere@chu-poitiers.fr"], "userPrincipalName": ["cmartin@chu.local"], "objectSid": [sid]},
        "infirmiere@chu-poitiers.fr",
    )
    assert (entry.upn, entry.sid) == ("cmartin@chu.local", "S-1-5-21-1004336348-1177238915-682003330-1105")
    claims = wsfed.Claims(upn=entry.upn, primary_sid=entry.sid)
    wresult = wsfed.response("http://testserver/wsfed/", OWA, claims, nurse.created_at, recipient=OWA)
    result = relying_party(wresult)
    assert result["ok"], result
    assert result["profile"][wsfed.PRIMARY_SID] == "S-1-5-21-1004336348-1177238915-682003330-1105"
    assert result["profile"][wsfed.UPN] == "cmartin@chu.local"


def test_an_unknown_realm_is_refused_plainly(client, nurse):
    _signed_in(client)
    response = _signin(client, wtrealm="https://evil.example/")
    assert response.status_code == 400 and "Application non reconnue" in response.content.decode()
    assert "wresult" not in response.content.decode()


def test_a_wrong_wreply_is_refused_plainly(client, nurse):
    _signed_in(client)
    response = _signin(client, wreply="https://evil.example/owa/")
    assert response.status_code == 400 and "wresult" not in response.content.decode()


def test_without_a_session_the_person_signs_in_first(client, nurse):
    response = _signin(client)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=%2Fwsfed%2F")


def test_a_person_of_another_public_gets_the_right_door(client, poitiers):
    saml_sp.person("universite", "etudiant@etu.univ-poitiers.fr")
    _signed_in(client, "etudiant@etu.univ-poitiers.fr")
    response = _signin(client)
    assert response.status_code == 403 and "Mauvais portail" in response.content.decode()


def test_wsignout_by_get_only_asks_then_the_post_signs_out(client, nurse):
    _signed_in(client)
    asked = client.get("/wsfed/", {"wa": "wsignout1.0", "wtrealm": OWA, "wreply": OWA})
    assert asked.status_code == 200 and '<form method="post">' in asked.content.decode()
    assert client.get("/services/").status_code == 200
    done = client.post("/wsfed/", {"wa": "wsignout1.0", "wtrealm": OWA, "wreply": OWA})
    assert done.status_code == 302 and done["Location"] == OWA
    assert client.get("/services/").status_code == 302


def test_wsignout_never_returns_to_an_unregistered_address(client, nurse):
    _signed_in(client)
    done = client.post("/wsfed/", {"wa": "wsignout1.0", "wtrealm": OWA, "wreply": "https://evil.example/"})
    assert done.status_code == 200 and "Vous êtes déconnecté" in done.content.decode()


def test_federation_metadata_is_signed_and_names_the_passive_end_point(client, idp_files):
    response = client.get("/FederationMetadata/2007-06/FederationMetadata.xml")
    assert response.status_code == 200
    cert = Path(idp_files[1]).read_text()
    verified = XMLVerifier().verify(response.content, x509_cert=cert).signed_xml
    ns = {"fed": "http://docs.oasis-open.org/wsfed/federation/200706", "wsa": wsfed.NS["wsa"]}
    passive = verified.find(".//fed:PassiveRequestorEndpoint/wsa:EndpointReference/wsa:Address", ns)
    assert passive.text == "http://testserver/wsfed/"
    claims = {
        node.get("Uri") for node in verified.iter("{http://docs.oasis-open.org/wsfed/authorization/200706}ClaimType")
    }
    assert {wsfed.UPN, wsfed.PRIMARY_SID} <= claims
    assert etree.QName(verified).localname == "EntityDescriptor"
