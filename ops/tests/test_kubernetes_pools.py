"""The web pod runs deploy/nginx.conf's split (issue 15): a pages pool and a hashing pool, each
probed, behind an nginx sidecar whose routing regex is deploy/nginx.conf's own — read from both
files here, so that they cannot drift — and which really sends the hashing POSTs to :8001."""

import http.client
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from testing.net import free_port

from .harness import listening, poll, stop
from .test_deploy import DEPLOY, documents

LOCATION = re.compile(r"location ~ (\S+) \{")


def web_pod() -> dict:
    return next(doc for doc in documents() if doc["metadata"]["name"] == "guichet-web")["spec"]["template"]["spec"]


def pools() -> dict[str, dict]:
    found = {}
    for container in web_pod()["containers"]:
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        if "GUICHET_POOL" in env:
            found[env["GUICHET_POOL"]] = {**container, "env": env}
    return found


def sidecar_conf() -> str:
    config = next(
        doc for doc in documents() if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "guichet-nginx"
    )
    return config["data"]["guichet.conf"]


def test_the_web_pod_runs_a_pages_pool_on_8000_and_a_hashing_pool_on_8001():
    found = pools()
    assert set(found) == {"pages", "hashing"}
    for pool, port in (("pages", 8000), ("hashing", 8001)):
        container = found[pool]
        assert container["args"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "guichet.wsgi"]
        assert container["env"]["GUICHET_BIND"] == f"0.0.0.0:{port}"
        assert [p["containerPort"] for p in container["ports"]] == [port]
        # Probed on its own port: a pool that dies is restarted, one that is not ready is seen.
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["port"] == container["ports"][0]["name"]
        assert container["readinessProbe"]["httpGet"]["port"] == container["ports"][0]["name"]
        probe_host = container["readinessProbe"]["httpGet"]["httpHeaders"][0]["value"]
        allowed = next(doc for doc in documents() if doc["metadata"]["name"] == "guichet-config")["data"]
        assert probe_host in allowed["GUICHET_ALLOWED_HOSTS"].split(",")
        assert "memory" in container["resources"]["limits"]
    # Lower priority between containers is the CPU request (the cgroup weight).
    cpu = {pool: _cores(found[pool]["resources"]["requests"]["cpu"]) for pool in found}
    assert cpu["hashing"] < cpu["pages"]


def _cores(quantity: str) -> float:
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_the_service_reaches_the_sidecar_which_reads_the_routing_config_map():
    pod = web_pod()
    service = next(doc for doc in documents() if doc["kind"] == "Service" and doc["metadata"]["name"] == "guichet")
    target = service["spec"]["ports"][0]["targetPort"]
    (sidecar,) = [c for c in pod["containers"] if any(p.get("name") == target for p in c.get("ports", []))]
    assert "GUICHET_POOL" not in {item["name"] for item in sidecar.get("env", [])}
    mounted = {m["name"] for m in sidecar["volumeMounts"]}
    assert {"configMap": {"name": "guichet-nginx"}} in [
        {k: v for k, v in volume.items() if k != "name"} for volume in pod["volumes"] if volume["name"] in mounted
    ]
    assert "livenessProbe" in sidecar and "readinessProbe" in sidecar


def test_the_sidecar_routes_with_the_very_regex_of_deploy_nginx_conf():
    shipped = LOCATION.findall((DEPLOY / "nginx.conf").read_text())
    sidecar = LOCATION.findall(sidecar_conf())
    assert len(shipped) == 1 and sidecar == shipped
    assert "POST    guichet_hashing;" in sidecar_conf() and "server 127.0.0.1:8001;" in sidecar_conf()


# --- the sidecar's config in Debian's nginx, in front of two stand-in pools ------------------


class _Pool(BaseHTTPRequestHandler):
    """Answers with its pool's name and the headers nginx passed on."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = f"{self.server.pool} {self.headers['Host']} {self.headers['X-Forwarded-For']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp_path = tmp_path_factory.mktemp("sidecar")
    servers = []
    conf = sidecar_conf()
    for pool, port in (("pages", 8000), ("hashing", 8001)):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Pool)
        server.pool = pool
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        conf, count = re.subn(rf"127\.0\.0\.1:{port};", f"127.0.0.1:{server.server_port};", conf)
        assert count == 1
    listen = free_port()
    conf, count = re.subn(r"listen 8080;", f"listen 127.0.0.1:{listen};", conf)
    assert count == 1
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off; master_process off;\n"
        "events {}\nhttp {\n"
        + "".join(f" {k}_temp_path {tmp_path}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + conf
        + "\n}\n"
    )
    command = [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(main), "-p", str(tmp_path)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        poll(lambda: process.poll() is None and listening(listen), timeout=20, what="nginx sidecar")
        yield listen
    finally:
        stop(process)
        for server in servers:
            server.shutdown()
            server.server_close()


def _ask(port: int, method: str, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": "guichet.example.org", "X-Forwarded-For": "203.0.113.7"}
    connection.request(method, path, body=b"x=1" if method == "POST" else None, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 200
    return body


@pytest.mark.parametrize(
    ("method", "path", "pool"),
    [
        ("POST", "/login/", "hashing"),
        ("POST", "/en/login/", "hashing"),
        ("POST", "/compte/confirmer/", "hashing"),
        ("POST", "/en/password/reset/nouveau/", "hashing"),
        ("POST", "/oidc/token/", "hashing"),
        ("POST", "/oidc/introspect/", "hashing"),
        ("GET", "/login/", "pages"),  # the form is a page
        ("GET", "/oidc/token/", "pages"),
        ("POST", "/services/", "pages"),
        ("POST", "/login/autre/", "pages"),
        ("POST", "/de/login/", "pages"),
        ("GET", "/healthz", "pages"),
    ],
)
def test_the_sidecar_sends_the_hashing_posts_to_8001_and_the_rest_to_8000(sidecar, method, path, pool):
    # The Ingress's Host and client address reach Guichet untouched (GUICHET_ALLOWED_HOSTS,
    # GUICHET_BEHIND_PROXY's last hop).
    assert _ask(sidecar, method, path) == f"{pool} guichet.example.org 203.0.113.7"
