"""Finding 5: the campus network is one person. 500 people behind one campus address sign in
with their right password while an attacker on the same address sprays 1,000 identifiers;
then 50 of them ask for a reset from there."""

import threading
import time

from attacks._common import PASSWORD, Target
from attacks._signin import PACE, post, sign_in

FINDINGS = (5,)
TITLE = "The campus network is one person"
CAMPUS = "192.0.2.250"  # in the shipped placeholder network of the Université (192.0.2.192/26)


def run(target: Target) -> dict:
    from accounts import throttle
    from audit.models import Event

    people = [f"campus.personne{i}@etu.univ-poitiers.fr" for i in range(500)]
    target.accounts(people)
    sprayed = people + [f"campus.inconnu{i}@etu.univ-poitiers.fr" for i in range(500)]
    attacker: list[int] = []

    def spray() -> None:  # a script: it does not wait for anything
        attacker.extend(target.parallel(lambda who: sign_in(target, who, "Azerty2026!", CAMPUS), sprayed, 16))

    started = time.monotonic()
    spraying = threading.Thread(target=spray)
    spraying.start()

    def open_form(who: str):  # a person opens the sign-in page...
        b = target.browser(CAMPUS)
        return who, b, PACE.search(b.get("/login/").text).group(1)

    forms = target.parallel(open_form, people, 16)
    time.sleep(throttle.SLOW_MAX_SECONDS)  # ...and takes a few seconds to type the password
    signed = target.parallel(lambda f: sign_in(target, f[0], PASSWORD, CAMPUS, who=f[1], pace=f[2]), forms, 16)
    spraying.join()
    elapsed = time.monotonic() - started
    resets = target.parallel(
        lambda who: (
            post(
                target, "/password/reset/", {"identifier": who, "channel": "email", "contact": "x@example.org"}, CAMPUS
            ).status_code
        ),
        people[:50],
        8,
    )
    blocked = Event.objects.filter(code="accounts.signin.ip_blocked", ip=CAMPUS).count()
    return {
        "figures": {
            "people refused with their right password": f"{sum(s != 302 for s in signed)} of {len(people)}",
            "attacker's guesses evaluated": f"{sum(s == 200 for s in attacker)} of {len(sprayed)}",
            "attacker's attempts told to wait": sum(s == 429 for s in attacker),
            "attacker's guesses per minute": round(sum(s == 200 for s in attacker) / elapsed * 60),
            "times the campus address was blocked": blocked,
            "reset requests refused on campus": f"{sum(s == 429 for s in resets)} of {len(resets)}",
        },
        "checks": {
            "0 of 500 people behind one campus address refused with their right password": all(
                s == 302 for s in signed
            ),
            "the campus address is slowed, never blocked": blocked == 0,
            "50 reset requests from one campus address: none refused": all(s == 200 for s in resets),
        },
    }
