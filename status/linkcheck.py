"""« Ce lien est-il officiel ? » — a pure judgement of one URL, no network, no database.

A link is « officiel » only when its host is exactly one of the configured official hosts,
over https, on the default port, with nothing that hides or forwards elsewhere. Everything
else gets a verdict and the reasons, worded for people in status/views_safety.py:

- DANGER: a trick was found (look-alike name, official name inside another domain, IDN
  homograph, userinfo before the real host, an official page forwarding elsewhere…);
- CAUTION: not an official page, and nothing that imitates one (shorteners land here too,
  since where they go cannot be known without following them — which we never do);
- INVALID: not a web address at all.

Parsing follows what browsers do before anything else (WHATWG URL): surrounding spaces,
tabs and newlines are dropped and « \\ » counts as « / », so `https://evil.com\\@official`
is judged as the browser would open it, not as urllib alone would read it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import idna
import tldextract
from confusable_homoglyphs import confusables

OFFICIAL, CAUTION, DANGER, INVALID = "official", "caution", "danger", "invalid"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

MAX_LENGTH = 4000

# Public link shorteners: where they lead is only known by following them.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "tiny.cc",
        "lnkd.in",
        "s.id",
        "rb.gy",
        "t.ly",
        "bl.ink",
        "qrco.de",
        "shorturl.fr",
        "urlz.fr",
        "gg.gg",
        "tr.im",
        "x.co",
        "surl.li",
        "shorter.me",
        "lstu.fr",
        "frama.link",
    }
)

# Letters and digits people misread for one another, in plain ASCII (Unicode look-alikes are
# the confusables library's job): a name equal to an official one after this is a forgery.
_ASCII_SKELETON = str.maketrans({"0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "7": "t", "4": "a", "8": "b"})


@dataclass(frozen=True)
class Finding:
    code: str
    # Values for the sentence, e.g. {"official": "univ-poitiers.fr", "target": "evil.com"}.
    params: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))


@dataclass(frozen=True)
class Verdict:
    url: str
    verdict: str
    host: str = ""  # ASCII (Punycode) form: what the browser really asks DNS for
    display_host: str = ""  # Unicode form, as the person sees it
    findings: tuple[Finding, ...] = ()

    @property
    def official(self) -> bool:
        return self.verdict == OFFICIAL

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The suffix list bundled with the package: nothing is downloaded, nothing written.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def registered_domain(host: str) -> str:
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix or host


def _browser_clean(raw: str) -> str:
    # WHATWG: strip leading/trailing C0 controls and spaces, remove tabs and newlines anywhere.
    text = raw.strip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x1f")
    text = "".join(ch for ch in text if ch not in "\t\n\r")
    return text


def _ascii_host(host: str) -> tuple[str, str]:
    """(Punycode, Unicode) forms of a host; ValueError when it is not a valid name."""
    host = host.rstrip(".").lower()
    if not host:
        raise ValueError("empty host")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host, host
    except ValueError:
        pass
    if host.isascii():
        ascii_host = host
        try:
            display = idna.decode(host) if "xn--" in host else host
        except idna.IDNAError:
            # Punycode that IDNA 2008 refuses (mixed scripts…): still show what it spells.
            display = host.encode("ascii").decode("idna")
    else:
        display = host
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            ascii_host = host.encode("idna").decode("ascii")
    return ascii_host, display


def _distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: one typo, one swapped pair, one letter more or less."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _latin_skeleton(text: str) -> str:
    """Each character that imitates a Latin one replaced by it (Cyrillic « о » → « o »)."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=False)
        latin = [h["c"] for h in found[0]["homoglyphs"] if h["c"].isascii()] if found else []
        out.append(latin[0].lower() if latin else ch)
    return "".join(out)


