"""GLPI, through its REST API (apirest.php), as documented in GLPI's apirest.md:

- GET  initSession   (headers App-Token, Authorization: user_token …) → {"session_token"}
- POST Ticket        {"input": {name, content, urgency, impact, type, entities_id, …}} → {"id"}
- POST Document      multipart: uploadManifest (JSON) + filename[0] → {"id"}
- POST Document_Item {"input": {documents_id, itemtype: "Ticket", items_id}}
- POST ITILFollowup  {"input": {itemtype: "Ticket", items_id, content, is_private: 0}} → {"id"}
- GET  Ticket/<id>/ITILFollowup → [{id, content, is_private, …}]
- GET  killSession

Tokens: GUICHET_GLPI_APP_TOKEN_<INSTITUTION> and GUICHET_GLPI_USER_TOKEN_<INSTITUTION>.
GLPI stores contents as HTML: what we send is escaped text (then cleaned by nh3), what we
read is reduced to plain text by nh3 before Guichet stores it.
"""

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import nh3
import requests
from django.conf import settings

from ..models import Ticket
from . import Config, Remote, Unavailable, secret

TICKET_TYPE_INCIDENT = 1


def to_html(text: str) -> str:
    return nh3.clean("<p>" + html.escape(text).replace("\n", "<br>") + "</p>", tags={"p", "br"})


def to_text(content: str) -> str:
    # GLPI may return its HTML entity-encoded (&lt;p&gt;); decode once, then drop every tag.
    raw = html.unescape(content) if "&lt;" in content else content
    raw = raw.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n").replace("</p>", "\n")
    return html.unescape(nh3.clean(raw, tags=set())).strip()


class _Client:
    def __init__(self, config: Config, session_token: str, http: requests.Session):
        self.base = config["url"].rstrip("/")
        self.app_token = secret("GLPI_APP_TOKEN", config["institution"])
        self.session_token = session_token
        self.http = http

    def call(self, method: str, path: str, **kwargs: Any) -> object:
        headers = {"App-Token": self.app_token, "Session-Token": self.session_token, **kwargs.pop("headers", {})}
        try:
            response = self.http.request(
                method, f"{self.base}/{path}", headers=headers, timeout=settings.GUICHET_GLPI_TIMEOUT, **kwargs
            )
        except requests.RequestException as error:
            raise Unavailable(f"GLPI unreachable: {type(error).__name__}") from None
        if response.status_code >= 400:
            # GLPI's errors are ["ERROR_CODE", "message"]: the code is enough for the log.
            try:
                code = response.json()[0]
            except (ValueError, KeyError, IndexError, TypeError):
                code = ""
            raise Unavailable(f"GLPI {method} {path.split('/')[0]}: HTTP {response.status_code} {code}"[:300])
        try:
            return response.json()
        except ValueError:
            raise Unavailable(f"GLPI {method} {path.split('/')[0]}: not JSON") from None


@contextmanager
def _session(config: Config) -> Iterator[_Client]:
    http = requests.Session()
    app_token = secret("GLPI_APP_TOKEN", config["institution"])
    user_token = secret("GLPI_USER_TOKEN", config["institution"])
    if not user_token:
        raise Unavailable("GLPI user token not configured")
    opener = _Client(config, "", http)
    opener_headers = {"App-Token": app_token, "Authorization": f"user_token {user_token}"}
    try:
        response = http.get(f"{opener.base}/initSession", headers=opener_headers, timeout=settings.GUICHET_GLPI_TIMEOUT)
    except requests.RequestException as error:
        raise Unavailable(f"GLPI unreachable: {type(error).__name__}") from None
    if response.status_code != 200:
        raise Unavailable(f"GLPI initSession: HTTP {response.status_code}")
    client = _Client(config, response.json().get("session_token", ""), http)
    try:
        yield client
    finally:
        with suppress(Unavailable):  # the session expires on its own
            client.call("GET", "killSession")
        http.close()


def create(config: Config, ticket: Ticket, text: str, screenshots: list[tuple[str, bytes, str]]) -> str:
    """Create the ticket and attach each (filename, data, content type); returns its id."""
    with _session(config) as glpi:
        fields = {
            "name": f"[Guichet {ticket.number}] {ticket.get_nature_display()}"[:250],
            "content": to_html(text),
            "urgency": ticket.urgency,
            "impact": ticket.impact,
            "type": TICKET_TYPE_INCIDENT,
        }
        if "entity" in config:
            fields["entities_id"] = config["entity"]
        if "category" in config:
            fields["itilcategories_id"] = config["category"]
        created = glpi.call("POST", "Ticket", json={"input": fields})
        ref = str(created["id"]) if isinstance(created, dict) and "id" in created else ""
        if not ref:
            raise Unavailable("GLPI Ticket: no id in the answer")
        for filename, data, content_type in screenshots:
            manifest = {"input": {"name": filename, "_filename": [filename]}}
            document = glpi.call(
                "POST",
                "Document",
                files={
                    "uploadManifest": (None, json.dumps(manifest), "application/json"),
                    "filename[0]": (filename, data, content_type),
                },
            )
            doc_id = document.get("id") if isinstance(document, dict) else None
            if doc_id:
                glpi.call(
                    "POST",
                    "Document_Item",
                    json={"input": {"documents_id": doc_id, "itemtype": "Ticket", "items_id": int(ref)}},
                )
        return ref


def push_followup(config: Config, ref: str, text: str) -> str:
    with _session(config) as glpi:
        fields = {"itemtype": "Ticket", "items_id": int(ref), "content": to_html(text), "is_private": 0}
        created = glpi.call("POST", "ITILFollowup", json={"input": fields})
        return str(created.get("id", "")) if isinstance(created, dict) else ""


def pull_followups(config: Config, ref: str) -> list[Remote]:
    with _session(config) as glpi:
        rows = glpi.call("GET", f"Ticket/{int(ref)}/ITILFollowup")
    if not isinstance(rows, list):
        return []
    return [
        Remote(id=str(row["id"]), text=to_text(str(row.get("content", ""))))
        for row in rows
        if isinstance(row, dict) and "id" in row and not int(row.get("is_private") or 0)
    ]
