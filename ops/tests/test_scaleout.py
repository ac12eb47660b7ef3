"""Scale-out proven: two Guichet nodes and the worker on PostgreSQL + Redis, nginx in front.

Every program is real and the test's own (ops/tests/harness.py): PostgreSQL and redis-server
on free ports in temporary folders, gunicorn with deploy/gunicorn.conf.py, `run_huey`,
Debian's nginx with deploy/nginx.conf, aiosmtpd for the mail. The set-up is built once for
the module; each test uses accounts of its own, and leaves every program running again.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from testing.notify import SmtpServer
from testing.personas import PASSWORD
from testing.redis_server import RedisServer

from .harness import Browser, Guichet, Nginx, Postgres, poll

# nginx answers with the certificate the test made: not verified, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

PEOPLE = ("alice", "bruno", "chloe", "david", "emma", "farid", "gaelle")
DOMAIN = "etu.univ-poitiers.fr"

SETUP = f"""
from django.conf import settings
from institutions.loader import load
from institutions.models import Public
from accounts.models import Account
load(settings.GUICHET_SETUP_FILE)
public = Public.objects.get(slug="universite")
for name in {PEOPLE!r}:
    Account.objects.create_user(
        f"{{name}}@{DOMAIN}", {PASSWORD!r}, institution=public.institution, public=public,
        platform=public.platform, display_name=name.capitalize(),
        secondary_email=f"{{name}}.perso@example.org",
    )
"""


@pytest.fixture(scope="module")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="guichet-scaleout-"))
    postgres, redis, smtp = Postgres(), RedisServer(folder), SmtpServer()
    guichet = Guichet(folder, postgres.url, redis.url, smtp.port)
    nginx = None
    try:
        postgres.start()
        redis.start()
        smtp.start()
        guichet.manage("migrate", "--noinput", "-v0")
        guichet.shell(SETUP)
        guichet.start_node("a")
        guichet.start_node("b")
        guichet.start_worker()
        guichet.wait_node("a")
        guichet.wait_node("b")
        nginx = Nginx(folder / "nginx", [f"127.0.0.1:{guichet.nodes[n][0]}" for n in ("a", "b")])
        nginx.start()
        yield Cluster(postgres, redis, smtp, guichet, nginx)
    finally:
        if nginx is not None:
            nginx.stop()
        guichet.stop()
        smtp.stop()
        redis.stop()
        postgres.remove()
        if not os.environ.get("GUICHET_KEEP_SCALEOUT"):  # to read the programs' logs
            shutil.rmtree(folder, ignore_errors=True)


class Cluster:
    def __init__(self, postgres: Postgres, redis: RedisServer, smtp: SmtpServer, guichet: Guichet, nginx: Nginx):
        self.postgres, self.redis, self.smtp, self.guichet, self.nginx = postgres, redis, smtp, guichet, nginx

    @property
    def a(self) -> str:
        return self.guichet.url("a")

    @property
    def b(self) -> str:
        return self.guichet.url("b")


def sign_in(browser: Browser, base: str, name: str, password: str = PASSWORD):
    return browser.post(base, "/login/", {"identifier": f"{name}@{DOMAIN}", "password": password})


def signed_in(response, name: str) -> bool:
    return response.status_code == 200 and name.capitalize() in response.text


def test_signed_in_on_node_a_the_person_continues_on_node_b(cluster):
    browser = Browser()
    response = sign_in(browser, cluster.a, "alice")
    assert response.status_code == 302 and response.headers["Location"].endswith("/services/")
    assert signed_in(browser.get(cluster.b, "/services/"), "alice")
    # B knows the session; a browser without it is sent to sign in.
    assert Browser().get(cluster.b, "/services/").status_code == 302
    # Signing out on B ends the session A gave.
    browser.post(cluster.b, "/logout/", {})
    assert browser.get(cluster.a, "/services/").status_code == 302


def test_failures_made_on_node_a_count_when_node_b_decides(cluster):
    browser = Browser()
    for attempt in range(4):  # the free ones
        assert sign_in(browser, cluster.a, "bruno", f"wrong-{attempt}").status_code == 200
    # B counts A's four: the fifth failure, made on B, pauses the account…
    paused = sign_in(browser, cluster.b, "bruno", "wrong-4")
    assert paused.status_code == 429 and "suspendue" in paused.text
    # …and A, deciding next, refuses even the right password.
    assert sign_in(browser, cluster.a, "bruno").status_code == 429


def json_lines(cluster, *names: str) -> list[dict]:
    lines = []
    for name in names:
        for line in (cluster.guichet.folder / f"{name}.log").read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
    return lines


def test_nodes_log_json_lines_with_the_request_id_nginx_gave(cluster):
    response = Browser().get(cluster.nginx.url, "/login/?code=31415926&ticket=ST-1-zzSecretTicketzz")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32  # nginx's own, once: Guichet's echo of it is not repeated

    def finished() -> list[dict]:
        return [
            line
            for line in json_lines(cluster, "a", "b")
            if line.get("request_id") == request_id and line["event"] == "request_finished"
        ]

    (line,) = poll(finished, timeout=10, what="the request's log line")
    assert line["code"] == 200 and line["request"] == "GET /login/?code=…&ticket=…"
    logs = (cluster.guichet.folder / "a.log").read_text() + (cluster.guichet.folder / "b.log").read_text()
    assert "31415926" not in logs and "zzSecretTicketzz" not in logs


def test_node_a_killed_mid_journey_the_journey_continues_on_b(cluster):
    browser = Browser()
    assert sign_in(browser, cluster.nginx.url, "chloe").status_code == 302
    assert signed_in(browser.get(cluster.nginx.url, "/services/"), "chloe")
    cluster.guichet.kill_node("a")
    try:
        # nginx sends each request to a living node; none fails, none asks to sign in again.
        for _ in range(6):
            assert signed_in(browser.get(cluster.nginx.url, "/services/"), "chloe")
        assert browser.get(cluster.nginx.url, "/compte/connexions/").status_code == 200
    finally:
        port = cluster.guichet.nodes["a"][0]
        cluster.guichet.start_node("a", port)
        cluster.guichet.wait_node("a")


QUEUE_MAIL = f"""
from django.db import transaction
from django.utils import timezone
from accounts.models import Account
from notify.actions import queue_email
account = Account.objects.get(identifier="gaelle@{DOMAIN}")
with transaction.atomic():
    for n in range(3):
        queue_email(to=f"gaelle.{{n}}@example.org", template="password_changed", language="fr",
                    context={{"account": account, "when": timezone.now()}}, purpose="scaleout", account=account)
