#!/usr/bin/env python3
"""Request every page and end point of the running demo; fail on any 5xx or a page that never answers.

    python3 scripts/crawl_demo.py [--wait SECONDS] [http://127.0.0.1:8000]

--wait: first wait this long for the server to answer at all (make run installs and migrates
before it serves); the crawl fails if it never does.

Standard library only (it runs on a brand-new machine before anything is installed). Signs in
as each demo account (README) with a cookie jar and the form's CSRF token, like a browser
without JavaScript. Redirects are not followed: a redirect to the right place is the answer
expected from « Ouvrir ma messagerie », /admin/login/ and the CAS log-in.
"""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

TIMEOUT = 30  # seconds: a page slower than this "never answers"
PASSWORD = os.environ.get("GUICHET_DEMO_PASSWORD", "Guichet-Demo-2026!")
CAS_SERVICE = "https://webmail.ac-poitiers.fr/"
# identifier -> pages only this account may see (beyond the ones every account sees)
ACCOUNTS = {
    "etudiant.demo@etu.univ-poitiers.fr": [],
    "enseignant.demo@ac-poitiers.fr": [],
    "soignant.demo@chu-poitiers.fr": [],
    "admin.demo@univ-poitiers.fr": ["/admin/"],
    "agent.demo@univ-poitiers.fr": ["/support/guichet/", "/support/guichet/demandes/"],
    "rh.demo@chu-poitiers.fr": ["/rh/demandes/"],
    "cadre.demo@chu-poitiers.fr": ["/rh/demandes/nouvelle/"],
}
SIGNED_IN_PAGES = ["/services/", "/compte/connexions/", "/compte/securite/", "/compte/contacts/"]
# Staff desks need a second factor (issue 11): a demo account that has not added one yet
# gets the « Second facteur requis » page (403), which must itself render.
STAFF_PAGES = {"/support/guichet/", "/support/guichet/demandes/", "/rh/demandes/", "/rh/demandes/nouvelle/"}
SECOND_FACTOR_PAGE = "Second facteur requis"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


