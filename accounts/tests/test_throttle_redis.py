"""The Redis throttle store (the scale-out path), tried against a redis-server of the test's
own so these run on the embedded path too: concurrency gains nothing, the legitimate person
still gets in, the hard cap never expires, nothing is kept in clear, and a Redis that is down
answers the 503 page without letting the attempt through."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import throttle
from accounts.actions import throttling
from accounts.throttle_stores import redis as redis_store
from audit.models import Event
from testing import throttles
from testing.concurrency import at_once
from testing.personas import PASSWORD

from .conftest import sign_in

STUDENT = "etudiant@etu.univ-poitiers.fr"
CAMPUS = "192.0.2.200"  # inside the shipped placeholder network 192.0.2.192/26
WORKERS = 32


@pytest.fixture(scope="module")
def redis_server():
    with throttles.redis_server() as server:
        yield server


@pytest.fixture
def store(redis_server):
    """The Redis store on the test's own server, empty, for this test."""
    store = redis_server.store()
    store.client.flushdb()
    with throttling.using(store):
        yield store
    store.client.connection_pool.disconnect()


def _at_once(fn, count: int = WORKERS) -> list:
    return at_once(fn, count)


def _evaluated() -> int:
    return Event.objects.filter(code="accounts.signin.failure").count()


# --- Concurrency gains nothing ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_thirty_two_guesses_at_once_from_many_addresses_get_five_evaluations(store, student):
    statuses = _at_once(lambda i: sign_in(Client(), STUDENT, f"guess-{i}", ip=f"198.51.100.{i + 1}").status_code)
    assert _evaluated() == 5  # the database store's figure: four free, the fifth pauses, the rest wait
    assert statuses.count(429) == WORKERS - 4
    (state,) = throttles.states("account")
    assert state.failures == state.consecutive == 5


@pytest.mark.django_db(transaction=True)
def test_thirty_two_identifiers_at_once_from_one_campus_address_are_all_counted_never_blocked(store, student):
    _at_once(lambda i: sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "x", ip=CAMPUS).status_code)
    (address,) = throttles.states("ip")
    assert address.failures == _evaluated() == throttle.IP_MAX_IDENTIFIERS  # then a script is slowed
    assert address.paused_until is None
    assert not Event.objects.filter(code="accounts.signin.ip_blocked").exists()
    assert Event.objects.filter(code="accounts.signin.slowed").count() == WORKERS - throttle.IP_MAX_IDENTIFIERS


@pytest.mark.django_db(transaction=True)
def test_one_ipv6_slash_64_spraying_at_once_is_blocked_as_one_address(store, student):
    _at_once(lambda i: sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "x", ip=f"2001:db8:5:6::{i + 1:x}"))
    assert _evaluated() == throttle.IP_MAX_IDENTIFIERS  # the tenth identifier blocks the whole /64
    assert len(throttles.states("ip")) == 1
    assert sign_in(Client(), STUDENT, ip="2001:db8:5:6:abcd::42").status_code == 429
    assert sign_in(Client(), STUDENT, ip="2001:db8:5:7::1")["Location"] == "/services/"


@pytest.mark.django_db(transaction=True)
def test_the_owner_signing_in_amid_a_burst_is_counted_back(store, student):
    def attempt(i: int) -> int:
        password = PASSWORD if i == 0 else f"guess-{i}"
        return sign_in(Client(), STUDENT, password, ip=f"203.0.113.{i + 1}").status_code

    statuses = _at_once(attempt, 4)
    assert statuses[0] == 302  # three failures leave no pause: the owner always gets in
    state = throttles.account(STUDENT)
    assert state.consecutive <= 3  # the owner's provisional failure was taken back


# --- The legitimate person --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_right_password_after_others_failures_signs_in_and_forgets_them(store, student):
    for i in range(4):
        sign_in(Client(), STUDENT, f"wrong-{i}", ip=f"198.51.100.{i + 1}")
    assert throttles.account(STUDENT).failures == 4
    assert sign_in(Client(), STUDENT, ip="203.0.113.9")["Location"] == "/services/"
    assert not throttles.exists("account")
    assert throttles.state("ip", throttling.ip_key("203.0.113.9")) == throttle.State()  # taken back


@pytest.mark.django_db
def test_a_trusted_browser_gets_in_while_the_account_is_paused(store, student):
    owner = Client()
    assert sign_in(owner, STUDENT)["Location"] == "/services/"
    owner.post("/logout/")
    for i in range(5):
        sign_in(Client(), STUDENT, f"guess-{i}", ip=f"198.51.100.{i + 1}")
    assert sign_in(Client(), STUDENT).status_code == 429
    assert sign_in(owner, STUDENT)["Location"] == "/services/"


# --- What is kept, and for how long -------------------------------------------------------------


def _ttl(store, kind: str, key: str) -> int:
    return store.client.ttl(redis_store.name(kind, key))


