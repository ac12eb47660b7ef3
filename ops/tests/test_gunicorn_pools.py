"""deploy/gunicorn.conf.py: the pool GUICHET_POOL names decides the worker class, count and priority.

Figures and reasons: README, « Performance » (bench/peak.py --designs).
"""

import os
import runpy
from pathlib import Path
from typing import Any

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("GUICHET_POOL", "GUICHET_WORKERS", "GUICHET_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_the_hashing_pool_is_one_sync_worker_per_core_at_lower_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = conf(monkeypatch, GUICHET_POOL="hashing")
    assert (settings["worker_class"], settings["workers"]) == ("sync", os.cpu_count() or 1)
    niced: list[int] = []
    monkeypatch.setattr(os, "nice", niced.append)
    settings["post_fork"](None, None)
    assert niced == [10]


def test_the_pages_pool_uses_threads_and_keeps_its_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = conf(monkeypatch, GUICHET_POOL="pages")
    assert (settings["worker_class"], settings["workers"], settings["threads"]) == ("gthread", os.cpu_count() or 1, 4)
    niced: list[int] = []
    monkeypatch.setattr(os, "nice", niced.append)
    settings["post_fork"](None, None)
    assert niced == []


def test_one_pool_for_all_by_default_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (conf(monkeypatch)["worker_class"], conf(monkeypatch)["threads"]) == ("gthread", 8)
    settings = conf(monkeypatch, GUICHET_WORKERS="5", GUICHET_THREADS="2")
    assert (settings["workers"], settings["threads"]) == (5, 2)


def test_an_unknown_pool_stops_gunicorn_with_the_names_it_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="expected all, pages or hashing"):
        conf(monkeypatch, GUICHET_POOL="hash")
