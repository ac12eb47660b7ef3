"""The journeys of journeys.py driven by Node (journeys.mjs), for the legs whose client must cost
the nodes little: it shares the machine's cores with them, and Python threads over http.client
cost several times Node's CPU per request.

Node is already a project tool (npm's dependency: the browser tests); journeys.mjs uses its
built-in http module only.
"""

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from .client import Tally
from .journeys import PASSWORD, Morning, contact
from .procs import HOST, BenchError

SCRIPT = Path(__file__).resolve().parent / "journeys.mjs"


def node_bin() -> str | None:
    return shutil.which("node") or shutil.which("nodejs")


def crowd(
    journey: str,
    ports: list[int],
    identifiers: Callable[[int], str],
    accounts: int,
    people: int,
    seconds: float,
) -> Tally:
    """`people` doing `journey` ("morning": journeys.Morning; "signin": journeys.signins) back
    to back for `seconds`, the same people as the Python drivers; `client_cpu`: Node's own."""
    node = node_bin()
    if not node:
        raise BenchError("node not found (Debian: apt-get install nodejs)")
    given = {
        "journey": journey,
        "host": HOST,
        "ports": ports,
        "people": people,
        "seconds": seconds,
        "identifiers": [identifiers(n) for n in range(accounts)],
        "contacts": [contact(n) for n in range(accounts)],
        "password": PASSWORD,
        "typos": Morning.typos,
        "resets": Morning.resets,
    }
    proc = subprocess.Popen([node, str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(json.dumps(given).encode(), timeout=seconds + 120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode:
        raise BenchError(f"journeys.mjs exited with status {proc.returncode}:\n{err.decode(errors='replace')}")
    done = json.loads(out)
    if done["errors"]:
        print(f"  warning: {journey}: visits broke off: {done['errors']}", flush=True)
    return Tally(done["ok"], done["failed"], done["seconds"], done["latencies"], client_cpu=done["cpu_seconds"])
