# ruff: noqa: E501 - user-agent strings stay whole, as browsers send them
"""The pages: the copyable table, guides in the right order, the connection test that is no
port scanner and its per-network limit, signed-in extras, English without French."""

import pytest

from institutions.models import Platform
from mailconfig import throttle

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"


def test_the_clients_page_shows_every_platforms_table(client, poitiers):
    html = client.get("/messagerie/clients/").content.decode()
    for host in ("imap.ac-poitiers.fr", "imap.univ-poitiers.fr", "pop.univ-poitiers.fr", "smtp.chu-poitiers.fr"):
        # Host names may wrap after their dots on a phone (<wbr>), never inside a label.
        assert '<code class="copyable">{}</code>'.format(host.replace(".", ".<wbr>")) in html
    assert "non confirmés par l" in html


def test_each_platform_page_includes_the_table_and_a_link_to_the_guides(client, poitiers):
    html = client.get("/plateformes/zimbra/").content.decode()
    assert '<code class="copyable">imap.<wbr>univ-poitiers.<wbr>fr</code>' in html
    assert 'href="/messagerie/clients/zimbra/"' in html


@pytest.mark.parametrize(
    ("agent", "first"),
    [
        (IPHONE, "apple-ios"),
        (WINDOWS, "outlook"),
        (ANDROID, "android-gmail"),
        (MAC, "apple-macos"),
        ("", "thunderbird"),
    ],
)
def test_the_right_guide_comes_first_and_open(client, poitiers, agent, first):
    html = client.get("/messagerie/clients/zimbra/", HTTP_USER_AGENT=agent).content.decode()
    start = html.index('<details id="guide-')
    assert html[start:].startswith(f'<details id="guide-{first}" class="guide" open>')
    assert html.count('class="guide"') == 7


def test_the_new_outlook_guide_says_plainly_where_the_mail_goes(client, poitiers):
    html = client.get("/messagerie/clients/exchange/").content.decode()
    assert "copie vos messages dans le cloud de Microsoft" in html
    assert "Il ne prend pas en charge un serveur Exchange installé dans l'établissement" in html


def test_confirmation_by_an_administrator_removes_the_unconfirmed_badge(client, poitiers):
    zimbra = Platform.objects.get(slug="zimbra")
    zimbra.confirmed_mail_servers = zimbra.mail_servers
    zimbra.save()
    assert "non confirmés" not in client.get("/messagerie/clients/zimbra/").content.decode()
    assert "non confirmés" in client.get("/messagerie/clients/convergence/").content.decode()


def test_signed_in_the_page_is_filled_with_the_persons_identifier(client, student):
    client.force_login(student)
    response = client.get("/messagerie/clients/")
    html = response.content.decode()
    assert "Réglages préparés pour etudiant@etu.univ-poitiers.fr" in html
    assert '<code class="copyable">etudiant@etu.univ-poitiers.fr</code>' in html
    assert "profil.mobileconfig?adresse=etudiant%40etu.univ-poitiers.fr" in html


def test_english_pages_carry_no_french(client, poitiers):
    html = client.get("/en/messagerie/clients/zimbra/", HTTP_USER_AGENT=WINDOWS).content.decode()
    for french in ("Réglages", "Tester ma connexion", "chiffrement", "Pas à pas", "mot de passe"):
        assert french not in html, french
    assert "Test my connection" in html


# --- the connection test is no port scanner ------------------------------------------------


def _seen_hosts(monkeypatch) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []

    def fake_check(server, **kwargs):
        from mailconfig.probes import Result

        seen.append((server.host, server.port))
        return Result(server, failure="refused")

    monkeypatch.setattr("mailconfig.probes.check", fake_check)
    return seen


def test_the_test_reaches_only_the_platforms_configured_end_points(client, poitiers, monkeypatch):
    seen = _seen_hosts(monkeypatch)
    response = client.post(
        "/messagerie/clients/zimbra/test/",
        {"host": "10.0.0.1", "port": "22", "server": "intranet.example:3306", "protocol": "ssh"},
    )
    assert response.status_code == 200
    assert sorted(seen) == [
        ("imap.univ-poitiers.fr", 993),
        ("pop.univ-poitiers.fr", 995),
        ("smtp.univ-poitiers.fr", 587),
    ]


