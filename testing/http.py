from typing import Any


def next_location(response: Any) -> str:
    """Where a response sends the browser next: a redirect's Location, or the URL that the
    « Connexion réussie » page moves on to (after sign-in, towards a single sign-on client)."""
    if response.status_code in (301, 302, 303, 307, 308):
        return str(response["Location"])
    assert response.status_code == 200, response.status_code
    return str(response.context["next_url"])
