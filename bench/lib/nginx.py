"""nginx on loopback: a static file (the reference) or a proxy in front of gunicorn pools."""

import os
import shutil
import subprocess
from pathlib import Path

from .procs import HOST, INSTALL_HINT, BenchError, free_port, get, start, wait_until_up


def nginx_bin() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not found:
        raise BenchError(f"nginx not found (the baseline). {INSTALL_HINT}")
    return found


def _config(root: Path, workers: int, nginx: str, http: str) -> str:
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True, timeout=10).stderr
    # Every temporary directory the binary was built with goes under our own directory.
    temp_paths = "".join(
        f"    {kind}_temp_path {root / 'tmp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        if f"--http-{kind.replace('_body', '-body')}-temp-path" in built
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes {workers};\n"
        "daemon off;\n"
        f"pid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    access_log off;\n"
        "    sendfile on;\n"
        "    default_type text/html;\n"
        f"{temp_paths}{http}"
        "}\n"
    )


def _run(root: Path, workers: int, http: str, probe: str) -> tuple[subprocess.Popen[bytes], int]:
    nginx = nginx_bin()
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(_config(root, workers, nginx, http.replace("{PORT}", str(port))))
    log = root / "stderr.log"
    proc = start([nginx, "-p", f"{root}/", "-e", str(root / "error.log"), "-c", str(conf)], log, dict(os.environ))
    wait_until_up(proc, port, probe, root / "error.log", "nginx")
    return proc, port


def start_static(root: Path, files: dict[str, bytes], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """nginx serving each of `files` (URL path → the same bytes, hence exactly the same size)."""
    www = root / "www"
    for path, content in files.items():
        target = www / (path.strip("/") or "index.html")
        target = target / "index.html" if path.endswith("/") and path != "/" else target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    server = f"    server {{\n        listen {HOST}:{{PORT}};\n        root {www};\n        index index.html;\n    }}\n"
    proc, port = _run(root, workers, server, next(iter(files)))
    for path, content in files.items():
        status, body = get(port, path)
        if status != 200 or len(body) != len(content):
            raise BenchError(f"nginx served {path} with {status} and {len(body)} bytes instead of {len(content)}")
    return proc, port


def start_proxy(root: Path, pages: list[int], hashing: list[int] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """nginx in front of gunicorn ports, as deploy/nginx.conf (without TLS and cache).

    `hashing`: a second pool that gets the requests that hash a password (POST of the sign-in
    and reset forms), so that pages never queue behind them. X-Forwarded-For is passed on
    as the client sent it: the bench plays many addresses from loopback.
    """
    upstreams = "".join(
        f"    upstream {name} {{\n"
        + "".join(f"        server {HOST}:{p};\n" for p in ports)
        + "        keepalive 32;\n    }\n"
        for name, ports in (("pages", pages), ("hashing", hashing or pages))
    )
    proxy = (
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "            proxy_set_header Host $host;\n"
        "            proxy_set_header X-Forwarded-For $http_x_forwarded_for;\n"
    )
    server = (
        f"{upstreams}"
        "    map $request_method $pool { default pages; POST hashing; }\n"
        "    server {\n"
        f"        listen {HOST}:{{PORT}};\n"
        f"        location / {{\n            proxy_pass http://pages;\n{proxy}        }}\n"
        f"        location ~ ^/(login|compte/confirmer|password/reset/nouveau|oidc/token|oidc/introspect)/$ {{\n"
        f"            proxy_pass http://$pool;\n{proxy}        }}\n"
        "    }\n"
    )
    return _run(root, 2, server, "/healthz")
