"""The peak bench's legs: each starts what it needs, loads it, and returns its figures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .client import Tally, drive, paced
from .guichet import Pool, Server, start_gunicorn
from .journeys import Morning, signins
from .nginx import start_proxy, start_static
from .procs import BenchError, cores_idle, cpu_seconds, get, stop
from .wrk import Result, load


@dataclass
class Run:
    """One bench run: its scratch directory, durations, and every figure printed at the end."""

    tmp: Path
    seconds: float
    connections: int
    people: int
    accounts: int
    legs: set[str]
    lines: list[tuple[str, str, str, bool | None]] = field(default_factory=list)

    def wants(self, *names: str) -> bool:
        return bool(self.legs.intersection(names))

    def figure(self, label: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.lines.append((label, value, target, met))
        mark = "" if met is None else (" [ok]" if met else " [NOT MET]")
        print(f"  {label}: {value}" + (f"  (target: {target}){mark}" if target else ""), flush=True)


ROUNDS = 3  # the figures are medians of three runs, side by side


def _median(runs: list[Result]) -> Result:
    """The median run by rate, with the median p99 of the runs (a VM pause lands in one run)."""
    ordered = sorted(runs, key=lambda r: r.rps)
    middle = ordered[len(ordered) // 2]
    p99 = sorted(r.p99 for r in runs)[len(runs) // 2]
    return Result(middle.target, middle.size, middle.rps, middle.p50, middle.p90, p99, middle.requests, middle.errors)


def pages(run: Run, server: Server) -> list[Result]:
    """Home and /login/ from gunicorn, then the very same bytes from nginx, wrk for each;
    three rounds, each target in turn within a round, and each figure the median of three."""
    files: dict[str, bytes] = {}
    for path in ("/", "/login/"):
        status, body = get(server.port, path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}")
        files[path] = body
    seconds = max(1, int(run.seconds))
    proc, port = start_static(run.tmp / "nginx-static", files, 2)
    rounds: dict[str, list[Result]] = {}
    try:
        for _ in range(ROUNDS):
            for who, where in (("guichet", server.port), ("nginx", port)):
                for path, body in files.items():
                    target = f"{who} {path}"
                    rounds.setdefault(target, []).append(load(target, len(body), where, seconds, run.connections, path))
    finally:
        stop(proc)
    results = [_median(runs) for runs in rounds.values()]
    for path in files:
        mine, ref = (next(r for r in results if r.target == f"{who} {path}") for who in ("guichet", "nginx"))
        share = mine.rps / ref.rps
        run.figure(
            f"{path} req/s (p99) beside nginx, medians of {ROUNDS}",
            f"{mine.rps:,.0f} ({mine.p99 * 1000:.1f} ms) vs {ref.rps:,.0f} ({ref.p99 * 1000:.1f} ms) = {share:.1%}",
            "≥ 5 % of nginx, p99 < 20 ms" if path == "/" else "",
            (share >= 0.05 and mine.p99 < 0.020) if path == "/" else None,
        )
        errors = sum(r.errors for r in rounds[mine.target])
        if errors:
            print(f"  warning: {mine.target}: {errors} errors in {ROUNDS} runs")
    return results


def sign_ins(
    run: Run,
    label: str,
    where: Deployment,
    limit_now: Callable[[], float],
    identifiers: Callable[[int], str],
    target: str = "",
) -> Tally:
    """Full sign-ins as fast as `connections` browsers go; rate beside the hash limit, CPU per sign-in.

    The limit is measured just before and just after, and averaged: the machine's load may
    change during the leg.
    """
    drive(signins([where.port], identifiers, run.accounts), run.connections, min(2.0, run.seconds / 2))  # warm-up
    before = limit_now()
    cpu, proxy, client = where.cpu(), cpu_seconds(where.nginx_pid), time.process_time()
    tally = drive(signins([where.port], identifiers, run.accounts), run.connections, run.seconds)
    done = max(tally.ok, 1)
    cpu_ms = (where.cpu() - cpu) * 1000 / done
    # What else the two cores spent on each sign-in: the limit counts every core as hashing.
    proxy_ms = (cpu_seconds(where.nginx_pid) - proxy) * 1000 / done
    client_ms = (time.process_time() - client) * 1000 / done
    limit = (before + limit_now()) / 2
    share = tally.rate / limit
    run.figure(
        f"{label}: sign-ins/s beside the argon2 limit",
        f"{tally.rate:.1f} vs {limit:.1f} = {share:.0%} ({tally.failed} failed, p99 {tally.p(99) * 1000:.0f} ms)",
        target or "≥ 90 % of the hash limit",
        share >= 0.9 if not target else None,
    )
    run.figure(f"{label}: CPU per sign-in (workers)", f"{cpu_ms:.1f} ms")
    beside = f"{proxy_ms:.1f}; {client_ms:.1f} ms"
    run.figure(f"{label}: CPU per sign-in beside them (nginx; the bench's client)", beside)
    return tally


@dataclass
class Design:
    """How the pages and the hashing end points are served; `hashing` None: one pool for all."""

    name: str
    pages: Pool
    hashing: Pool | None = None


@dataclass
class Deployment:
    port: int  # nginx's
    servers: list[Server]  # the pages pool first
    nginx_pid: int

    def cpu(self) -> float:
        return sum(cpu_seconds(s.proc.pid) for s in self.servers)


@contextmanager
def deployed(run: Run, env: dict[str, str], log: Path, design: Design) -> Iterator[Deployment]:
    """The design's gunicorn pool(s) behind nginx, which routes the hashing POSTs as deploy/nginx.conf."""
    servers = [start_gunicorn(env, log, design.pages)]
    try:
        if design.hashing:
            servers.append(start_gunicorn(env, log, design.hashing))
        hashing = [servers[-1].port] if design.hashing else None
        proc, port = start_proxy(run.tmp / f"nginx-{len(run.lines)}", [servers[0].port], hashing)
        try:
            yield Deployment(port, servers, proc.pid)
        finally:
            stop(proc)
    finally:
        for server in servers:
            stop(server.proc)


