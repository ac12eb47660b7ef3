"""CAS 3.0 proxy tickets (§2.5–2.7) with python-cas, a CAS client library nobody here wrote:
PGTs reach an HTTPS callback only, proxy tickets carry their chain, and every misuse fails."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient, CASClientV3
from django.conf import settings

from accounts.models import Account
from institutions.loader import load
from institutions.models import Client, Public
from testing.personas import PASSWORD
from testing.tls import CallbackServer, make_tls

PORTAL = "https://portal.example.org/"
WEBMAIL = "https://webmail.example.org/"
ARCHIVE = "https://archive.example.org/"
CALLBACKS = [r"^https://127\.0\.0\.1:\d+/pgt-callback$"]


class ProxyValidating(CASClientV3):
    url_suffix = "p3/proxyValidate"


@pytest.fixture
def tls(tmp_path, monkeypatch):
    tls = make_tls(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca))  # Guichet trusts the test CA only
    return tls


@pytest.fixture
def world(live_server, transactional_db, tls):
    load(settings.GUICHET_SETUP_FILE)
    public = Public.objects.get(slug="academie")
    Account.objects.create_user("enseignant@ac-poitiers.fr", PASSWORD, institution=public.institution, public=public)
    for slug, service, callbacks in (
        ("portal", PORTAL, CALLBACKS),
        ("webmail", WEBMAIL, CALLBACKS),
        ("archive", ARCHIVE, []),
    ):
        Client.objects.create(
            slug=slug,
            name=slug,
            protocol="cas",
            config={"service_patterns": [f"^{re.escape(service)}"], "proxy_callback_patterns": callbacks},
        )
    return live_server.url


def _get(base: str, path: str, params: dict | None = None) -> requests.Response:
    return requests.get(f"{base}{path}", params=params, timeout=10)


def _signed_in(base: str) -> requests.Session:
    browser = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(f"{base}/login/").text).group(1)
    response = browser.post(
        f"{base}/login/",
        data={"identifier": "enseignant@ac-poitiers.fr", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    return browser


def _ticket(browser, base, service=PORTAL):
    response = browser.get(f"{base}/cas/login", params={"service": service}, allow_redirects=False)
    return parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]


def _pgt(base, browser, callback) -> str:
    portal = CASClient(version=2, server_url=f"{base}/cas/", service_url=PORTAL, proxy_callback=callback.url)
    user, _attributes, pgtiou = portal.verify_ticket(_ticket(browser, base))
    assert user == "enseignant@ac-poitiers.fr" and re.fullmatch(r"PGTIOU-[A-Za-z0-9]{32,}", pgtiou)
    return callback.received[pgtiou]


def test_a_proxy_gets_a_pgt_then_a_proxy_ticket_the_target_validates(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as callback:
        pgt = _pgt(world, browser, callback)
        assert re.fullmatch(r"PGT-[A-Za-z0-9]{32,}", pgt)
        pt = CASClient(version=3, server_url=f"{world}/cas/", service_url=WEBMAIL).get_proxy_ticket(pgt)
        assert re.fullmatch(r"PT-[A-Za-z0-9]{32,}", pt)
        target = ProxyValidating(server_url=f"{world}/cas/", service_url=WEBMAIL)
        body = target.get_verification_response(pt).decode()
        assert "<cas:user>enseignant@ac-poitiers.fr</cas:user>" in body
        assert f"<cas:proxies><cas:proxy>{callback.url}</cas:proxy></cas:proxies>" in body
        assert "<cas:isFromNewLogin>false</cas:isFromNewLogin>" in body
        assert target.verify_ticket(pt)[0] is None  # replayed


def test_proxy_chains_are_listed_most_recent_first(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as first, CallbackServer(tls) as second:
        pt = CASClient(version=3, server_url=f"{world}/cas/", service_url=WEBMAIL).get_proxy_ticket(
            _pgt(world, browser, first)
        )
        webmail = ProxyValidating(server_url=f"{world}/cas/", service_url=WEBMAIL, proxy_callback=second.url)
        _user, _attributes, pgtiou = webmail.verify_ticket(pt)
        pt2 = CASClient(version=3, server_url=f"{world}/cas/", service_url=ARCHIVE).get_proxy_ticket(
            second.received[pgtiou]
        )
        body = ProxyValidating(server_url=f"{world}/cas/", service_url=ARCHIVE).get_verification_response(pt2)
        assert f"<cas:proxy>{second.url}</cas:proxy><cas:proxy>{first.url}</cas:proxy>" in body.decode()


def test_service_validate_refuses_a_proxy_ticket(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as callback:
        pt = CASClient(version=3, server_url=f"{world}/cas/", service_url=WEBMAIL).get_proxy_ticket(
            _pgt(world, browser, callback)
        )
        body = _get(world, "/cas/serviceValidate", {"ticket": pt, "service": WEBMAIL}).text
        assert 'code="INVALID_TICKET_SPEC"' in body


def test_a_callback_over_plain_http_gets_nothing(world, tls):
    browser = _signed_in(world)
    params = {"ticket": _ticket(browser, world), "service": PORTAL, "pgtUrl": "http://127.0.0.1:9/pgt-callback"}
    body = _get(world, "/cas/serviceValidate", params).text
    assert 'code="INVALID_PROXY_CALLBACK"' in body and "PGTIOU" not in body


def test_a_callback_the_registry_does_not_allow_gets_nothing(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as callback:
        params = {"ticket": _ticket(browser, world, ARCHIVE), "service": ARCHIVE, "pgtUrl": callback.url}
        body = _get(world, "/cas/serviceValidate", params).text
        assert 'code="INVALID_PROXY_CALLBACK"' in body and not callback.received


def test_a_callback_that_fails_validates_the_ticket_without_a_pgt(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls, status=500) as callback:
        portal = CASClient(version=2, server_url=f"{world}/cas/", service_url=PORTAL, proxy_callback=callback.url)
        user, _attributes, pgtiou = portal.verify_ticket(_ticket(browser, world))
        assert user == "enseignant@ac-poitiers.fr" and pgtiou is None


def test_a_callback_with_an_untrusted_certificate_gets_nothing(world, tls, tmp_path):
    browser = _signed_in(world)
    (tmp_path / "other").mkdir()
    other = make_tls(tmp_path / "other")
    with CallbackServer(other) as callback:
        portal = CASClient(version=2, server_url=f"{world}/cas/", service_url=PORTAL, proxy_callback=callback.url)
        user, _attributes, pgtiou = portal.verify_ticket(_ticket(browser, world))
        assert user and pgtiou is None and not callback.received


def test_proxy_refuses_unknown_pgts_and_unregistered_targets(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as callback:
        pgt = _pgt(world, browser, callback)
        unknown = _get(world, "/cas/proxy", {"pgt": "PGT-" + "a" * 40, "targetService": WEBMAIL})
        assert 'code="INVALID_TICKET"' in unknown.text
        elsewhere = _get(world, "/cas/proxy", {"pgt": pgt, "targetService": "https://evil.example/"})
        assert 'code="UNAUTHORIZED_SERVICE"' in elsewhere.text
        assert 'code="INVALID_REQUEST"' in _get(world, "/cas/proxy").text


def test_a_pgt_ends_with_the_session_that_signed_in(world, tls):
    browser = _signed_in(world)
    with CallbackServer(tls) as callback:
        pgt = _pgt(world, browser, callback)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(f"{world}/services/").text)
        browser.post(f"{world}/logout/", data={"csrfmiddlewaretoken": token.group(1)}, headers={"Referer": world})
        answer = _get(world, "/cas/proxy", {"pgt": pgt, "targetService": WEBMAIL})
        assert 'code="INVALID_TICKET"' in answer.text
