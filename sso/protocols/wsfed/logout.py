"""How WS-Federation tells a relying party that the Guichet session it signed in from ended:
as AD FS does, the browser loads the realm's reply URL with `wa=wsignoutcleanup1.0` in a
hidden iframe of the page answering the logout (sso.middleware); the relying party (Exchange's
Outlook on the web) drops its own session cookies. WS-Federation passive has no back channel."""

from urllib.parse import urlencode

from django.http import HttpRequest

from ... import frontchannel
from ...models import SignOn
from .. import Told
from .rules import reply_url


def notify(request: HttpRequest, sign_on: SignOn) -> Told:
    target = reply_url(sign_on.client, "")
    if not target:
        return "not_notified"
    separator = "&" if "?" in target else "?"
    frontchannel.add_frame(request, f"{target}{separator}{urlencode({'wa': 'wsignoutcleanup1.0'})}")
    return "front_channel"