@dataclass
class Crawl:
    base: str
    failures: list[str] = field(default_factory=list)
    seen: int = 0

    def browser(self) -> urllib.request.OpenerDirector:
        jar = http.cookiejar.CookieJar()
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def get(self, opener, path: str, *, data: dict | None = None, expect=None, who: str = "") -> Answer | None:
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Accept-Language": "fr"})  # noqa: S310
        label = f"{'POST' if body else 'GET'} {path}" + (f" as {who}" if who else "")
        self.seen += 1
        try:
            with opener.open(request, timeout=TIMEOUT) as response:
                answer = Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read().decode("utf-8", "replace"), error.headers.get("Location", ""))
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            self.fail(f"{label}: no answer within {TIMEOUT} s ({error})")
            return None
        print(f"{answer.status} {label}" + (f" -> {answer.location}" if answer.location else ""))
        if answer.status >= 500:
            self.fail(f"{label}: {answer.status}")
        elif expect is not None and answer.status not in expect:
            self.fail(f"{label}: {answer.status}, expected {sorted(expect)}")
        return answer

    def fail(self, message: str) -> None:
        print(f"FAIL {message}")
        self.failures.append(message)

    def anonymous(self) -> None:
        web = self.browser()
        home = self.get(web, "/", expect={200})
        slugs = sorted(set(re.findall(r'href="/plateformes/([\w-]+)/"', home.body))) if home else []
        if not slugs:
            self.fail("the home page links to no platform page")
        for slug in slugs:
            self.get(web, f"/plateformes/{slug}/", expect={200})
        for path in ["/en/", "/login/", "/password/reset/", "/accessibilite/", "/healthz"]:
            self.get(web, path, expect={200})
        self.get(web, "/saml/metadata", expect={200})
        discovery = self.get(web, "/.well-known/openid-configuration", expect={200})
        jwks = ""
        if discovery and discovery.status == 200:
            try:
                jwks = json.loads(discovery.body).get("jwks_uri", "")
            except ValueError:
                self.fail("/.well-known/openid-configuration is not JSON")
        self.get(web, urllib.parse.urlsplit(jwks).path or "/.well-known/jwks.json", expect={200})
        self.get(web, "/cas/login", expect={200, 302, 400})
        forged = urllib.parse.urlencode({"service": CAS_SERVICE, "ticket": "ST-forged-0000000000"})
        validation = self.get(web, f"/cas/serviceValidate?{forged}", expect={200})
        if validation and "authenticationFailure" not in validation.body:
            self.fail("a forged CAS ticket was not refused")
        self.get(web, "/api/route?q=jeanne.martin%40etu.univ-poitiers.fr", expect={200})
        self.get(web, "/admin/login/", expect={200, 301, 302})
        self.get(web, "/cette-page-n-existe-pas/", expect={404})

    def signed_in(self, identifier: str, own_pages: list[str]) -> None:
        web = self.browser()
        form = self.get(web, "/login/", expect={200}, who=identifier)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body) if form else None
        if not token:
            self.fail(f"no CSRF token on /login/ for {identifier}")
            return
        data = {"csrfmiddlewaretoken": token.group(1), "identifier": identifier, "password": PASSWORD}
        done = self.get(web, "/login/", data=data, expect={302}, who=identifier)
        if not done:
            return
        pages = {path: self.get(web, path, expect={200}, who=identifier) for path in SIGNED_IN_PAGES}
        for path in own_pages:
            staff = path in STAFF_PAGES
            answer = self.get(web, path, expect={200, 403} if staff else {200}, who=identifier)
            if staff and answer and answer.status == 403 and SECOND_FACTOR_PAGE not in answer.body:
                self.fail(f"{path} as {identifier}: 403 without the second-factor page")
        services = pages["/services/"]
        if services:
            self.open_mail(web, identifier, services.body)
        if identifier.endswith("@ac-poitiers.fr"):  # Convergence signs in through CAS
            cas = self.get(web, "/cas/login?" + urllib.parse.urlencode({"service": CAS_SERVICE}), who=identifier)
            if cas and not (cas.status == 302 and cas.location.startswith(CAS_SERVICE + "?ticket=ST-")):
                self.fail(f"CAS log-in as {identifier} did not hand a ticket to {CAS_SERVICE}")

    def open_mail(self, web, identifier: str, services: str) -> None:
        """« Ouvrir ma messagerie » and every other card: a redirect to the platform, not an error."""
        cards = re.search(r'<ul class="services">(.*?)</ul>', services, re.S)
        links = re.findall(r'<a class="button[^"]*" href="([^"]+)"', cards.group(1)) if cards else []
        if not links:
            self.fail(f"« Mes services » of {identifier} shows no platform")
        for link in links:
            link = link.replace("&amp;", "&")
            if link.startswith("/"):
                answer = self.get(web, link, expect={302}, who=identifier)
                target = answer.location if answer else ""
            else:
                target = link
            if not target.startswith("https://"):
                self.fail(f"{identifier}: {link} does not lead to a platform's address ({target!r})")
            else:
                print(f"    {identifier} opens {urllib.parse.urlsplit(target)._replace(query='').geturl()}")

    def run(self) -> int:
        self.anonymous()
        for identifier, pages in ACCOUNTS.items():
            self.signed_in(identifier, pages)
        print(f"{self.seen} requests, {len(self.failures)} failures")
        for failure in self.failures:
            print(f"  - {failure}")
        return 1 if self.failures else 0


def wait_for(base: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(urllib.parse.urljoin(base, "/healthz"), timeout=5):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True  # it answers, even if not with 200: the crawl will say what is wrong
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                return False
            time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000/")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the server to answer")
    args = parser.parse_args()
    if args.wait and not wait_for(args.base, args.wait):
        print(f"FAIL {args.base} did not answer within {args.wait:.0f} s")
        return 1
    return Crawl(args.base).run()


if __name__ == "__main__":
    sys.exit(main())
