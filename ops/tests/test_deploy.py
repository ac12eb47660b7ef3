"""deploy/: the manifests parse against Kubernetes' schemas, the image runs as a non-root user
with the packages the product needs, and nginx with deploy/nginx.conf really sits in front of
Guichet: TLS, the request id, the client's own address, the short cache of anonymous pages."""

import http.client
import ssl
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from .harness import Nginx

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
                if "httpGet" in container.get(probe, {}):  # the sidecar's liveness is a tcpSocket
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


@pytest.fixture
def nginx(tmp_path, site):
    """deploy/nginx.conf as shipped in front of the live server (the scale-out harness's)."""
    server = Nginx(tmp_path, [site.removeprefix("http://")])
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "same_language", "other_language", "remembered"),
    [("/", "/aide/", "/en/help/", "fr"), ("/en/", "/en/help/", "/aide/", "en")],
    ids=["to French", "to English"],
)
def test_a_language_switch_reaches_guichet_and_is_remembered(
    nginx, settings, path, same_language, other_language, remembered
):
    get(nginx, path)
    within, _ = get(nginx, path, headers={"Referer": f"https://localhost{same_language}"})
    assert within.getheader("X-Cache-Status") == "HIT"  # a link within one language: from the cache
    switch, _ = get(nginx, path, headers={"Referer": f"https://localhost{other_language}"})
    assert switch.getheader("X-Cache-Status") == "BYPASS"
    assert f"{settings.LANGUAGE_COOKIE_NAME}={remembered};" in (switch.getheader("Set-Cookie") or "")