def test_an_unknown_platform_cannot_be_tested(client, poitiers, monkeypatch):
    seen = _seen_hosts(monkeypatch)
    assert client.post("/messagerie/clients/10.0.0.1/test/").status_code == 404
    assert client.post("/messagerie/clients/zimbra/test/", {}, REQUEST_METHOD="GET").status_code in (200, 405)
    assert client.get("/messagerie/clients/zimbra/test/").status_code == 405
    assert seen == []


def test_the_test_is_limited_per_address_and_the_limit_is_said(client, poitiers, monkeypatch, settings):
    settings.GUICHET_MAILCONFIG_TESTS_PER_HOUR = 3
    settings.GUICHET_MAILCONFIG_PROBE_CACHE_SECONDS = 0  # every allowed run reaches the servers
    seen = _seen_hosts(monkeypatch)
    statuses = [client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR="192.0.2.7").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(seen) == 9  # three runs of three end points, none after the limit
    refused = client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR="192.0.2.7").content.decode()
    assert "Trop de tests depuis votre réseau" in refused
    # Someone else on another address is not locked out.
    assert client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_an_ipv6_client_counts_as_its_whole_slash_64(client, poitiers, monkeypatch, settings):
    settings.GUICHET_MAILCONFIG_TESTS_PER_HOUR = 2
    _seen_hosts(monkeypatch)
    addresses = ["2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:abcd::9"]
    statuses = [client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR=a).status_code for a in addresses]
    assert statuses == [200, 200, 429]
    assert client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_the_network_of_an_address():
    assert throttle.network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert throttle.network_of("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttle.network_of("192.0.2.1") == "192.0.2.1"
    assert throttle.network_of("n'importe quoi") == "unknown"


def test_many_concurrent_tests_from_one_address_never_exceed_the_limit(poitiers, settings):
    from concurrent.futures import ThreadPoolExecutor

    settings.GUICHET_MAILCONFIG_TESTS_PER_HOUR = 10
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda _: throttle.allow("203.0.113.5"), range(50)))
    assert allowed.count(True) == 10


def test_bad_input_never_gives_a_500(client, poitiers):
    assert client.post("/messagerie/clients/zimbra/erreur/", {"message": "\x00" * 5000}).status_code == 200
    assert client.get("/messagerie/clients/zimbra/", {"adresse": "<script>@x"}).status_code == 200
    assert client.get("/messagerie/clients/zimbra/profil.mobileconfig", {"adresse": "x" * 5000}).status_code == 200
    assert client.get("/messagerie/clients/inconnue/").status_code == 404


def test_an_oauth2_capable_platform_shows_the_guichet_client_registration(client, student):
    client.force_login(student)
    html = client.get("/messagerie/clients/zimbra/").content.decode()
    assert '<code class="copyable">thunderbird</code>' in html
    assert "/oidc/authorize/</code>" in html and "/oidc/token/</code>" in html
    assert "Identifiant du client" not in client.get("/messagerie/clients/convergence/").content.decode()


def test_the_clients_page_and_each_platform_page_carry_the_step_by_step_guides(client, poitiers):
    index = client.get("/messagerie/clients/", HTTP_USER_AGENT=IPHONE).content.decode()
    assert index[index.index('<details id="guide-') :].startswith('<details id="guide-apple-ios" class="guide" open>')
    platform = client.get("/plateformes/exchange/").content.decode()
    assert platform.count('class="guide"') == 7
    assert "copie vos messages dans le cloud de Microsoft" in platform


def test_many_addresses_together_reach_the_servers_once_a_minute_and_all_get_an_answer(client, poitiers, monkeypatch):
    seen = _seen_hosts(monkeypatch)
    pages = [client.post("/messagerie/clients/zimbra/test/", REMOTE_ADDR=f"203.0.113.{i}") for i in range(1, 40)]
    assert {p.status_code for p in pages} == {200}
    assert all("refuse la connexion" in p.content.decode() for p in pages)
    assert len(seen) == 3  # one run of the three end points, reused for everyone
