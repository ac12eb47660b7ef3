"""Client configuration formats, one module each with the same shape:

- `CONTENT_TYPE`: the media type of the answer;
- `render(settings, request_info) -> bytes`: the file for one platform's settings.

`Context` carries what a file may need from the request (the address when one is known,
Guichet's own OAuth2 end points, the guide's URL), so that formats never touch a request.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OAuth2Endpoints:
    issuer: str
    auth_url: str
    token_url: str
    scopes: tuple[str, ...] = ("openid", "email", "mail")


@dataclass(frozen=True)
class Context:
    address: str = ""
    guide_url: str = ""
    oauth2: OAuth2Endpoints | None = None
    organisation: str = "Guichet"
