"""Recovery that cannot lock a person out nor be guessed (issue 10, findings 4 to 6).

Codes of 8 characters; wrong codes limited per account and per network across requests,
atomically; codes from support never ended by someone else's wrong codes; request quotas
per identifier and per network that never refuse a browser which signed in before.
"""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Throttle
from recovery import actions
from recovery.models import ResetCode
from testing import throttles
from testing.personas import PASSWORD

from .conftest import ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"
CAMPUS = "192.0.2.201"


def _code(client, code, ip="198.51.100.1", identifier=NURSE):
    return client.post("/password/reset/code/", {"identifier": identifier, "code": code}, REMOTE_ADDR=ip)


def _issue(nurse, origin=ResetCode.SELF, channel=ResetCode.SMS):
    _row, code = actions.issue(None, nurse, channel, "+33612345678", origin=origin, site="http://testserver/")
    return code


def _trusted(ip="203.0.113.30") -> Client:
    browser = Client()
    browser.post("/login/", {"identifier": NURSE, "password": PASSWORD}, REMOTE_ADDR=ip)
    browser.post("/logout/")
    return browser


def _wrong(code: str) -> str:
    return "2222-2222" if code != "2222-2222" else "3333-3333"


def test_codes_are_eight_characters_nobody_confuses():
    codes = {actions.new_reset_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert not set("01OIL") & set(actions.CODE_ALPHABET)
    assert actions.TTL.total_seconds() == 600  # every channel, printed codes included (ASVS 2.7.2)


def test_a_code_typed_in_small_letters_without_the_dash_works(nurse):
    code = _issue(nurse)
    assert _code(Client(), code.replace("-", " ").lower())["Location"] == "/password/reset/nouveau/"


def test_wrong_codes_from_one_network_are_refused_after_twenty(nurse):
    for i in range(actions.CODE_NET_LIMIT):
        assert (
            _code(Client(), "2222-2222", ip=f"2001:db8:9:9::{i + 1:x}", identifier=f"p{i}@chu-poitiers.fr").status_code
            == 200
        )
    refused = _code(Client(), "2222-2222", ip="2001:db8:9:9:ffff::1", identifier="autre@chu-poitiers.fr")
    assert refused.status_code == 429 and "Trop de codes erronés" in refused.content.decode()
    assert _code(Client(), "2222-2222", ip="2001:db8:9:a::1", identifier="autre@chu-poitiers.fr").status_code == 200


def test_a_campus_network_has_a_larger_budget(nurse):
    for i in range(actions.CODE_NET_LIMIT + 5):
        assert _code(Client(), "2222-2222", ip=CAMPUS, identifier=f"p{i}@chu-poitiers.fr").status_code == 200


def test_wrong_codes_across_requests_and_addresses_are_limited_per_account(nurse):
    for i in range(actions.CODE_ACCOUNT_LIMIT):
        code = _issue(nurse)  # a fresh request each time: the per-code limit alone would not stop this
        assert _code(Client(), _wrong(code), ip=f"198.51.100.{i + 1}").status_code == 200
    code = _issue(nurse)
    refused = _code(Client(), code, ip="198.51.100.200")
    assert refused.status_code == 429
    # The owner's browser, which signed in before, still gets in with the right code.
    assert _code(_trusted(), code, ip="203.0.113.31")["Location"] == "/password/reset/nouveau/"


def test_wrong_codes_never_end_nor_refuse_a_code_printed_by_support(nurse):
    printed = _issue(nurse, origin=ResetCode.SUPPORT, channel=ResetCode.PRINTED)
    for i in range(40):  # from many addresses, past the account's budget and the code's five
        _code(Client(), _wrong(printed), ip=f"198.51.100.{i + 1}")
    assert ResetCode.objects.get().is_live()
    assert _code(Client(), printed, ip="198.51.100.250")["Location"] == "/password/reset/nouveau/"


def test_a_self_service_request_does_not_replace_a_code_from_hr(nurse):
    from_hr = _issue(
        nurse, origin=ResetCode.HR, channel=ResetCode.SMS
    )  # HR sends a code by SMS when there is no address
    _issue(nurse)  # someone who knows the mobile asks for a code
    assert _code(Client(), from_hr)["Location"] == "/password/reset/nouveau/"


def test_request_quotas_per_identifier_spare_a_trusted_browser(nurse):
    owner = _trusted()
    for i in range(actions.REQUEST_LIMIT):
        assert ask(Client(), NURSE, contact="made-up@example.org", ip=f"198.51.100.{i + 1}").status_code == 200
    assert ask(Client(), NURSE, ip="198.51.100.100").status_code == 429
    assert ask(owner, NURSE, ip="198.51.100.101").status_code == 200


def test_request_quotas_per_network_count_ipv6_by_slash_64(nurse):
    for i in range(actions.REQUEST_NET_LIMIT):
        assert ask(Client(), f"p{i}@chu-poitiers.fr", ip=f"2001:db8:7:7::{i + 1:x}").status_code == 200
    assert ask(Client(), "autre@chu-poitiers.fr", ip="2001:db8:7:7:beef::1").status_code == 429
    assert ask(Client(), "autre@chu-poitiers.fr", ip="2001:db8:7:8::1").status_code == 200


def test_a_campus_network_is_many_people_asking(nurse):
    for i in range(3 * actions.REQUEST_NET_LIMIT):
        assert ask(Client(), f"p{i}@chu-poitiers.fr", ip=CAMPUS).status_code == 200


def test_the_lockout_of_finding_4_does_not_reach_a_trusted_browser(nurse):
    owner = _trusted()
    attacker = Client()
    for i in range(5):
        attacker.post("/login/", {"identifier": NURSE, "password": f"guess-{i}"}, REMOTE_ADDR=f"198.51.100.{i + 1}")
        ask(attacker, NURSE, contact="made-up@example.org", ip=f"198.51.100.{i + 1}")
        _code(attacker, f"2222-222{i + 2}", ip=f"198.51.100.{i + 1}")
    signed = owner.post("/login/", {"identifier": NURSE, "password": PASSWORD}, REMOTE_ADDR="203.0.113.32")
    assert signed["Location"] == "/services/"
    owner.post("/logout/")
    assert ask(owner, NURSE, ip="203.0.113.32").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_thirty_two_wrong_codes_at_once_spend_the_budget_exactly(nurse):
    _issue(nurse)
    barrier = threading.Barrier(32)
    statuses = [0] * 32

    def run(i: int) -> None:
        try:
            barrier.wait()
            statuses[i] = _code(Client(), f"2222-{2222 + i}", ip="198.51.100.77").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Twenty pass the network's budget, ten of them the account's; of those, five are compared
    # before the code dies. Exactly as thirty-two in a row.
    assert statuses.count(200) == actions.CODE_ACCOUNT_LIMIT and statuses.count(429) == 32 - actions.CODE_ACCOUNT_LIMIT
    assert [s.failures for s in throttles.states(Throttle.CODE_NET)] == [actions.CODE_NET_LIMIT]
    assert ResetCode.objects.get().attempts == ResetCode.MAX_ATTEMPTS
    assert [s.failures for s in throttles.states(Throttle.CODE_ID)] == [actions.CODE_ACCOUNT_LIMIT]
