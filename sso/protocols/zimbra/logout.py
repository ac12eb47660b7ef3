"""Zimbra is not told when a Guichet session ends, and cannot be: preauth only opens a
Zimbra session (a signed URL followed once); Zimbra offers no logout end point an identity
provider may call, front or back channel, and its own session lives on until it expires or
the person signs out of Zimbra. `notify` says so, and sso.actions records it as not notified."""

from django.http import HttpRequest

from ...models import SignOn
from .. import Told


def notify(request: HttpRequest, sign_on: SignOn) -> Told:
    return "not_notified"
