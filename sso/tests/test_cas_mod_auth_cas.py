"""Apache's mod_auth_cas (Debian's libapache2-mod-auth-cas), a CAS client nobody here wrote,
signs people in through Guichet 200 times in a row for CAS 1, 2 and 3 — each time in exactly
three redirects (to /cas/login, back with the ticket, the ticket taken off the address).

Before tickets were limited to [A-Za-z0-9-], about half of them held `_`: mod_auth_cas
ignored those and sent the browser back to /cas/login for another, an extra round trip."""

import re

import pytest
import requests
from django.conf import settings

from accounts.models import Account
from institutions.loader import load
from institutions.models import Client, Public
from sso.models import CasTicket
from testing.apache import ApacheCas
from testing.personas import PASSWORD

SIGN_INS = 200


@pytest.fixture
def apache(live_server, transactional_db):
    load(settings.GUICHET_SETUP_FILE)
    public = Public.objects.get(slug="academie")
    Account.objects.create_user(
        "enseignant@ac-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        display_name="Paul Lefèvre",
    )
    Client.objects.create(
        slug="apache-app",
        name="Application Apache",
        protocol="cas",
        config={"service_patterns": [r"^http://127\.0\.0\.1:\d+/app/"], "attributes": ["mail", "displayName"]},
    )
    with ApacheCas(live_server.url) as server:
        yield server


def _signed_in(apache: ApacheCas) -> requests.Session:
    browser = requests.Session()
    browser.trust_env = False  # the test CA, not REQUESTS_CA_BUNDLE from the environment
    browser.verify = str(apache.tls.ca)
    page = browser.get(f"{apache.front}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        f"{apache.front}/login/",
        data={"identifier": "enseignant@ac-poitiers.fr", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{apache.front}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[-500:]
    return browser


def _forget_the_application_session(browser: requests.Session) -> None:
    for cookie in list(browser.cookies):
        if cookie.name.startswith("MOD_AUTH_CAS"):
            browser.cookies.clear(cookie.domain, cookie.path, cookie.name)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_200_sign_ins_in_a_row_with_no_extra_redirect(apache, version):
    browser = _signed_in(apache)
    url = apache.app_url(version)
    redirects = []
    for _ in range(SIGN_INS):
        _forget_the_application_session(browser)
        page = browser.get(url, timeout=10)
        assert page.status_code == 200, apache.errors()[-2000:]
        assert "user=enseignant@ac-poitiers.fr" in page.text
        redirects.append(len(page.history))
    assert redirects == [3] * SIGN_INS, apache.errors()[-2000:]
    assert CasTicket.objects.filter(used_at__isnull=False).count() == SIGN_INS


def test_an_application_not_in_the_registry_gets_no_ticket(apache):
    Client.objects.filter(slug="apache-app").update(config={"service_patterns": [r"^https://elsewhere\.example/"]})
    page = _signed_in(apache).get(apache.app_url(2), timeout=10)
    assert page.status_code == 400 and "Application non reconnue" in page.text
    assert not CasTicket.objects.exists()
