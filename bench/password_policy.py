"""How long the new-password policy takes on long and awkward passwords. Prints the figures.

    .venv/bin/python bench/password_policy.py [--repeat 7]

Runs recovery.policy.check in this process (no database needed) on 128-character passwords
of several kinds, after a warm-up that loads the word lists, and prints the best and the
median time of each.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PASSWORDS = {
    "random symbols": "4@8(3!1|0$5+7%2" * 8 + "4@8(3!1|",
    "repeated l33t": "p@ssw0rd" * 16,
    "random mixed": "Xk9#mQ2$vL7!pqZ&" * 8,
    "keyboard rows": ("azertyuiopqsdfghjklmwxcvbn" * 5)[:128],
    "own name repeated": ("jeanne.martin" * 10)[:128],
    "dates": ("01/02/1985 " * 12)[:128],
    "French sentence": ("le chat de ma voisine mange des croissants au beurre " * 3)[:128],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from recovery import policy

    started = time.perf_counter()
    policy.score("warm-up")
    print(f"warm-up (word lists): {(time.perf_counter() - started) * 1000:.0f} ms")
    inputs = ["jeanne.martin@etu.univ-poitiers.fr", "Jeanne Martin"]
    print(f"{'password (128 chars)':22} {'best ms':>8} {'median ms':>10}")
    for name, password in PASSWORDS.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            policy.check(password, user_inputs=inputs)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:22} {min(times):8.1f} {statistics.median(times):10.1f}")


if __name__ == "__main__":
    main()
