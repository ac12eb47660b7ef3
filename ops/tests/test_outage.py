"""A lost database or Redis answers 503 with a page in the person's language, no traceback."""

import pytest
import redis.exceptions
from django.db import OperationalError, connection
from django.test import Client

from accounts.tests.conftest import PASSWORD
from ops.outage import is_outage
from ops.sessions import SessionStore
from testing.outages import no_database

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "words"),
    [("/services/", "Service momentanément indisponible"), ("/en/services/", "Service temporarily unavailable")],
)
def test_a_database_outage_is_a_503_page_in_the_persons_language(student, path, words):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    with connection.execute_wrapper(no_database):
        response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 503 and words in html
    assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]
    assert "Traceback" not in html and "OperationalError" not in html
    assert '<header class="top">' in html  # the site's own frame, not a bare error


def test_only_lost_connections_count_as_an_outage():
    try:
        try:
            raise redis.exceptions.ConnectionError("refused")
        except redis.exceptions.ConnectionError as error:
            raise RuntimeError("while reading the session") from error
    except RuntimeError as chained:
        assert is_outage(chained)
    assert is_outage(OperationalError("gone"))
    assert not is_outage(ValueError("a bug is a 500, not an outage"))
    assert not is_outage(None)


class _DownCache:
    def get(self, key, default=None):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class _OddCache:
    def get(self, key, default=None):
        raise ValueError("a key this backend refuses")


def test_sessions_say_redis_is_down_instead_of_signing_everyone_out():
    store = SessionStore("a" * 32)
    store._cache = _DownCache()
    with pytest.raises(redis.exceptions.ConnectionError):
        store.load()


def test_a_key_the_cache_refuses_is_still_no_session():
    store = SessionStore("a" * 32)
    store._cache = _OddCache()
    assert store.load() == {} and store.session_key is None


def test_signing_in_still_works_with_the_session_store_of_the_scale_out_path(client, student, settings):
    settings.SESSION_ENGINE = "ops.sessions"
    response = client.post("/login/", {"identifier": student.get_username(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/services/").status_code == 200
