"""Security headers and production settings, checked as a deployment would see them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_every_page_sends_a_strict_csp_and_the_usual_headers(client, poitiers):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def _production(tmp_path, code: str, **extra) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "GUICHET_TESTING": "0",
        "GUICHET_VAR_DIR": str(tmp_path),
        "GUICHET_SECRET_KEY": "x" * 60 + "production-like-secret",
        "DJANGO_SETTINGS_MODULE": "guichet.settings",
        **extra,
    }
    env.pop("PYTEST_VERSION", None)
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests, never in production
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
plain = c.get("/accessibilite/", HTTP_HOST="localhost")
secure = c.get("/healthz", HTTP_HOST="localhost", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
    "debug": settings.DEBUG,
}))
"""


def test_production_redirects_to_https_and_sends_hsts_with_secure_cookies(tmp_path):
    result = _production(tmp_path, PRODUCTION_PROBE)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["plain"] == [301, "https://localhost/accessibilite/"]
    assert data["hsts"].startswith("max-age=31536000")
    assert data["cookies"] == [True, True, True]
    assert data["debug"] is False


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    code = "import sys; from django.core.management import execute_from_command_line as m; "
    assert _production(tmp_path, code + "m(['manage.py', 'generate_keys'])").returncode == 0  # as make run does
    result = _production(tmp_path, code + "m(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
