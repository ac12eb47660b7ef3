"""One package per protocol, each with the same modules (tests/test_protocol_shape.py):

- `rules`: the protocol's own rules (tickets, messages, responses, claims), no views;
- `views`, `urls`: its end points, thin: sign-on rows and logout notices go through
  sso.actions, which audits;
- `logout`: `notify(request, sign_on) -> Told`, how this protocol tells a relying party
  that the Guichet session it signed in from has ended.
Extra modules (`keys`, `metadata`, `idp`, `responses`, `validator`) hold what would push a
rules file past 400 lines.
"""

from typing import Literal

PROTOCOLS = ("oidc", "saml", "cas", "wsfed", "zimbra")
MODULES = ("rules", "views", "urls", "logout")

# What a `logout.notify` did: answered by the relying party server to server, handed to
# the browser (an iframe or a posted form of the page answering the logout), or nothing,
# because the protocol or this client's registration offers no way. Failures raise.
Told = Literal["back_channel", "front_channel", "not_notified"]
