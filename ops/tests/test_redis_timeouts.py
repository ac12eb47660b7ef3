"""A Redis that accepts connections but never answers does not hold requests: past the socket
timeouts of guichet/settings.py the person gets the 503 page in their language (ops/outage.py),
and the task queue's Redis gives up as well. The server below accepts and stays silent; the
timeouts are the only waiting (each request runs in a thread joined with a bound, so a missing
timeout fails the test instead of hanging it).

redis-py 8 itself gives up after 5 s a command when told nothing: a page held 5 s per Redis
command, every thread of every node at the 8 a.m. peak. The settings say 0.5 s to connect and
1 s to answer; the limit below sits under redis-py's 5 s, so only the settings' timeouts pass."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import redis.exceptions
from django.db import connection, connections
from django.test import Client
from huey import RedisHuey

from testing.net import free_port
from testing.outages import no_database

# The settings' defaults give up after 1 s here (the connection is accepted at once); 3.5 s
# more is the slack of a loaded 2-core machine, and still under redis-py's own 5 s.
LIMIT = 4.5
# How long a thread is waited for before the test calls it hung.
BOUND = 10.0


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """redis://… of a server that accepts every connection and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", free_port()))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:  # the listener shut down: the test is over
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        listener.close()
        thread.join(timeout=BOUND)
        for connection in held:  # a request still waiting (no timeout) gets EOF and ends
            connection.close()


def settings_for(redis_url: str) -> dict:
    """What guichet/settings.py makes of REDIS_URL, read in a fresh process (the SQLite leg
    runs without REDIS_URL, so this process's settings never went through that block)."""
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'cache': settings.CACHES['default'], 'sessions': settings.SESSION_ENGINE, "
        "'huey': settings.HUEY['url']}))"
    )
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "guichet.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def in_a_thread(call) -> tuple[dict, float]:
    """Run `call` in a thread; its outcome and the seconds it took (BOUND if it never ended)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's database connection

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(timeout=BOUND)
    return outcome, BOUND if thread.is_alive() else time.monotonic() - started


def warm_up(path: str, settings) -> None:
    """A process's first page imports views and compiles templates; that is not Redis's wait.
    The same 503 page, once, for a database outage (ops/tests/test_outage.py's)."""
    settings.SESSION_ENGINE = "accounts.session_engines.db"  # on either leg: read from the database
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    with connection.execute_wrapper(no_database):
        assert client.get(path).status_code == 503


@pytest.mark.django_db(transaction=True)  # the request's thread has its own database connection
@pytest.mark.parametrize(
    ("path", "words"),
    [("/services/", "Service momentanément indisponible"), ("/en/services/", "Service temporarily unavailable")],
)
def test_a_redis_that_never_answers_is_the_503_page_within_the_timeout(silent_redis, settings, path, words):
    produced = settings_for(silent_redis)
    warm_up(path, settings)
    settings.CACHES = {"default": produced["cache"]}
    settings.SESSION_ENGINE = produced["sessions"]
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32  # a signed-in person's session is read

    outcome, seconds = in_a_thread(lambda: client.get(path))

    assert seconds < LIMIT, f"the request waited {seconds:.1f} s on the silent Redis"
    response = outcome["value"]
    html = response.content.decode()
    assert response.status_code == 503 and words in html, (response.status_code, outcome)
    assert response["Retry-After"] == "30" and "Traceback" not in html


def test_the_task_queue_gives_up_on_a_silent_redis_too(silent_redis):
    url = settings_for(silent_redis)["huey"]
    queue = RedisHuey("timeouts-test", url=url)
    # The worker's blocking read (BRPOP, huey's read_timeout) must fit under the socket timeout.
    assert queue.storage.pool.connection_kwargs["socket_timeout"] > queue.storage.read_timeout

    outcome, seconds = in_a_thread(lambda: queue.storage.enqueue(b"look at row 1"))

    assert seconds < LIMIT, f"enqueueing waited {seconds:.1f} s on the silent Redis"
    assert isinstance(outcome.get("error"), redis.exceptions.TimeoutError), outcome
