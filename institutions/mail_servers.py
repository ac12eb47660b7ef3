"""The `mail_clients:` block of a platform in the set-up file: how mail programs reach it.

```yaml
mail_clients:
  confirmed: false          # true only once checked with the platform's team
  autodiscover: true        # false where the platform's own Exchange answers Autodiscover
  username: address         # address (jeanne.martin@…) or local-part (jeanne.martin)
  auth: [password, oauth2]  # oauth2: the server accepts Guichet's tokens (docs/imap-oauth2.md)
  oauth2_client: thunderbird  # the `clients:` entry (OIDC, scope mail) mail programs use
  incoming:
    - {protocol: imap, host: imap.example.org, port: 993, security: tls}
  outgoing:
    - {protocol: smtp, host: smtp.example.org, port: 587, security: starttls}
```

The checked block is stored as plain data on the platform (`Platform.mail_servers`).
"""

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .setup.nodes import Node

FIELDS = {"confirmed", "autodiscover", "username", "auth", "oauth2_client", "incoming", "outgoing"}
SERVER_FIELDS = {"protocol", "host", "port", "security"}
INCOMING = ("imap", "pop3")
OUTGOING = ("smtp",)
SECURITY = ("tls", "starttls")  # no "none": a password never travels in clear
USERNAMES = ("address", "local-part")
AUTH = ("password", "oauth2")


def parse(node: "Node") -> tuple[dict[str, Any], bool]:
    """The checked settings and whether the file says they are confirmed."""
    from .setup.fields import DOMAIN, Record

    rec = Record(node, FIELDS)
    username = rec.text("username", required=False, default="address")
    if username not in USERNAMES:
        raise rec.fields["username"].fail(_("« address » ou « local-part » est attendu"))
    auth = []
    for item in rec.strings("auth") if "auth" in rec.fields else []:
        value = item.scalar()
        if value not in AUTH or value in auth:
            raise item.fail(_("« password » ou « oauth2 », une fois chacun, est attendu"))
        auth.append(value)
    oauth2_client = rec.text("oauth2_client", required=False)
    if "oauth2" in auth and not oauth2_client:
        raise node.fail(_("oauth2 demande « oauth2_client » (le client OIDC des logiciels de messagerie)"))

    def servers(name: str, protocols: tuple[str, ...]) -> list[dict[str, Any]]:
        out = []
        for item in rec.strings(name):
            srv = Record(item, SERVER_FIELDS)
            protocol = srv.text("protocol")
            if protocol not in protocols:
                raise srv.fields["protocol"].fail(_("attendu : %(names)s") % {"names": ", ".join(protocols)})
            host = srv.text("host")
            if not DOMAIN.match(host):
                raise srv.fields["host"].fail(_("un nom d'hôte en minuscules est attendu (ex. imap.example.org)"))
            port = srv.fields["port"].scalar() if "port" in srv.fields else None
            if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
                raise (srv.fields.get("port") or item).fail(_("un numéro de port (1 à 65535) est attendu"), "port")
            security = srv.text("security")
            if security not in SECURITY:
                raise srv.fields["security"].fail(_("« tls » (chiffrement direct) ou « starttls » est attendu"))
            out.append({"protocol": protocol, "host": host, "port": port, "security": security})
        return out

    data = {
        "autodiscover": rec.boolean("autodiscover", default=True),
        "username": username,
        "auth": auth or ["password"],
        "oauth2_client": oauth2_client,
        "incoming": servers("incoming", INCOMING),
        "outgoing": servers("outgoing", OUTGOING),
    }
    return data, rec.boolean("confirmed")
