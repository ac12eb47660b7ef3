"""Finding 9 (constant-time part): is sign-in of a real account slower than of an unknown one?"""

import statistics
import time

from attacks._common import Target

FINDINGS = (9,)
TITLE = "Sign-in of a real account vs an unknown identifier (median times)"


def run(target: Target) -> dict:
    target.account("timing.reel@univ-poitiers.fr")
    cases = {
        "real account, wrong password": "timing.reel@univ-poitiers.fr",
        "unknown identifier": "timing.inconnu@univ-poitiers.fr",
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    b = target.browser()
    for round_ in range(40):  # interleaved, so the machine's noise falls on both alike
        for name, identifier in cases.items():
            ip = f"10.99.{round_}.{len(times[name])}"  # fresh addresses: the address rule stays out
            started = time.perf_counter()
            b.post(
                "/login/",
                {"identifier": identifier, "password": f"wrong-{round_ % 3}"},
                headers={"X-Forwarded-For": ip},
            )
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
    diff = medians["real account, wrong password"] - medians["unknown identifier"]
    return {
        "figures": {**{f"{k} (ms)": f"{v:.2f}" for k, v in medians.items()}, "difference (ms)": f"{diff:+.2f}"},
        "checks": {},
    }
