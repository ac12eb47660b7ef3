"""A real SMTP server for tests: pytest plugin with the fixture `smtp_server`.

Load it with `pytest_plugins = ["testing.notify"]` in the root conftest. The fixture starts
aiosmtpd on 127.0.0.1 and a free port, points Django's SMTP backend at it, and gives:

- `messages`: every e-mail received, as `email.message.EmailMessage` (newest last);
- `stop()`: the server goes away and the port refuses connections, like an outage;
- `start()`: it comes back on the same port.
"""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from testing.net import free_port


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        # The client only returns after this "250", so a test never waits for the list.
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    host = "127.0.0.1"

    def __init__(self):
        self.port = free_port()
        self._collector = _Collector()
        self._controller = None

    @property
    def messages(self):
        return self._collector.messages

    def start(self):
        # A stopped controller closed its event loop; a fresh one binds the same port.
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


# --- A local Brevo: pytest fixture `brevo_server` -------------------------------------------
#
# The real Brevo cannot be reached from tests (no network beyond loopback), so this server
# plays it, following Brevo's documented API for transactional SMS (see the sources in
# notify/channels/sms_brevo.py): POST /v3/transactionalSMS/send with an `api-key` header and
# a JSON body; 201 {"messageId": <int>} when accepted; errors as {"code": ..., "message": ...}
# (400 for a bad body, 401 for a wrong key). It gives:
#
# - `requests`: every request received: {"path", "headers" (lower-case names), "json"};
# - `fail_with(status, body=None)`: answer every request with that status (401, 402, 400,
#   500…) until `recover()`; `body` replaces the default error body;
# - `hang()`: keep every request waiting (for timeout tests) until `recover()` or the end;
# - `url` and `api_key`, which the fixture also puts into the settings.

import json  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
from functools import partial  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from typing import Any  # noqa: E402

BREVO_ERRORS = {
    400: {"code": "invalid_parameter", "message": "Bad request"},
    401: {"code": "unauthorized", "message": "Key not found"},
    402: {"code": "not_enough_credits", "message": "Not enough credits"},
    403: {"code": "permission_denied", "message": "Unauthorized IP address"},
    404: {"code": "not_found", "message": "Not found"},
    429: {"code": "too_many_requests", "message": "Too many requests"},
    500: {"code": "internal_error", "message": "Internal server error"},
}


class BrevoServer:
    host = "127.0.0.1"
    api_key = "xkeysib-0123456789abcdef0123456789abcdef-LocalTestKey"

    def __init__(self):
        self.requests = []
        self._failure: tuple[int, dict[str, Any]] | None = None
        self._release = threading.Event()
        self._release.set()
        self._next_id = 1511882900176220
        self._lock = threading.Lock()
        self._httpd = _BrevoHTTPServer((self.host, 0), _BrevoHandler)
        self._httpd.brevo = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread: threading.Thread | None = None

    def fail_with(self, status: int, body: dict[str, Any] | None = None):
        self._failure = (status, body if body is not None else BREVO_ERRORS.get(status, {"code": "error"}))

    def hang(self):
        self._release.clear()

    def recover(self):
        self._failure = None
        self._release.set()

    def start(self):
        # A short poll: shutdown() waits for the loop's next look at its flag.
        serve = partial(self._httpd.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, name="brevo-server", daemon=True)
        self._thread.start()

    def stop(self):
        self._release.set()  # a hanging request answers now, so nothing waits on it
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "json": body})
        if path != "/v3/transactionalSMS/send":
            return 404, BREVO_ERRORS[404]
        if headers.get("api-key") != self.api_key:
            return 401, BREVO_ERRORS[401]
        # Waits here for a timeout test; bounded, so a forgotten hang cannot block a run.
        self._release.wait(timeout=30)
        if self._failure:
            return self._failure
        problem = _brevo_validate(body, headers)
        if problem:
            return 400, {"code": "invalid_parameter", "message": problem}
        with self._lock:
            self._next_id += 1
            return 201, {"messageId": self._next_id}


def _brevo_validate(body, headers) -> str:
    # The checks Brevo documents for this route, in its own words where it has some.
    if "application/json" not in headers.get("content-type", ""):
        return "Content-Type must be application/json"
    if not isinstance(body, dict):
        return "Invalid JSON body"
    sender, recipient, content = body.get("sender"), body.get("recipient"), body.get("content")
    if not isinstance(sender, str) or not re.fullmatch(r"[A-Za-z0-9]{1,11}|[0-9]{1,15}", sender):
        return "The number of characters of sender is limited to 11 for alphanumeric and 15 for numeric"
    if not isinstance(recipient, str) or not re.fullmatch(r"[0-9]{6,15}", recipient):
        return "Invalid phone number"
    if not isinstance(content, str) or not content.strip():
        return "content is missing"
    if body.get("type", "transactional") not in ("transactional", "marketing"):
        return "type must be transactional or marketing"
    tag = body.get("tag")
    if tag is not None and not isinstance(tag, str | list):
        return "tag must be a string or an array of strings"
    return ""


class _BrevoHTTPServer(ThreadingHTTPServer):
    brevo: BrevoServer


class _BrevoHandler(BaseHTTPRequestHandler):
    server: _BrevoHTTPServer

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer = self.server.brevo._answer(self.path, headers, raw)
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, format, *args):
        pass  # quiet: the tests read `requests`


@pytest.fixture
def brevo_server(settings):
    server = BrevoServer()
    server.start()
    settings.GUICHET_SMS_BACKEND = "brevo"
    settings.GUICHET_BREVO_API_URL = server.url
    settings.GUICHET_BREVO_API_KEY = server.api_key
    settings.GUICHET_BREVO_API_KEY_FILE = ""
    settings.GUICHET_SMS_SENDER = "Guichet"
    yield server
    server.stop()