def _imitated(display_host: str, ascii_host: str, official_domains: set[str]) -> str:
    """The official domain this host's own registered name imitates, or ''."""
    own = registered_domain(ascii_host)
    if own in official_domains:
        return ""
    own_display = registered_domain(display_host) if not display_host.isascii() else own
    candidates = {own_display, _latin_skeleton(own_display)}
    label = own_display.split(".")[0]
    for official in official_domains:
        off_label = official.split(".")[0]
        for name in candidates:
            if name == official:
                return official
            name_label = name.split(".")[0]
            skeleton = name_label.translate(_ASCII_SKELETON)
            if skeleton == off_label.translate(_ASCII_SKELETON) and name_label != off_label:
                return official
            if len(off_label) >= 6 and _distance(name_label, off_label) <= 2:
                return official
        # The official name with words around it: univ-poitiers-securite.com, secure-chu-poitiers.net.
        if len(off_label) >= 6 and off_label in label:
            return official
    return ""


def _embedded(ascii_host: str, official_hosts: set[str], official_domains: set[str]) -> str:
    """An official name standing inside another domain: univ-poitiers.fr.evil.com."""
    own = registered_domain(ascii_host)
    if own in official_domains:
        return ""
    for official in sorted(official_hosts | official_domains, key=len, reverse=True):
        # univ-poitiers.fr.evil.com, univ-poitiers.fr-login.com, univ-poitiers-fr.evil.com
        if official in ascii_host or official.replace(".", "-") in ascii_host:
            return official
    return ""


def _redirect_targets(query: str, fragment: str) -> list[str]:
    """Values in the query or fragment that are themselves web addresses."""
    found = []
    for part in (query, fragment):
        for _name, value in parse_qsl(part, keep_blank_values=True):
            # Double-encoded values are a classic way past filters: decode a few times.
            for _ in range(3):
                decoded = unquote(value)
                if decoded == value:
                    break
                value = decoded
            candidate = _browser_clean(value).replace("\\", "/")
            lowered = candidate.lower()
            if lowered.startswith(("http://", "https://", "//")):
                found.append(candidate if not lowered.startswith("//") else "https:" + candidate)
    return found


# Findings that make a link dangerous wherever it leads; plain HTTP or an odd port only on an
# official host (someone between the person and the real page), elsewhere they are expected.
_DANGEROUS = frozenset(
    {"userinfo", "homograph", "ip_address", "embedded", "lookalike", "name_elsewhere", "open_redirect"}
)
_DANGEROUS_ON_OFFICIAL = frozenset({"not_https", "port"})


def check(raw: str, official_hosts: set[str] | frozenset[str], *, _depth: int = 0) -> Verdict:
    """Judge one pasted link against the set of official host names (ASCII, lower-case)."""
    text = _browser_clean(raw or "")[:MAX_LENGTH]
    if not text:
        return Verdict(url="", verdict=INVALID, findings=(Finding("empty"),))
    hosts = {h.lower().rstrip(".") for h in official_hosts}
    domains = {registered_domain(h) for h in hosts}
    normalised = _with_scheme(text)
    if isinstance(normalised, Verdict):
        return normalised
    try:
        parts = urlsplit(normalised)
        port = parts.port
        ascii_host, display_host = _ascii_host(unquote(parts.hostname or ""))
    except (ValueError, UnicodeError):
        return Verdict(url=text, verdict=INVALID, findings=(Finding("invalid"),))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return Verdict(url=text, verdict=INVALID, findings=(Finding("scheme", {"scheme": scheme}),))

    findings = _disguise_findings(parts, ascii_host, display_host)
    exact = ascii_host in hosts
    if not exact and not _is_ip(ascii_host):
        findings += _name_findings(normalised, parts, ascii_host, display_host, hosts, domains)
    if scheme == "http":
        findings.append(Finding("not_https", {"host": display_host}))
    if port is not None and port != (443 if scheme == "https" else 80):
        findings.append(Finding("port", {"port": str(port)}))
    findings += _redirect_findings(parts, hosts, _depth)

    codes = {f.code for f in findings}
    if codes & _DANGEROUS or (exact and codes & _DANGEROUS_ON_OFFICIAL):
        verdict = DANGER
    elif exact and not findings:
        verdict = OFFICIAL
    else:
        verdict = CAUTION
    return Verdict(
        url=text, verdict=verdict, host=ascii_host, display_host=display_host, findings=tuple(dict.fromkeys(findings))
    )


