"""The scale-out set-up on loopback, built from real programs: a PostgreSQL and a redis-server
(testing/redis_server.py) of the test's own (free ports, temporary folders: the machine's 5432 and 6379 are never
touched), two gunicorn nodes with deploy/gunicorn.conf.py, the huey worker, and Debian's
nginx with deploy/nginx.conf in front of both nodes.

Every wait polls an observable condition against a deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import datetime
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from testing.net import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ZIMBRA_DOMAINS = ("etu.univ-poitiers.fr", "univ-poitiers.fr")

# The test's nginx speaks TLS with a certificate it made itself.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def poll(condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.05) -> Any:
    """The first truthy value of `condition()`, tried until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)  # the pause between two looks at the condition, not a guess of a duration


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- PostgreSQL of the test's own -------------------------------------------------------------


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    return Path(shutil.which("postgres") or "postgres").parent


class Postgres:
    """A throw-away cluster. PostgreSQL refuses to run as root: as root it runs as `postgres`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = _postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="guichet-pg-"))
        self.data = self.dir / "data"
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "guichet",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        self.url = f"postgres://guichet@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _run(self, command: list[str]) -> None:
        # In its own folder: the postgres user may not enter the clone the suite runs from.
        done = subprocess.run(self._as_owner(command), cwd=self.dir, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.dir),
            # A test cluster: durability is not what is tested, start-up and restarts are.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        command = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        for key, value in options.items():
            command += ["-c", f"{key}={value}"]
        log = open(self.dir / "postgres.log", "ab")  # noqa: SIM115 - the server's own log, closed with it
        self.process = subprocess.Popen(self._as_owner(command), cwd=self.dir, stdout=log, stderr=log)
        poll(self.ready, timeout=30, what="PostgreSQL")

    def ready(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log()
        done = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
        )
        return done.returncode == 0

    def stop(self) -> None:
        # A fast shutdown, every client connection cut: an outage. pg_ctl signals the server
        # itself (runuser, in between as root, would not pass the signal on).
        if self.process is None or self.process.poll() is not None:
            return
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        self.process.wait(timeout=20)

    def log(self) -> str:
        path = self.dir / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Guichet: two nodes and the worker -----------------------------------------------------


class Guichet:
    def __init__(self, folder: Path, database: str, redis: str, smtp_port: int) -> None:
        self.folder = folder
        self.python, self.base = PYTHON, BASE_DIR
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "PROMETHEUS"))
        }
        self.env = {
            **inherited,
            "DATABASE_URL": database,
            "REDIS_URL": redis,
            # The test settings (fast hasher, keys made under GUICHET_VAR_DIR/test-keys/), but a
            # real queue: the worker, not the request, sends the mail.
            "GUICHET_TESTING": "1",
            "GUICHET_HUEY_IMMEDIATE": "0",
            "GUICHET_VAR_DIR": str(folder / "var"),
            "GUICHET_BEHIND_PROXY": "1",
            "GUICHET_STATUS_PROBES": "0",
            "GUICHET_EMAIL_BACKEND": "smtp",
            "GUICHET_SMTP_HOST": "127.0.0.1",
            "GUICHET_SMTP_PORT": str(smtp_port),
            "GUICHET_SMTP_TIMEOUT": "3",
            "GUICHET_LOG_FORMAT": "json",
            # The worker runs the start-up checks: Zimbra's preauth keys must be there.
            "GUICHET_ZIMBRA_PREAUTH_KEYS": ",".join(f"{d}={'ab' * 32}" for d in ZIMBRA_DOMAINS),
        }
        self.nodes: dict[str, tuple[int, subprocess.Popen | None]] = {}
        self.worker: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - the process's own log, closed with it
        # A process group of its own, so that killing a node kills its workers with it.
        return subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True)

    def start_node(self, name: str, port: int | None = None) -> None:
        port = port or free_port()
        command = [GUNICORN, "-c", str(DEPLOY / "gunicorn.conf.py"), "guichet.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
        self.nodes[name] = (port, self._spawn(name, command))

    def wait_node(self, name: str) -> None:
        port, process = self.nodes[name]

        def alive() -> bool:
            assert process is not None and process.poll() is None, self.log(name)
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200
            except requests.ConnectionError:
                return False

        poll(alive, timeout=90, what=f"node {name}")

    def kill_node(self, name: str) -> None:
        # The whole node dies (a crashed machine): the master and its workers at once; an
        # orphaned worker finishing its keep-alive connections would otherwise hold the port.
        port, process = self.nodes[name]
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        self.nodes[name] = (port, None)

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", [PYTHON, "manage.py", "run_huey", "--quiet"])

    def worker_alive(self) -> bool:
        assert self.worker is not None and self.worker.poll() is None, self.log("worker")
        return True

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.nodes[name][0]}"

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for _port, process in self.nodes.values():
            stop(process)
        stop(self.worker)


# --- nginx ---------------------------------------------------------------------------------


def certificate(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "guichet.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


class Nginx:
    """deploy/nginx.conf as shipped, with only paths, ports and the upstream servers rewritten."""

    def __init__(self, folder: Path, upstreams: list[str]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        certificate(folder)
        (folder / "cache").mkdir(exist_ok=True)
        self.port, plain = free_port(), free_port()
        conf = (DEPLOY / "nginx.conf").read_text()
        servers = "".join(f"server {upstream};\n    " for upstream in upstreams)
        # Both upstreams (pages, hashing) point at the nodes: each test node runs one pool for both.
        conf, replaced = re.subn(r"server 127\.0\.0\.1:800[01];[^\n]*\n    ", servers, conf)
        assert replaced == 2, "deploy/nginx.conf's upstream lines changed: update the test's rewriting"
        for old, new in [
            ("/etc/ssl/guichet", str(folder)),
            ("/var/cache/nginx", str(folder / "cache")),
            ("/var/log/nginx", str(folder)),
            ("/srv/guichet/staticfiles", str(folder / "static")),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.port} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{plain};"),
            ("listen [::]:80;", ""),
        ]:
            conf = conf.replace(old, new)
        self.main = folder / "nginx.conf"
        # One process: workers would run as nobody and could not read the test's private folder.
        self.main.write_text(
            f"pid {folder}/nginx.pid; error_log {folder}/error.log; daemon off; master_process off;\n"
            f"events {{}}\nhttp {{\n access_log off;\n"
            + "".join(f" {k}_temp_path {folder}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + conf
            + "\n}\n"
        )
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.binary, "-c", str(self.main), "-p", str(self.folder)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)

        def up() -> bool:
            assert self.process is not None and self.process.poll() is None, "nginx exited"
            return listening(self.port)

        poll(up, timeout=20, what="nginx")

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process)


# --- a person's browser --------------------------------------------------------------------


class Browser:
    """Cookies kept across every node (cookies ignore ports), CSRF answered like a browser."""

    def __init__(self, language: str = "fr") -> None:
        self.session = requests.Session()
        # Per request: a session's verify=False loses to REQUESTS_CA_BUNDLE in the environment.
        self.verify = False
        self.session.headers["Accept-Language"] = language

    def get(self, base: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(base + path, timeout=15, allow_redirects=False, verify=self.verify, **kwargs)

    def post(self, base: str, path: str, data: dict[str, str]) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get(base, path)
        token = self.session.cookies.get("csrftoken", "")
        # The origin a browser sends: nginx passes the host without its port.
        host = base.split("://", 1)[1]
        origin = base if base.startswith("http://") else "https://" + host.split(":")[0]
        return self.session.post(
            base + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Origin": origin, "Referer": base + path},
            timeout=15,
            allow_redirects=False,
            verify=self.verify,
        )
