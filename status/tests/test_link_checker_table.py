"""« Ce lien est-il officiel ? » on a table of real and forged links: « officiel » only for an
exact official host over https, and every trick named for what it is."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from status.linkcheck import CAUTION, DANGER, INVALID, OFFICIAL, check

HOSTS = frozenset(
    {
        "www.univ-poitiers.fr",
        "univ-poitiers.fr",
        "www.ac-poitiers.fr",
        "ac-poitiers.fr",
        "www.chu-poitiers.fr",
        "chu-poitiers.fr",
        "webmail.univ-poitiers.fr",
    }
)

# (link, verdict, a finding code that must be among the reasons or None)
TABLE = [
    # Real official addresses pass.
    ("https://www.univ-poitiers.fr/", OFFICIAL, None),
    ("https://univ-poitiers.fr/", OFFICIAL, None),
    ("https://www.ac-poitiers.fr/pid29881/contacts.html", OFFICIAL, None),
    ("https://www.chu-poitiers.fr/offres-emploi/?page=2", OFFICIAL, None),
    ("https://webmail.univ-poitiers.fr/#1", OFFICIAL, None),
    ("www.univ-poitiers.fr/formation", OFFICIAL, None),
    ("  https://WWW.UNIV-POITIERS.FR/  ", OFFICIAL, None),
    ("https://www.univ-poitiers.fr./", OFFICIAL, None),
    ("https://www.univ-poitiers.fr:443/", OFFICIAL, None),
    ("https://www.univ-poitiers.fr/?next=https://www.ac-poitiers.fr/", OFFICIAL, None),
    ("https://www.univ-poitiers.fr/recherche?q=messagerie+zimbra", OFFICIAL, None),
    # Official name as decoration of another domain.
    ("https://univ-poitiers.fr.evil.com/login", DANGER, "embedded"),
    ("https://www.univ-poitiers.fr.secure-login.net/", DANGER, "embedded"),
    ("https://univ-poitiers.fr-login.com/", DANGER, "embedded"),
    ("https://univ-poitiers-fr.webmail-verif.com/", DANGER, "embedded"),
    ("https://webmail.chu-poitiers.fr.owa-auth.io/owa/", DANGER, "embedded"),
    # Look-alike spellings.
    ("https://univ-p0itiers.fr/", DANGER, "lookalike"),
    ("https://www.univ-poiters.fr/", DANGER, "lookalike"),
    ("https://univpoitiers.fr/", DANGER, "lookalike"),
    ("https://www.chu-poitlers.fr/", DANGER, "lookalike"),
    ("https://www.ac-poitiers.com/", DANGER, "lookalike"),
    ("https://univ-poitiers-securite.com/", DANGER, "lookalike"),
    ("https://www.uinv-poitiers.fr/", DANGER, "lookalike"),
    ("https://ac-poltiers.fr/", DANGER, "lookalike"),
    # IDN homographs, typed in Unicode or as Punycode: both forms shown.
    ("https://www.univ-pоitiers.fr/", DANGER, "homograph"),  # Cyrillic о
    ("https://xn--univ-pitiers-9fk.fr/", DANGER, "homograph"),
    ("https://www.сhu-poitiers.fr/", DANGER, "homograph"),  # Cyrillic с
    ("https://аc-poitiers.fr/", DANGER, "homograph"),  # Cyrillic а
    # Userinfo and parser tricks.
    ("https://univ-poitiers.fr@evil.com/", DANGER, "userinfo"),
    ("https://www.univ-poitiers.fr:motdepasse@phish.example/", DANGER, "userinfo"),
    ("https://evil.com\\@univ-poitiers.fr/", DANGER, "name_elsewhere"),
    ("https://evil.com/univ-poitiers.fr/login", DANGER, "name_elsewhere"),
    ("https:\\\\evil.com\\www.univ-poitiers.fr", DANGER, "name_elsewhere"),
    # http instead of https, odd ports, raw IP addresses.
    ("http://www.univ-poitiers.fr/", DANGER, "not_https"),
    ("http://webmail.univ-poitiers.fr/", DANGER, "not_https"),
    ("https://www.univ-poitiers.fr:8443/", DANGER, "port"),
    ("https://192.0.2.10/webmail/", DANGER, "ip_address"),
    ("https://[2001:db8::1]/owa/", DANGER, "ip_address"),
    # Open redirects on official hosts.
    ("https://www.univ-poitiers.fr/redirect?url=https://evil.com/", DANGER, "open_redirect"),
    ("https://www.ac-poitiers.fr/out?next=%2F%2Fevil.com%2Flogin", DANGER, "open_redirect"),
    ("https://www.chu-poitiers.fr/go?to=https%253A%252F%252Fevil.com", DANGER, "open_redirect"),
    ("https://webmail.univ-poitiers.fr/#return=https://phish.example/", DANGER, "open_redirect"),
    # Shorteners hide where they lead.
    ("https://bit.ly/3xYzAbC", CAUTION, "shortener"),
    ("https://tinyurl.com/univ-poitiers", CAUTION, "shortener"),
    ("https://t.co/abc", CAUTION, "shortener"),
    # Not official, nothing imitated.
    ("https://www.google.com/", CAUTION, "unofficial"),
    ("https://www.service-public.fr/", CAUTION, "unofficial"),
    ("https://intranet.univ-poitiers.fr/", CAUTION, "same_domain"),
    ("https://ent.univ-poitiers.fr/login", CAUTION, "same_domain"),
    # Not web addresses.
    ("javascript:alert(document.cookie)", INVALID, "scheme"),
    ("data:text/html;base64,PHNjcmlwdD4=", INVALID, "scheme"),
    ("file:///etc/passwd", INVALID, "scheme"),
    ("", INVALID, "empty"),
    ("https://", INVALID, "invalid"),
]


def test_the_table_is_long_enough():
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("url", "verdict", "code"), TABLE, ids=[row[0][:60] or "empty" for row in TABLE])
def test_each_link_gets_its_verdict_and_reason(url, verdict, code):
    result = check(url, HOSTS)
    assert result.verdict == verdict, (url, result)
    if code:
        assert code in result.codes, (url, result.findings)
    if verdict == OFFICIAL:
        assert result.findings == ()


def test_a_homograph_shows_its_punycode_and_what_it_imitates():
    result = check("https://www.univ-pоitiers.fr/", HOSTS)
    punycode = next(f for f in result.findings if f.code == "punycode")
    assert punycode.params["ascii"] == "www.xn--univ-pitiers-9fk.fr"
    assert result.host == "www.xn--univ-pitiers-9fk.fr"
    assert any(f.code == "lookalike" and f.params["official"] == "univ-poitiers.fr" for f in result.findings)


def test_userinfo_names_the_real_host():
    result = check("https://univ-poitiers.fr@evil.com/", HOSTS)
    finding = next(f for f in result.findings if f.code == "userinfo")
    assert finding.params == {"shown": "univ-poitiers.fr", "host": "evil.com"}


def test_an_official_host_is_official_only_when_listed():
    assert check("https://www.univ-poitiers.fr/", {"univ-poitiers.fr"}).verdict == CAUTION
    assert check("https://www.univ-poitiers.fr/", set()).verdict == CAUTION


@given(st.text(max_size=200))
def test_any_input_gets_a_verdict_and_never_raises(text):
    assert check(text, HOSTS).verdict in (OFFICIAL, CAUTION, DANGER, INVALID)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_only_exact_official_hosts_are_official(label):
    result = check(f"https://{label}.fr/", HOSTS)
    if result.official:
        assert result.host in HOSTS
