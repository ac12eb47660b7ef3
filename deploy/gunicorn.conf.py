"""gunicorn for production (`gunicorn -c deploy/gunicorn.conf.py guichet.wsgi`).

Hashing must not starve page serving (issue 15; figures in the README, « Performance »):
nginx sends the requests that hash a password (POST of /login/, /compte/confirmer/,
/password/reset/nouveau/, /oidc/token/, /oidc/introspect/) to a pool of their own, so
that a page never waits in a worker's queue behind a sign-in. GUICHET_POOL says which
pool this gunicorn is:
- `pages`: gthread workers, one per core, 4 threads each: a page waiting on the database
  or Redis does not hold a whole process;
- `hashing`: sync workers, one per core (a sign-in is CPU-bound, argon2id: a third worker
  on 2 cores hashed no faster and slowed the pages), at nice 10: when both pools want the
  CPU, the pages get it, and the sign-ins queue in nginx a few milliseconds longer;
- `all` (default: `make run`, a single pool): gthread, one worker per core, 8 threads:
  a page may still share the CPU with sign-ins but never queues behind one.
GUICHET_WORKERS overrides the count, GUICHET_THREADS the threads.
"""

import os
from pathlib import Path
from typing import Any

_cores = os.cpu_count() or 1
pool = os.environ.get("GUICHET_POOL", "all")
if pool not in ("all", "pages", "hashing"):
    raise SystemExit(f"GUICHET_POOL={pool!r}: expected all, pages or hashing")

bind = os.environ.get("GUICHET_BIND", "0.0.0.0:8000")
worker_class = "sync" if pool == "hashing" else "gthread"
workers = int(os.environ.get("GUICHET_WORKERS", _cores))
threads = int(os.environ.get("GUICHET_THREADS", {"all": 8, "pages": 4, "hashing": 1}[pool]))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so one leaking request can't grow a process for ever.
max_requests = 5000
max_requests_jitter = 500
control_socket_disable = True
forwarded_allow_ips = os.environ.get("GUICHET_FORWARDED_ALLOW_IPS", "127.0.0.1")
errorlog = "-"
# Reset links' tokens, codes and CAS tickets are masked in access-log lines.
logger_class = "guichet.logmask.AccessLogger"
# The same default as the settings (ops/logconfig.py): JSON lines in production. There,
# gunicorn's own lines are JSON too, and Django's « request_finished » line (with the request
# id) is the access log; the demo keeps gunicorn's text access log.
_log_format = os.environ.get("GUICHET_LOG_FORMAT") or (
    "plain"
    if any(os.environ.get(flag, "") in ("1", "true", "yes", "on") for flag in ("GUICHET_DEMO", "GUICHET_DEBUG"))
    else "json"
)
if _log_format == "json":
    from guichet.logmask import MaskingFilter, mask
    from ops.logconfig import logging_config

    accesslog = None
    logconfig_dict = logging_config("json", os.environ.get("GUICHET_LOG_LEVEL", "INFO"), mask, MaskingFilter)
    logconfig_dict["loggers"]["gunicorn.error"] = {"level": "INFO", "handlers": ["console"], "propagate": False}
else:
    accesslog = "-"

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    # Whoever starts the processes empties it first (`make run`; a pod's fresh emptyDir): the
    # worker, started beside gunicorn, writes its counters there too.
    if _metrics_dir:
        Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def post_fork(server: Any, worker: Any) -> None:
    # Inherited by nothing else: the master and the pages pool keep their priority.
    if pool == "hashing":
        os.nice(10)


def child_exit(server: Any, worker: Any) -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