@pytest.mark.django_db
def test_the_hard_cap_has_no_expiry_the_pause_ladder_and_the_address_have_one(store, student):
    key = throttling.account_key(STUDENT)
    long_ago = timezone.now() - timedelta(days=30)
    throttles.create("account", key, failures=2, consecutive=throttle.HARD_CAP - 1, last_failure=long_ago)
    assert sign_in(Client(), STUDENT, "the-hundredth", ip="198.51.100.1").status_code == 200
    assert _ttl(store, "account", key) == -1  # -1: kept until a success or a reset deletes it
    address_ttl = _ttl(store, "ip", throttling.ip_key("198.51.100.1"))
    assert 0 < address_ttl <= (throttle.FORGET_AFTER + redis_store.MARGIN).total_seconds()
    assert sign_in(Client(), STUDENT, ip="203.0.113.9").status_code == 429
    # Whatever a state's age, once it holds consecutive failures it never expires.
    assert redis_store.expire_at(throttle.State(consecutive=1, last_failure=long_ago)) == 0
    assert redis_store.expire_at(throttle.State(failures=3, last_failure=long_ago)) > 0


def test_states_survive_the_round_trip_to_the_microsecond():
    now = timezone.now().replace(microsecond=123457)
    state = throttle.State(3, now, now + throttle.PAUSES[0], ("ab", "cd"), now, 7)
    assert redis_store.loads(redis_store.dumps(state)) == state
    assert redis_store.loads(None) == redis_store.loads(redis_store.dumps(throttle.State())) == throttle.State()


@pytest.mark.django_db
def test_nothing_in_redis_names_an_identifier_an_address_or_a_password(store, student):
    owner = Client()
    assert sign_in(owner, STUDENT)["Location"] == "/services/"
    for i in range(3):
        sign_in(owner, STUDENT, f"typo-{i}", ip="2001:db8:1:2::7")  # the trusted browser's own ladder
        sign_in(Client(), STUDENT, f"guess-{i}", ip="192.0.2.10")
        sign_in(Client(), "personne@etu.univ-poitiers.fr", f"guess-{i}", ip=CAMPUS)
    throttling.window_take("req_id", STUDENT, 3, timedelta(minutes=10), timezone.now())
    stored = b"".join(key + b" " + store.client.get(key) for key in store.client.scan_iter("*"))
    assert stored.count(b"guichet:throttle:") >= 5  # account, device, three addresses, a window
    for clear_text in (STUDENT, "etudiant", "personne", "192.0.2.10", "2001:db8", CAMPUS, "typo-", "guess-"):
        assert clear_text.encode() not in stored


# --- Redis down ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "words"), [("/login/", "momentanément indisponible"), ("/en/login/", "temporarily")])
def test_a_redis_that_is_down_answers_the_503_page_and_lets_nobody_in(student, path, words):
    with throttles.redis_server() as server, throttling.using(server.store()):
        server.stop()
        client = Client(raise_request_exception=False)
        post = {"identifier": STUDENT, "password": PASSWORD}
        response = client.post(path, post, REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 503 and words in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not Event.objects.filter(code__startswith="accounts.signin").exclude(code="accounts.signin.form").exists()


# --- What a sign-in costs -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sign_in_costs_a_few_round_trips_to_redis_and_no_throttle_statement(store, student, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    sign_in(Client(), "warm-up@etu.univ-poitiers.fr", "wrong", ip="10.0.0.1")  # the script loaded once
    commands: list[str] = []
    real = store.client.execute_command
    monkeypatch.setattr(store.client, "execute_command", lambda *a, **kw: commands.append(a[0]) or real(*a, **kw))
    with CaptureQueriesContext(connection) as queries:
        assert sign_in(Client(), STUDENT, "wrong", ip="10.0.0.2").status_code == 200
    # The reservation: one read, one compare-and-set; then the « 2 tries left » warning's peek.
    assert commands == ["MGET", "EVALSHA", "GET"]
    commands.clear()
    with CaptureQueriesContext(connection) as more:
        assert sign_in(Client(), STUDENT, ip="10.0.0.3")["Location"] == "/services/"
    # Reserved; then the address's provisional failure given back, the account's ladder forgotten.
    assert commands == ["MGET", "EVALSHA", "MGET", "EVALSHA", "DEL"]
    assert not [q for q in queries.captured_queries + more.captured_queries if "accounts_throttle" in q["sql"]]


def test_the_store_follows_the_setting(redis_server, settings):
    from accounts import throttle_stores
    from accounts.throttle_stores.database import DatabaseStore
    from accounts.throttle_stores.redis import RedisStore

    settings.GUICHET_THROTTLE_STORE, settings.REDIS_URL = "redis", redis_server.url
    assert isinstance(throttle_stores.from_settings(), RedisStore)
    settings.GUICHET_THROTTLE_STORE = "database"
    assert isinstance(throttle_stores.from_settings(), DatabaseStore)


def test_a_state_that_keeps_changing_is_an_outage_not_a_pass(store, monkeypatch):
    """Every run meets another node's write: after CONFLICT_RETRIES runs the store gives up
    with TimeoutError (the 503 page), it never returns the change's answer unwritten."""
    import redis.exceptions

    monkeypatch.setattr(redis_store, "CONFLICT_RETRIES", 3)
    runs = []

    def change(slots):
        slots.load("account", "k")
        store.client.set(redis_store.name("account", "k"), redis_store.dumps(throttle.State(failures=len(runs))))
        runs.append(1)
        slots.save("account", "k", throttle.State(failures=1, consecutive=1))
        return "go"

    with pytest.raises(redis.exceptions.TimeoutError):
        store.atomically(change)
    assert len(runs) == 3