def _with_scheme(text: str) -> str | Verdict:
    """The address as a browser reads it, scheme first; a Verdict when it is no web address."""
    normalised = text.replace("\\", "/")
    head = _SCHEME.match(normalised)
    if normalised.startswith("//"):
        return "https:" + normalised
    if head and not normalised[head.end() :][:1].isdigit():
        scheme = head.group(1).lower()
        if scheme not in ("http", "https"):
            # javascript:, data:, file:, mailto:… — not a page address.
            return Verdict(url=text, verdict=INVALID, findings=(Finding("scheme", {"scheme": scheme}),))
        # Browsers read « https:evil.com » and « https:/evil.com » as « https://evil.com ».
        return f"{scheme}://" + normalised[head.end() :].lstrip("/")
    return "https://" + normalised  # « www.univ-poitiers.fr/… » as typed in the bar


def _is_ip(ascii_host: str) -> bool:
    try:
        ipaddress.ip_address(ascii_host.strip("[]"))
    except ValueError:
        return False
    return True


def _disguise_findings(parts: SplitResult, ascii_host: str, display_host: str) -> list[Finding]:
    """What hides the real host: a user name before « @ », look-alike letters, a bare address."""
    findings: list[Finding] = []
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        # Everything before « @ » is a user name the browser ignores: the real host is after it.
        shown = parts.netloc.rsplit("@", 1)[0]
        findings.append(Finding("userinfo", {"shown": unquote(shown), "host": display_host}))
    if display_host != ascii_host:
        findings.append(Finding("punycode", {"unicode": display_host, "ascii": ascii_host}))
        letters = display_host.replace(".", "").replace("-", "")
        if confusables.is_mixed_script(letters) or confusables.is_dangerous(letters, preferred_aliases=["latin"]):
            findings.append(Finding("homograph", {"unicode": display_host, "ascii": ascii_host}))
    if _is_ip(ascii_host):
        findings.append(Finding("ip_address", {"host": ascii_host}))
    return findings


def _name_findings(
    normalised: str, parts: SplitResult, ascii_host: str, display_host: str, hosts: set[str], domains: set[str]
) -> list[Finding]:
    """How an unofficial host name relates to the official ones (imitation, same domain…)."""
    findings: list[Finding] = []
    imitated = _embedded(ascii_host, hosts, domains)
    if imitated:
        findings.append(
            Finding("embedded", {"official": imitated, "real": registered_domain(ascii_host), "host": display_host})
        )
    else:
        imitated = _imitated(display_host, ascii_host, domains)
        if imitated:
            findings.append(Finding("lookalike", {"official": imitated, "host": display_host}))
    own = registered_domain(ascii_host)
    if own in SHORTENERS or ascii_host in SHORTENERS:
        findings.append(Finding("shortener", {"host": ascii_host}))
    if not imitated and own in domains:
        findings.append(Finding("same_domain", {"domain": own, "host": ascii_host}))
    if not imitated and own not in domains and own not in SHORTENERS:
        findings.append(Finding("unofficial", {"host": display_host}))
    # An official name shown after the real host (in the path or after a « \\ »): the eye
    # catches the familiar name, the browser goes to the host.
    rest = unquote(normalised.split(parts.netloc, 1)[-1]).lower()
    named = next((d for d in sorted(hosts | domains, key=len, reverse=True) if d in rest), "")
    if named and not imitated:
        findings.append(Finding("name_elsewhere", {"official": named, "host": display_host}))
    return findings


def _redirect_findings(parts: SplitResult, hosts: set[str], depth: int) -> list[Finding]:
    """Addresses carried in the query or fragment that lead somewhere unofficial."""
    findings: list[Finding] = []
    for target in _redirect_targets(parts.query, parts.fragment):
        inner = check(target, hosts, _depth=depth + 1) if depth < 2 else None
        if inner is None or not inner.official:
            where = (inner.display_host or inner.host) if inner else target
            findings.append(Finding("open_redirect", {"target": where or target}))
    return findings
