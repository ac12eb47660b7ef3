"""gunicorn for production (`gunicorn -c deploy/gunicorn.conf.py guichet.wsgi`).

Sync workers: a sign-in is CPU-bound (argon2id, ~25 ms) and short, so a thread or an event
loop only adds switching; one worker per core plus one keeps a core busy while another
worker waits on the database. GUICHET_WORKERS overrides the count.
"""

import os
from pathlib import Path
from typing import Any

bind = os.environ.get("GUICHET_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUICHET_WORKERS", (os.cpu_count() or 1) + 1))
worker_class = "sync"
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


def child_exit(server: Any, worker: Any) -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
