"""Finding 7: per-address rules on IPv6 — one /64 (one subscriber) sprays 100 accounts."""

from attacks._common import Target
from attacks._signin import sign_in

FINDINGS = (7,)
TITLE = "IPv6: one /64 sprayed 100 of 100 accounts"


def run(target: Target) -> dict:
    victims = [f"ipv6.victime{i}@etu.univ-poitiers.fr" for i in range(100)]
    target.accounts(victims)
    one_64 = target.parallel(
        lambda i: sign_in(target, victims[i], "Printemps2026!", f"2001:db8:64:1:{i:x}::{i + 1:x}"), range(100), 16
    )
    many_64 = target.parallel(
        lambda i: sign_in(target, victims[i], "Ete2026!", f"2001:db8:64:{i + 100:x}::1"), range(100), 16
    )
    evaluated, elsewhere = sum(s == 200 for s in one_64), sum(s == 200 for s in many_64)
    return {
        "figures": {
            "accounts whose password was tried from one /64 (100 addresses)": f"{evaluated} of 100",
            "refused from that /64": sum(s == 429 for s in one_64),
            "accounts tried from 100 different /64 (100 subscribers: allowed)": f"{elsewhere} of 100",
        },
        "checks": {"one /64 counts as one address (≤ 10 accounts sprayed)": evaluated <= 10},
    }
