"""Two small relying parties on loopback, for the single sign-on browser journey.

- a CAS application that validates tickets with python-cas (a client nobody here wrote)
  and records the back-channel logout requests it receives;
- a stand-in for Zimbra's /service/preauth that checks the HMAC the way Zimbra does.
"""

import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from cas import CASClient


class RelyingParties:
    def __init__(self, guichet_url: str, zimbra_key: str):
        self.guichet_url = guichet_url
        self.zimbra_key = zimbra_key
        self.logouts: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def cas_service(self) -> str:
        return f"{self.url}/cas-app/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        parties = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _page(self, status: int, text: str):
                body = f'<!doctype html><html lang="fr"><title>{text}</title><main><h1>{text}</h1></main></html>'
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body.encode())

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/cas-app/":
                    if "ticket" not in query:
                        self.send_response(302)
                        target = f"{parties.guichet_url}/cas/login?service={quote(parties.cas_service, safe='')}"
                        self.send_header("Location", target)
                        self.end_headers()
                        return
                    client = CASClient(
                        version=3, server_url=f"{parties.guichet_url}/cas/", service_url=parties.cas_service
                    )
                    user, _attributes, _ = client.verify_ticket(query["ticket"])
                    return self._page(200 if user else 403, f"Application CAS : {user or 'refusé'}")
                if url.path == "/service/preauth":
                    message = (
                        f"{query.get('account')}|{query.get('by')}|{query.get('expires')}|{query.get('timestamp')}"
                    )
                    expected = hmac.new(parties.zimbra_key.encode(), message.encode(), hashlib.sha1).hexdigest()
                    ok = hmac.compare_digest(expected, query.get("preauth", ""))
                    return self._page(200 if ok else 403, f"Zimbra : {query.get('account') if ok else 'refusé'}")
                self._page(404, "introuvable")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                if "logoutRequest" in form:
                    parties.logouts.append(form["logoutRequest"][0])
                self.send_response(200)
                self.end_headers()

        return Handler
