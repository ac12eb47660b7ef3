"""What the browser must carry when a request ends a Guichet session: URLs for hidden
iframes (OIDC Front-Channel Logout, SAML HTTP-Redirect LogoutRequests), kept on the request
for sso.middleware.FrontChannelLogout, which puts them in the page that answers."""

from django.http import HttpRequest

ATTRIBUTE = "sso_frontchannel"


def add_frame(request: HttpRequest, url: str) -> None:
    setattr(request, ATTRIBUTE, [*frames(request), url])


def frames(request: HttpRequest) -> list[str]:
    value: list[str] = getattr(request, ATTRIBUTE, None) or []
    return value
