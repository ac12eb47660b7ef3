"""Finding 6: is guessing bounded as promised? Concurrent bursts, a simulated day of 10,000
attempts from many addresses, reset codes guessed across requests, the code form from one address.

Time is simulated: when every attempt is refused, the bench moves the pause's timestamps back
by what remains of it (as if the attacker had waited) and adds that to the simulated clock."""

import itertools

from attacks._common import Target
from attacks._signin import failures_of, post, sign_in

FINDINGS = (6,)
TITLE = "Guessing is not bounded as promised"
DAY = 24 * 3600


def _addresses():
    for n in itertools.count(1):
        yield f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def _wait_out_pause(identifier: str) -> float:
    """Simulate waiting: shift the account's pause into the past; return the seconds waited."""
    from django.utils import timezone

    from accounts.actions import throttling
    from testing import throttles

    key = throttling.account_key(identifier)
    state, now = throttles.state("account", key), timezone.now()
    if not state.paused_until or state.paused_until <= now or state.last_failure is None:
        return 0.0
    waited = state.paused_until - now
    throttles.edit("account", key, paused_until=now, last_failure=state.last_failure - waited)
    return waited.total_seconds()


def _burst(target: Target, identifier: str, addresses, guesses, size: int = 32) -> list[int]:
    batch = [(next(guesses), next(addresses)) for _ in range(size)]
    return target.parallel(lambda g: sign_in(target, identifier, g[0], g[1]), batch, size)


def run(target: Target) -> dict:
    addresses, guesses = _addresses(), (f"Guess-{n}!" for n in itertools.count())
    burst_victim, day_victim = "burst.victime@univ-poitiers.fr", "jour.victime@univ-poitiers.fr"
    target.accounts([burst_victim, day_victim])

    _burst(target, burst_victim, addresses, guesses)
    in_burst = failures_of(burst_victim)

    attempts, simulated = 0, 0.0
    while attempts < 10_000 and simulated < DAY:
        statuses = _burst(target, day_victim, addresses, guesses, 8)
        attempts += len(statuses)
        if all(s == 429 for s in statuses):
            waited = _wait_out_pause(day_victim)
            if not waited:  # refused without a pause to wait out: the hard cap
                break
            simulated += waited
    per_day = failures_of(day_victim)
    codes = _codes(target, addresses)
    return {
        "figures": {
            "32 concurrent guesses: evaluated": in_burst,
            "attempts sent against one account": attempts,
            "simulated time": f"{simulated / 3600:.1f} h",
            "guesses evaluated (then only a reset or a trusted browser)": per_day,
            **codes["figures"],
        },
        "checks": {
            "32 concurrent requests gain nothing (≤ 5 evaluated)": in_burst <= 5,
            "guesses evaluated per account per day ≤ 100": per_day <= 100,
            **codes["checks"],
        },
    }


def _codes(target: Target, addresses) -> dict:
    from recovery import actions
    from recovery.models import ResetCode

    victim = target.account("code.victime@chu-poitiers.fr", mobile="+33612340002")
    evaluated = 0
    for _ in range(50):  # 50 requests in a day, each answered with 5 wrong codes from new addresses
        actions.issue(None, victim, ResetCode.SMS, str(victim.mobile), origin=ResetCode.SELF, site=target.base_url)
        for _ in range(5):
            data = {"identifier": victim.identifier, "code": "2222-2222"}
            evaluated += post(target, "/password/reset/code/", data, next(addresses)).status_code == 200
    one_address = [
        post(
            target,
            "/password/reset/code/",
            {"identifier": f"p{i}@chu-poitiers.fr", "code": "2222-2222"},
            "198.51.100.66",
        ).status_code
        for i in range(100)
    ]
    before_429 = one_address.index(429) if 429 in one_address else len(one_address)
    space = len(actions.CODE_ALPHABET) ** actions.CODE_LENGTH
    return {
        "figures": {
            "wrong reset codes checked for one account in a day (250 tried)": evaluated,
            "chance of guessing a code in 30 days": f"{30 * evaluated / space:.1e}",
            "wrong codes from one address before a 429": before_429,
        },
        "checks": {
            "reset codes: ≤ 10 wrong codes per account per day across requests": evaluated
            <= actions.CODE_ACCOUNT_LIMIT,
            "code form: one address is stopped after 20 wrong codes": before_429 <= actions.CODE_NET_LIMIT,
        },
    }
