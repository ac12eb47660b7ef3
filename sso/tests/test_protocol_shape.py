"""One shape per protocol: the same modules in every package, sign-on rows written only by
sso.actions (which audits), and, through each protocol for real, a sign-on that leaves its
audit event and a row single logout then reads."""

import ast
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from audit.models import Event
from sso import events
from sso.models import SignOn
from sso.protocols import MODULES, PROTOCOLS
from sso.protocols.saml import idp as saml
from testing.oidc import WEBMAIL, oidc_client, pkce

from . import saml_sp
from .conftest import SERVICE, sign_in

SSO = Path(__file__).resolve().parent.parent
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete"}


def _modules(package: Path) -> set[str]:
    return {p.stem for p in package.glob("*.py") if p.stem != "__init__"}


def test_every_protocol_package_has_the_same_modules():
    packages = sorted(p.parent.name for p in (SSO / "protocols").glob("*/__init__.py"))
    assert packages == sorted(PROTOCOLS)
    for name in PROTOCOLS:
        assert set(MODULES) <= _modules(SSO / "protocols" / name), name
        source = (SSO / "protocols" / name / "logout.py").read_text()
        assert "def notify(request: HttpRequest, sign_on: SignOn) -> Told:" in source, name
    # Nothing of a protocol left outside its package.
    assert not [p.name for p in SSO.glob("*.py") if p.stem.split("_")[0] in PROTOCOLS]


def _sign_on_writes(path: Path) -> list[int]:
    """Lines calling SignOn.objects.<write>(…) or <queryset of SignOn>.<write>(…)."""
    tree = ast.parse(path.read_text())
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = ast.unparse(node.func.value)
        if (node.func.attr in WRITES and "SignOn" in receiver) or (node.func.attr == "save" and "sign_on" in receiver):
            lines.append(node.lineno)
    return lines


def test_only_sso_actions_writes_sign_on_rows():
    sources = [p for p in SSO.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    writers = {str(p.relative_to(SSO)): _sign_on_writes(p) for p in sources}
    assert {name for name, lines in writers.items() if lines} == {"actions.py"}
    # And no view module names the model at all.
    views = [SSO / "views.py", *SSO.glob("protocols/*/views.py")]
    assert [str(p) for p in views if "SignOn" in p.read_text()] == []


def test_the_ast_check_would_catch_a_view_writing_rows(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "def v(r, sign_on):\n    SignOn.objects.create(sid='x')\n"
        "    SignOn.objects.filter(sid='x').update(ended_at=None)\n    sign_on.save()\n"
    )
    assert _sign_on_writes(view) == [2, 3, 4]


# --- Signing on through each protocol -------------------------------------------------------


def _oidc(client):
    webmail = oidc_client("webmail", redirect_uris=[WEBMAIL], publics=["universite"])
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    _verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": "webmail",
        "redirect_uri": WEBMAIL,
        "scope": "openid email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = client.get(f"/oidc/authorize/?{urlencode(params)}")
    assert "code" in parse_qs(urlsplit(response["Location"]).query)
    return webmail, events.OIDC_AUTHORIZE


def _saml(client):
    saml.forget()
    sp = saml_sp.ServiceProvider()
    registered = sp.register(publics=("universite",))
    sp.connect(client)
    saml_sp.sign_on(client, sp, "etudiant@etu.univ-poitiers.fr")
    return registered, events.SAML_RESPONSE


def _cas(client):
    from institutions.models import Client, Public

    cas = Client.objects.create(
        slug="app-cas",
        name="CAS",
        protocol="cas",
        config={"service_patterns": ["^https://app"], "logout_url": "http://127.0.0.1:9/"},
    )
    cas.publics.set([Public.objects.get(slug="universite")])
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    ticket = parse_qs(urlsplit(client.get("/cas/login", {"service": SERVICE})["Location"]).query)["ticket"][0]
    assert (
        b"authenticationSuccess" in client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}).content
    )
    return cas, events.CAS_VALIDATED


def _wsfed(client):
    from institutions.models import Client, Public

    realm = "https://webmail.example.org/owa/"
    wsfed = Client.objects.create(
        slug="owa", name="OWA", protocol="wsfed", config={"realm": realm, "reply_urls": [realm]}
    )
    wsfed.publics.set([Public.objects.get(slug="universite")])
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    assert client.get("/wsfed/", {"wa": "wsignin1.0", "wtrealm": realm}).status_code == 200
    return wsfed, events.WSFED_SIGNIN


def _zimbra(client):
    from django.conf import settings

    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {"etu.univ-poitiers.fr": "6b7ead4bd425836e8cf0079cd6c1a05a"}
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    assert client.get("/sso/zimbra/zimbra-webmail/").status_code == 302
    from institutions.models import Client

    return Client.objects.get(slug="zimbra-webmail"), events.ZIMBRA_PREAUTH


SIGN_ONS = {"oidc": _oidc, "saml": _saml, "cas": _cas, "wsfed": _wsfed, "zimbra": _zimbra}


@pytest.mark.django_db
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_signing_on_through_each_protocol_is_audited_and_remembered(protocol, client, student, settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    relying_party, code = SIGN_ONS[protocol](client)
    event = Event.objects.get(code=code)
    assert event.subject == student and event.data["client"] == relying_party.slug
    row = SignOn.objects.get(client=relying_party)
    assert row.sid and row.ended_at is None

    client.post("/logout/")
    row.refresh_from_db()
    assert row.ended_at is not None  # single logout read it, and every outcome is audited
    told = Event.objects.filter(code__startswith="sso.logout.", data__client=relying_party.slug)
    assert told.count() == 1
    if protocol == "zimbra":  # Zimbra offers no logout end point: recorded as not notified
        assert told.get().code == events.LOGOUT_NOT_NOTIFIED
    saml.forget()