def storm(run: Run, env: dict[str, str], log: Path, design: Design, rate: float = 20.0) -> tuple[Tally, Tally]:
    """Behind nginx: the home page at `rate`/s alone, then the same during a sign-in storm."""
    with deployed(run, env, log, design) as deployment:
        port = deployment.port
        # Warm-up: every worker's first requests import, compile templates and fill the caches.
        drive(signins([port], _bench_identifier, run.accounts), run.connections, 1.5)
        paced(port, "/", rate * 2, 1.0)
        quiet = paced(port, "/", rate, max(2.0, run.seconds / 2))
        storm_tally: list[Tally] = []
        stormer = threading.Thread(
            target=lambda: storm_tally.append(
                drive(signins([port], _bench_identifier, run.accounts), run.connections, run.seconds + 1)
            )
        )
        stormer.start()
        home = paced(port, "/", rate, run.seconds)
        stormer.join()
    run.figure(
        f"storm, {design.name}: home p99 at {rate:.0f}/s alone / during",
        f"{quiet.p(99) * 1000:.1f} ms / {home.p(99) * 1000:.1f} ms, served {home.ok / run.seconds:.1f}/s, "
        f"sign-ins meanwhile {storm_tally[0].rate:.1f}/s",
        "p99 < 50 ms during the storm",
        home.p(99) < 0.050 and home.failed == 0,
    )
    return home, storm_tally[0]


def _bench_identifier(n: int) -> str:
    from .seed import identifier

    return identifier(n)


def scaling(run: Run, env: dict[str, str], log: Path, per_node: Pool) -> float:
    """The morning's visits on one node pinned to core 0, then two nodes on cores 0 and 1.

    Both nodes start once; the one-node and two-node measures alternate, twice each, so that
    a change in the machine's load during the leg falls on both alike. The client shares
    both cores (this machine has no third). Beside the rates: the nodes' CPU per visit (the
    same with one node and two: nothing shared between them makes a visit dearer), the
    client's own (this process's CPU time, taken from the nodes), and the share of the two
    cores left idle (/proc/stat): with two nodes, what is idle is what the nodes could not
    use — they were waiting, not short of CPU.
    """
    pool = (per_node.workers, per_node.worker_class, per_node.threads)
    nodes = [start_gunicorn(env, log, Pool(*pool, cpus={core})) for core in (0, 1)]
    tallies: dict[int, list[Tally]] = {1: [], 2: []}
    # Per node count: the nodes' workers' CPU seconds, the client's, the machine's idle ticks and all its ticks.
    spent: dict[int, list[float]] = {1: [0.0] * 4, 2: [0.0] * 4}
    try:
        for count in (1, 2):  # warm-up of both
            drive(Morning([n.port for n in nodes[:count]], _bench_identifier, run.accounts), run.people, 1.0)
        for count in (1, 2, 2, 1):
            morning = Morning([n.port for n in nodes[:count]], _bench_identifier, run.accounts)
            before = [sum(cpu_seconds(n.proc.pid) for n in nodes), time.process_time(), *cores_idle()]
            tallies[count].append(drive(morning, run.people, run.seconds / 2))
            after = [sum(cpu_seconds(n.proc.pid) for n in nodes), time.process_time(), *cores_idle()]
            spent[count] = [total + a - b for total, a, b in zip(spent[count], after, before, strict=True)]
    finally:
        for node in nodes:
            stop(node.proc)
    rates = {}
    for count, parts in tallies.items():
        rates[count] = sum(t.ok for t in parts) / sum(t.seconds for t in parts)
        failed, p99 = sum(t.failed for t in parts), max(t.p(99) for t in parts)
        visits = max(sum(t.ok for t in parts), 1)
        nodes_cpu, client_cpu, idle, ticks = spent[count]
        run.figure(
            f"{count} node(s), one core each: people/s (home, sign-in, « Mes services »)",
            f"{rates[count]:.1f} ({failed} failed, p99 {p99 * 1000:.0f} ms per visit; CPU per visit: "
            f"{nodes_cpu * 1000 / visits:.1f} ms the nodes', {client_cpu * 1000 / visits:.1f} ms the client's; "
            f"cores idle {idle / max(ticks, 1):.0%})",
        )
    ratio = rates[2] / rates[1] if rates[1] else 0.0
    run.figure("2 nodes / 1 node", f"{ratio:.2f}×", "≥ 1.8×", ratio >= 1.8)
    return ratio
