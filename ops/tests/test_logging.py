"""Log lines: JSON with the request id (echoed in the response), secrets masked."""

import io
import json
import logging.config

import pytest
from django.conf import settings as django_settings
from django.db import ProgrammingError, connection
from django.test import Client

from guichet.logmask import MaskingFilter, mask
from ops import logconfig
from testing.outages import no_database

pytestmark = pytest.mark.django_db

TOKEN = "Zq3x9-secret-reset-token-4711"
CODE = "83920175"
TICKET = "ST-1-aV3ryS3cretTicketValue"


@pytest.fixture
def json_lines():
    """The settings' logging switched to JSON for one test; the lines written, parsed."""
    logging.config.dictConfig(logconfig.logging_config("json", "INFO", mask, MaskingFilter))
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.setStream(buffer)

    def lines() -> list[dict]:
        text = buffer.getvalue()
        assert text, "nothing was logged"
        return [json.loads(line) for line in text.splitlines()]  # every line is JSON, or this fails

    yield lines
    logging.config.dictConfig(django_settings.LOGGING)


def test_a_requests_lines_are_json_and_carry_the_proxys_request_id(client, json_lines, settings):
    settings.DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # behind the proxy
    response = client.get("/page-that-does-not-exist/", HTTP_X_REQUEST_ID="4f1c0ffee")
    assert response.status_code == 404 and response["X-Request-ID"] == "4f1c0ffee"
    lines = json_lines()
    finished = [line for line in lines if line["event"] == "request_finished"]
    assert finished and finished[0]["code"] == 404 and finished[0]["level"] == "warning"
    # Django's own line (« Not Found ») carries the id too, like every line of the request.
    assert {line["request_id"] for line in lines} == {"4f1c0ffee"}
    assert all({"timestamp", "level", "logger"} <= line.keys() for line in lines)


def test_without_the_proxy_a_clients_id_is_not_taken_a_fresh_one_is_echoed(client, json_lines):
    response = client.get("/page-that-does-not-exist/", HTTP_X_REQUEST_ID="chosen-by-the-client")
    echoed = response["X-Request-ID"]
    assert echoed != "chosen-by-the-client" and len(echoed) == 36
    assert {line["request_id"] for line in json_lines()} == {echoed}


@pytest.mark.parametrize(
    "path",
    [
        f"/password/reset/lien/{TOKEN}/",
        f"/en/password/reset/link/{TOKEN}/",
        f"/cas/serviceValidate?service=https%3A%2F%2Fapp.example.org%2F&ticket={TICKET}",
        f"/oidc/callback-that-does-not-exist/?code={CODE}&state=x",
    ],
)
def test_tokens_tickets_and_codes_in_urls_are_masked(client, json_lines, path):
    client.get(path)
    text = json.dumps(json_lines())
    for secret in (TOKEN, CODE, TICKET):
        assert secret not in text
    assert "\\u2026" in text  # « … » where the secret was


def test_a_traceback_is_one_json_line_and_masked(json_lines):
    try:
        raise RuntimeError(f"failed on /cas/validate?ticket={TICKET}")
    except RuntimeError:
        logging.getLogger("guichet.test").exception("while validating")
    (line,) = json_lines()
    assert "RuntimeError" in line["exception"] and TICKET not in line["exception"]


def test_an_outage_is_logged_with_the_503_it_was_answered(student, json_lines):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    with connection.execute_wrapper(no_database):
        assert client.get("/services/").status_code == 503
    (failed,) = [line for line in json_lines() if line["event"] == "request_failed"]
    assert failed["code"] == 503 and "OperationalError" in failed["exception"]


class _OneBug:
    """The first query fails as a bug would (not an outage); the error page's own queries work."""

    def __init__(self) -> None:
        self.raised = False

    def __call__(self, execute, sql, params, many, context):
        if not self.raised:
            self.raised = True
            raise ProgrammingError("no such column: a bug, not an outage")
        return execute(sql, params, many, context)


def test_a_crash_is_still_logged_as_the_500_it_was_answered(student, json_lines):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    with connection.execute_wrapper(_OneBug()):
        response = client.get("/services/")
    (failed,) = [line for line in json_lines() if line["event"] == "request_failed"]
    assert response.status_code == failed["code"] == 500


def test_an_unknown_format_stops_start_up():
    with pytest.raises(ValueError, match="GUICHET_LOG_FORMAT"):
        logconfig.logging_config("xml", "INFO", mask)
