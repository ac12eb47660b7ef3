"""Open incidents the support form can offer « Ajouter ma demande à cet incident » for.

Support's AppConfig.ready registers `from_status`, which reads the status app's open
incidents (support may import status; status never imports support). Others may add theirs:

    from support.incidents import Incident, register
    register(lambda platform_slug: [Incident(ref="inc-42", title="…", platform="zimbra")])

A provider receives the platform's slug ("" when unknown) and returns its open incidents.
A provider that fails is skipped: the form must work even if status does not.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incident:
    ref: str  # stored on the ticket (Ticket.incident_ref)
    title: str  # in the active language
    platform: str = ""
    url: str = ""  # the incident's public page, if any


Provider = Callable[[str], list[Incident]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def open_incidents(platform_slug: str = "") -> list[Incident]:
    found: list[Incident] = []
    for provider in list(_providers):
        try:
            found.extend(provider(platform_slug))
        except Exception:  # a broken status app must not break the support form
            logger.exception("incident provider %r failed", provider)
    return found


def find(ref: str, platform_slug: str = "") -> Incident | None:
    return next((i for i in open_incidents(platform_slug) if i.ref == ref), None)


def from_status(platform_slug: str) -> list[Incident]:
    """The status app's open incidents and maintenance of this platform (all when unknown)."""
    from status.queries import open_incidents as status_incidents

    return [
        Incident(ref=f"etat-{found.id}", title=found.title, platform=found.platform_slug, url=found.url)
        for found in status_incidents(platform_slug or None)
    ]
