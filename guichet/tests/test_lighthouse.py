"""Lighthouse (npm `lighthouse` 12.8.2, Debian's Chromium) on the home, sign-in and reset pages:
accessibility and best practices 100, performance 95 or more; the home page's first view
stays under 150 KB with no request to another host."""

import contextlib
import json
import os
import subprocess
from urllib.parse import urlsplit

import pytest

from testing.browser import ROOT

pytestmark = pytest.mark.browser
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "artifacts" / "lighthouse"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


# Lighthouse's own word for a trace it failed to record (NO_NAVSTART: seen in full runs with
# Chromium 156, twice in a row once, never when the file runs alone): nothing about the page.
# It asks to be run again: up to three times in all, and only for that.
AGAIN = "Please run Lighthouse again"
# Lighthouse scores performance from how long the page's own work took in Chromium: another
# suite on the same cores (CI runs two side by side) made the sign-in page's blocking time
# 510 ms instead of 0. Lighthouse and the Chromium it starts (which inherits the priority) run
# ahead of the neighbours when the system allows it (as root, as CI runs); the page's work is
# then measured, not the machine's load.
PRIORITY = -10


def _ahead_of_the_neighbours() -> None:
    with contextlib.suppress(PermissionError):  # not root: the usual priority
        os.nice(PRIORITY)


def _audit(url: str, name: str) -> dict:
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{name}.json"
    for attempt in (1, 2, 3):
        done = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             "--only-categories=performance,accessibility,best-practices", f"--chrome-flags={FLAGS}"],
            capture_output=True, text=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, timeout=180,
            preexec_fn=_ahead_of_the_neighbours,
        )  # fmt: skip
        if done.returncode == 0 or attempt == 3 or AGAIN not in done.stderr:
            break
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "path"), [("home", "/"), ("login", "/login/"), ("reset", "/password/reset/")])
def test_lighthouse_scores(site, name, path):
    # localhost, not 127.0.0.1: Lighthouse counts localhost as a secure origin, as HTTPS is.
    url = site.replace("127.0.0.1", "localhost") + path
    result = _audit(url, name)
    scores = {key: round(category["score"] * 100) for key, category in result["categories"].items()}
    assert scores["accessibility"] == 100, scores
    assert scores["best-practices"] == 100, scores
    assert scores["performance"] >= 95, scores
    if name == "home":
        requests = result["audits"]["network-requests"]["details"]["items"]
        assert sum(r.get("transferSize", 0) for r in requests) < 150_000
        hosts = {urlsplit(r["url"]).hostname for r in requests if r["url"].startswith("http")}
        assert hosts == {"localhost"}, hosts
