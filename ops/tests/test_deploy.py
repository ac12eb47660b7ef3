"""deploy/: the manifests parse against Kubernetes' schemas, the image runs as a non-root user
with the packages the product needs, and nginx with deploy/nginx.conf really sits in front of
Guichet: TLS, the request id, the client's own address, the short cache of anonymous pages."""

import datetime
import http.client
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.urls import resolve

DEPLOY = Path(settings.BASE_DIR) / "deploy"
KUBERNETES_VERSION = "1.30.0"


def documents() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def test_every_manifest_is_valid_for_kubernetes():
    kinds = set()
    for doc in documents():
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        kinds.add(doc["kind"])
    assert {"Deployment", "Service", "Ingress", "CronJob", "Secret", "ConfigMap"} <= kinds


def test_a_broken_manifest_is_caught():
    web = next(doc for doc in documents() if doc["metadata"]["name"] == "guichet-web")
    web["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/healthz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_probes_point_at_real_end_points_and_pods_run_unprivileged():
    for doc in documents():
        if doc["kind"] != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            for probe in ("livenessProbe", "readinessProbe"):
                if probe in container:
                    assert resolve(container[probe]["httpGet"]["path"])


def test_the_image_is_debian_slim_non_root_with_the_runtime_packages():
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    assert lines[[line.startswith("FROM") for line in lines].index(True)].startswith("FROM debian:12-slim")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    installed = " ".join(line for line in lines if "apt-get install" in line)
    for package in ("gettext", "xmlsec1", "python3-venv", "postgresql-client"):
        assert package in installed


# --- nginx in front of a live Guichet --------------------------------------------------


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, site):
    """deploy/nginx.conf as shipped, with only paths, ports and the upstream rewritten."""
    certificate(tmp_path)
    (tmp_path / "cache").mkdir()
    port, plain = free_port(), free_port()
    upstream = site.removeprefix("http://")
    conf = (DEPLOY / "nginx.conf").read_text()
    for old, new in [
        ("127.0.0.1:8000", upstream),
        ("127.0.0.1:8001", upstream),  # the hashing pool: the test's one gunicorn serves both
        ("/etc/ssl/guichet", str(tmp_path)),
        ("/var/cache/nginx", str(tmp_path / "cache")),
        ("/var/log/nginx", str(tmp_path)),
        ("/srv/guichet/staticfiles", str(tmp_path / "static")),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{plain};"),
        ("listen [::]:80;", ""),
    ]:
        conf = conf.replace(old, new)
    main = tmp_path / "nginx.conf"
    # One process: workers would run as nobody and could not read the test's private folder.
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off; master_process off;\n"
        f"events {{}}\nhttp {{\n access_log off;\n"
        + "".join(f" {k}_temp_path {tmp_path}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + conf
        + "\n}\n"
    )
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run([nginx_bin, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([nginx_bin, "-c", str(main), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        wait_until_listening(process, port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_listening(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        try:  # doubles as the pause between two attempts, and notices an early exit
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        break
    raise RuntimeError(f"nginx did not start on 127.0.0.1:{port}")


def get(port: int, path: str, *, source: str = "127.0.0.1", headers: dict | None = None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(source, 0))
    connection.request("GET", path, headers={"Host": "localhost", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.django_db(transaction=True)
def test_nginx_passes_the_request_id_and_the_real_client_address(nginx, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.GUICHET_METRICS_ALLOWED = ["127.0.0.5/32"]
    allowed, _ = get(nginx, "/metrics", source="127.0.0.5")
    refused, _ = get(nginx, "/metrics", source="127.0.0.6", headers={"X-Forwarded-For": "127.0.0.5"})
    assert allowed.status == 200 and refused.status == 404  # a forged header does not help
    first, second = allowed.getheader("X-Request-ID"), refused.getheader("X-Request-ID")
    assert first and second and first != second
    # nginx sends its id once; Guichet's echo of the same id is hidden, not repeated.
    assert len(first) == 32 and "," not in first and len(allowed.getheaders()) == len(set(allowed.getheaders()))


@pytest.mark.django_db(transaction=True)
def test_nginx_keeps_anonymous_pages_briefly_and_never_personal_ones(nginx, settings):
    statuses = [get(nginx, "/")[0].getheader("X-Cache-Status") for _ in range(2)]
    assert statuses == ["MISS", "HIT"]
    assert get(nginx, "/?q=x")[0].getheader("X-Cache-Status") == "BYPASS"
    personal, _ = get(nginx, "/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}=abc"})
    assert personal.getheader("X-Cache-Status") == "BYPASS"
