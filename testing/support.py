"""A local GLPI for tests: pytest fixture `glpi_server`.

GLPI cannot be installed here, so this server plays its REST API as GLPI's apirest.md
documents it: `initSession` (App-Token + `Authorization: user_token …` → session_token),
`killSession`, `POST Ticket`, `POST Document` (multipart with `uploadManifest` and
`filename[0]`), `POST Document_Item`, `POST ITILFollowup`, `GET Ticket/<id>/ITILFollowup`.
Errors answer as GLPI does: a JSON list ["ERROR_…", "message"] with 400/401/404.

It gives `tickets`, `documents`, `links`, `followups` (what was created), `add_followup(ticket,
html, private=False)` (an agent writing in GLPI), `down()` / `up()`, and `url`, `app_token`,
`user_token`. The fixture configures the Université's set-up to hand off to it.
"""

import itertools
import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class GlpiServer:
    host = "127.0.0.1"
    app_token = "local-app-token-0123456789abcdef"  # noqa: S105  (the local test server's, nothing real)
    user_token = "local-user-token-fedcba9876543210"  # noqa: S105

    def __init__(self):
        self.tickets: dict[int, dict[str, Any]] = {}
        self.documents: dict[int, dict[str, Any]] = {}
        self.links: list[dict[str, Any]] = []
        self.followups: dict[int, dict[str, Any]] = {}
        self.sessions: set[str] = set()
        self.killed = 0
        self.requests: list[tuple[str, str]] = []
        self.is_down = False
        self._ids = itertools.count(100)
        self._lock = threading.Lock()
        self._httpd = _GlpiHTTPServer((self.host, 0), _Handler)
        self._httpd.glpi = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}/apirest.php"

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def down(self):
        self.is_down = True

    def up(self):
        self.is_down = False

    def add_followup(self, ticket_id: int, content: str, private: bool = False) -> int:
        fid = self.next_id()
        self.followups[fid] = {
            "id": fid,
            "itemtype": "Ticket",
            "items_id": ticket_id,
            "content": content,
            "is_private": int(private),
            "from_guichet": False,
        }
        return fid

    def start(self):
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


class _GlpiHTTPServer(ThreadingHTTPServer):
    glpi: GlpiServer


class _Handler(BaseHTTPRequestHandler):
    server: _GlpiHTTPServer

    def log_message(self, *args):
        pass

    @property
    def glpi(self) -> GlpiServer:
        assert isinstance(self.server, _GlpiHTTPServer)
        return self.server.glpi

    def _send(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _path(self) -> str:
        path = self.path.split("?")[0]
        prefix = "/apirest.php/"
        return path[len(prefix) :] if path.startswith(prefix) else ""

    def _checked(self) -> bool:
        if self.glpi.is_down:
            self._send(503, ["ERROR", "Service unavailable"])
            return False
        if self.headers.get("App-Token") != self.glpi.app_token:
            self._send(400, ["ERROR_WRONG_APP_TOKEN_PARAMETER", "parameter app_token seems wrong"])
            return False
        path = self._path()
        if path == "initSession":
            return True
        if self.headers.get("Session-Token") not in self.glpi.sessions:
            self._send(401, ["ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"])
            return False
        return True

    def do_GET(self):
        self.glpi.requests.append(("GET", self._path()))
        if not self._checked():
            return
        path = self._path()
        if path == "initSession":
            if self.headers.get("Authorization") != f"user_token {self.glpi.user_token}":
                self._send(401, ["ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid"])
                return
            token = f"session-{self.glpi.next_id()}"
            self.glpi.sessions.add(token)
            self._send(200, {"session_token": token})
        elif path == "killSession":
            self.glpi.sessions.discard(self.headers.get("Session-Token"))
            self.glpi.killed += 1
            self._send(200, [])
        elif path.startswith("Ticket/") and path.endswith("/ITILFollowup"):
            ticket_id = int(path.split("/")[1])
            if ticket_id not in self.glpi.tickets:
                self._send(404, ["ERROR_ITEM_NOT_FOUND", "Item not found"])
                return
            rows = [f for f in self.glpi.followups.values() if f["items_id"] == ticket_id]
            self._send(200, [{k: v for k, v in f.items() if k != "from_guichet"} for f in rows])
        else:
            self._send(400, ["ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", "resource not found"])

    def _json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
        return body

    def do_POST(self):
        self.glpi.requests.append(("POST", self._path()))
        if not self._checked():
            return
        path = self._path().rstrip("/")
        if path == "Document":
            self._document()
            return
        payload = self._json().get("input")
        if not isinstance(payload, dict):
            self._send(400, ["ERROR_BAD_ARRAY", "input parameter must be an array of objects"])
            return
        new_id = self.glpi.next_id()
        if path == "Ticket":
            if not payload.get("name") or payload.get("urgency") not in range(1, 6):
                self._send(400, ["ERROR_GLPI_ADD", "name and urgency are required"])
                return
            self.glpi.tickets[new_id] = payload
        elif path == "Document_Item":
            if payload.get("documents_id") not in self.glpi.documents or payload.get("itemtype") != "Ticket":
                self._send(400, ["ERROR_GLPI_ADD", "bad document link"])
                return
            self.glpi.links.append(payload)
        elif path == "ITILFollowup":
            if payload.get("items_id") not in self.glpi.tickets:
                self._send(400, ["ERROR_GLPI_ADD", "ticket not found"])
                return
            self.glpi.followups[new_id] = {"id": new_id, **payload, "from_guichet": True}
        else:
            self._send(400, ["ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", "resource not found"])
            return
        self.send_response(201)
        data = json.dumps({"id": new_id, "message": ""}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Location", f"{self.glpi.url}/{path}/{new_id}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _document(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        manifest = parts.get("uploadManifest")
        upload = parts.get("filename[0]")
        if manifest is None or upload is None:
            self._send(400, ["ERROR_UPLOAD_FILE_TOO_BIG_POST_MAX_SIZE", "missing upload"])
            return
        data = json.loads(bytes(manifest.get_payload(decode=True)))["input"]
        new_id = self.glpi.next_id()
        self.glpi.documents[new_id] = {
            "name": data.get("name"),
            "filename": upload.get_filename(),
            "content": upload.get_payload(decode=True),
            "mime": upload.get_content_type(),
        }
        self._send(201, {"id": new_id, "message": "Document move succeeded.", "upload_result": {}})


@pytest.fixture
def glpi_server(monkeypatch):
    from institutions.models import Institution

    server = GlpiServer()
    server.start()
    monkeypatch.setenv("GUICHET_GLPI_APP_TOKEN_UNIV_POITIERS", server.app_token)
    monkeypatch.setenv("GUICHET_GLPI_USER_TOKEN_UNIV_POITIERS", server.user_token)
    Institution.objects.filter(slug="univ-poitiers").update(
        helpdesk={"connector": "glpi", "url": server.url, "entity": 3}
    )
    yield server
    server.stop()