"""
# What the worker's minutely sweep does, an hour ahead so the retry is due now.
SWEEP = """
from datetime import timedelta
from django.utils import timezone
from notify.actions import sweep
sweep(now=timezone.now() + timedelta(hours=1))
"""


def outbox(cluster) -> list[tuple[str, int]]:
    import psycopg

    with psycopg.connect(cluster.postgres.url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute("SELECT status, attempts FROM notify_message WHERE purpose = 'scaleout' ORDER BY id")
        return [(status, attempts) for status, attempts in rows]


def test_mail_queued_while_smtp_is_down_goes_out_exactly_once(cluster):
    import subprocess

    cluster.smtp.stop()
    try:
        cluster.guichet.shell(QUEUE_MAIL)
        # The worker tried each one (from the queue in Redis) and found no SMTP server.
        poll(
            lambda: cluster.guichet.worker_alive() and outbox(cluster) == [("queued", 1)] * 3,
            timeout=30,
            what="the worker's first attempts",
        )
        assert cluster.smtp.messages == []
    finally:
        cluster.smtp.start()
    # Two sweeps at once (two nodes' workers, say) and the worker itself: each message once.
    sweeps = [
        subprocess.Popen(
            [cluster.guichet.python, "manage.py", "shell", "-c", SWEEP],
            cwd=cluster.guichet.base,
            env=cluster.guichet.env,
        )
        for _ in range(2)
    ]
    assert [sweep.wait(timeout=60) for sweep in sweeps] == [0, 0]
    assert outbox(cluster) == [("sent", 1)] * 3
    received = sorted(message["To"] for message in cluster.smtp.messages)
    assert received == [f"gaelle.{n}@example.org" for n in range(3)]


def test_postgresql_restarted_guichet_recovers_by_itself(cluster):
    browser, english = Browser(), Browser("en")
    assert sign_in(browser, cluster.nginx.url, "david").status_code == 302
    assert sign_in(english, cluster.nginx.url, "emma").status_code == 302
    cluster.postgres.stop()
    try:
        for base in (cluster.a, cluster.b, cluster.nginx.url):
            down = browser.get(base, "/services/")
            assert down.status_code == 503 and "Service momentanément indisponible" in down.text
            assert "Traceback" not in down.text and down.headers["Retry-After"]
        down = english.get(cluster.nginx.url, "/en/services/")
        assert down.status_code == 503 and "temporarily unavailable" in down.text
    finally:
        cluster.postgres.start()
    # Back: every node answers at once, no restart, no 500, nobody signed out.
    for base in (cluster.a, cluster.b, cluster.nginx.url, cluster.a, cluster.b):
        assert signed_in(browser.get(base, "/services/"), "david")
        assert signed_in(english.get(base, "/en/services/"), "emma")


def test_redis_stopped_a_clear_degraded_mode(cluster):
    browser, english = Browser(), Browser("en")
    assert sign_in(browser, cluster.nginx.url, "farid").status_code == 302
    english.get(cluster.nginx.url, "/en/login/")
    cluster.redis.stop()
    try:
        down = browser.get(cluster.nginx.url, "/services/")
        # Not signed out in silence: the person is told, in French, to come back shortly.
        assert down.status_code == 503 and "Service momentanément indisponible" in down.text
        refused = sign_in(english, cluster.nginx.url, "gaelle")
        assert refused.status_code == 503 and "temporarily unavailable" in refused.text
        for path in ("/", "/login/", "/en/", "/password/reset/", "/services/"):
            for base in (cluster.a, cluster.b):
                page = Browser().get(base, path)
                assert page.status_code in (200, 302, 503) and "Traceback" not in page.text, (path, page.status_code)
    finally:
        cluster.redis.start()
    # Redis keeps nothing on disk here: sessions are gone, signing in works again at once.
    assert browser.get(cluster.nginx.url, "/services/").status_code == 302
    assert sign_in(browser, cluster.nginx.url, "farid").status_code == 302
    assert signed_in(browser.get(cluster.a, "/services/"), "farid")
    assert signed_in(browser.get(cluster.b, "/services/"), "farid")
