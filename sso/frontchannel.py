"""What the browser must carry when a request ends a Guichet session, kept on the request
for sso.middleware.FrontChannelLogout, which puts it in the page that answers: URLs for
hidden iframes (OIDC Front-Channel Logout, SAML HTTP-Redirect LogoutRequests, WS-Fed
wsignoutcleanup1.0), and sign-ons whose SAML LogoutRequest must be posted by the page itself
(HTTP-POST binding), one after the other."""

from django.http import HttpRequest

ATTRIBUTE = "sso_frontchannel"
POSTS = "sso_frontchannel_posts"


def add_frame(request: HttpRequest, url: str) -> None:
    setattr(request, ATTRIBUTE, [*frames(request), url])


def frames(request: HttpRequest) -> list[str]:
    value: list[str] = getattr(request, ATTRIBUTE, None) or []
    return value


def add_post(request: HttpRequest, sign_on_pk: int) -> None:
    setattr(request, POSTS, [*posts(request), sign_on_pk])


def posts(request: HttpRequest) -> list[int]:
    value: list[int] = getattr(request, POSTS, None) or []
    return value
