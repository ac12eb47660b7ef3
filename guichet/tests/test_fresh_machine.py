"""A brand-new machine: the README's commands install what they need, the demo is complete.

The whole path is run by CI's fresh-machine leg (.ci/run); these tests pin its parts.
"""

import contextlib
import hashlib
import hmac
import http.server
import importlib.util
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from guichet import checks

ROOT = Path(settings.BASE_DIR)
SYSTEM_DEPS = ROOT / "scripts" / "system-deps"


# --- scripts/system-deps ----------------------------------------------------------------


@pytest.fixture
def bare_path(tmp_path):
    """A PATH where nothing is installed and `id -u` says: not root."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "id").chmod(0o755)
    for tool in ("sed", "uname"):  # what the script itself uses
        (bin_dir / tool).symlink_to(subprocess.check_output(["sh", "-c", f"command -v {tool}"], text=True).strip())
    return str(bin_dir)


def _deps(mode: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(SYSTEM_DEPS), mode], env={"PATH": path}, capture_output=True, text=True, timeout=30
    )


def test_not_root_names_the_missing_packages_and_the_exact_apt_line(bare_path):
    run = _deps("run", bare_path)
    assert run.returncode == 1
    assert "apt-get install gettext xmlsec1\n" in run.stderr  # what the running product needs
    test = _deps("test", bare_path)
    assert test.returncode == 1
    line = next(x for x in test.stderr.splitlines() if "apt-get install" in x).split()
    for package in ("gettext", "xmlsec1", "chromium", "npm", "ldap-utils"):  # found as commands: all hidden
        assert package in line
    # The others are looked for as files, which a PATH cannot hide: named exactly when absent here.
    files = {
        "libatomic1": f"/usr/lib/{os.uname().machine}-linux-gnu/libatomic.so.1",
        "slapd": "/usr/sbin/slapd",
        "dovecot-imapd": "/usr/lib/dovecot/imap-login",
    }
    for package, path in files.items():
        assert (package in line) is not Path(path).exists()


def test_nothing_missing_is_silent_and_succeeds():
    # This machine has what the suite needs (make test installed it).
    for mode in ("run", "test"):
        done = subprocess.run([str(SYSTEM_DEPS), mode], capture_output=True, text=True, timeout=30)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_an_unknown_mode_is_refused():
    done = subprocess.run([str(SYSTEM_DEPS), "everything"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "run|test" in done.stderr


# --- make run: packages first, keys before anything reads them, checks before serving -----


def test_make_run_installs_then_makes_keys_then_checks_before_serving():
    plan = subprocess.run(
        ["make", "-n", "-B", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=30
    ).stdout
    steps = [
        "scripts/system-deps run",
        "pip install",
        "compilemessages",
        "manage.py generate_keys",
        "manage.py migrate",
        "manage.py check --fail-level ERROR",
        "gunicorn",
    ]
    positions = [plan.index(step) for step in steps]
    assert positions == sorted(positions), plan
    assert "GUICHET_WEBAUTHN_ORIGINS=${GUICHET_WEBAUTHN_ORIGINS:-http://localhost:8123}" in plan
    assert "--bind 127.0.0.1:8123" in plan


def test_make_test_installs_the_suites_packages_first():
    plan = subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    assert plan.index("scripts/system-deps test") < plan.index("pip install") < plan.index("pytest")


# --- The demo: a generated Zimbra preauth key under var/, used by « Ouvrir ma messagerie » --


def test_demo_mode_reads_zimbra_keys_from_var(tmp_path):
    code = "import guichet.settings as s; print(s.GUICHET_ZIMBRA_PREAUTH_KEY_DIR)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(GUICHET_VAR_DIR=str(tmp_path))
    for demo, expected in (("1", str(tmp_path / "zimbra")), ("0", "")):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**env, "GUICHET_DEMO": demo}, capture_output=True, text=True
        )
        assert out.stdout.strip() == expected, out.stderr


@pytest.mark.django_db
def test_the_demo_student_opens_zimbra_with_the_generated_key(client, poitiers, settings, tmp_path):
    settings.GUICHET_DEMO = True
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {}
    settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR = str(tmp_path / "zimbra")  # the demo's default under var/
    assert [e.id for e in checks.zimbra_preauth_keys(None)] == ["guichet.E014"]

    call_command("generate_keys")
    call_command("load_demo")
    key_file = tmp_path / "zimbra" / "etu.univ-poitiers.fr"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64 and int(key, 16) >= 0  # shaped like Zimbra's own keys
    assert checks.zimbra_preauth_keys(None) == []

    signed_in = client.post(
        "/login/", {"identifier": "etudiant.demo@etu.univ-poitiers.fr", "password": settings.GUICHET_DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    services = client.get("/services/").content.decode()
    assert "Ouvrir ma messagerie" in services and 'href="/sso/zimbra/zimbra-webmail/"' in services
    response = client.get("/sso/zimbra/zimbra-webmail/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://webmail.univ-poitiers.fr/service/preauth"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["account"] == "etudiant.demo@etu.univ-poitiers.fr"
    message = f"{query['account']}|{query['by']}|{query['expires']}|{query['timestamp']}".encode()
    assert query["preauth"] == hmac.new(key.encode(), message, hashlib.sha1).hexdigest()

    call_command("generate_keys")
    assert key_file.read_text().strip() == key  # made once


@pytest.mark.django_db
def test_outside_demo_mode_no_zimbra_key_is_invented(poitiers, settings, tmp_path):
    settings.GUICHET_DEMO = False
    settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR = str(tmp_path / "zimbra")
    call_command("generate_keys")
    assert not (tmp_path / "zimbra").exists()


# --- scripts/crawl_demo.py: it must catch what it is there to catch ------------------------


@pytest.fixture
def crawl_module():
    spec = importlib.util.spec_from_file_location("crawl_demo", ROOT / "scripts" / "crawl_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def broken_site():
    """A server with one page that crashes and one that never answers (until the test ends)."""
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/hangs/":
                release.wait(30)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the crawl gave up
                self.send_response(500 if self.path == "/crashes/" else 200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<p>page</p>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    release.set()
    server.shutdown()
    server.server_close()


def test_the_crawl_fails_on_a_server_error_and_on_a_page_that_never_answers(crawl_module, broken_site, monkeypatch):
    monkeypatch.setattr(crawl_module, "TIMEOUT", 0.5)
    crawl = crawl_module.Crawl(broken_site)
    browser = crawl.browser()
    assert crawl.get(browser, "/fine/", expect={200}).status == 200 and crawl.failures == []
    crawl.get(browser, "/crashes/")
    assert crawl.failures == ["GET /crashes/: 500"]
    assert crawl.get(browser, "/hangs/") is None
    assert "GET /hangs/: no answer" in crawl.failures[-1]
    assert crawl.run() == 1  # and the whole crawl of this site fails: no platform, no demo sign-in
