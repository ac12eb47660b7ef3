"""Read-side helpers over the set-up, shared by the pages and the API."""

import ipaddress

from django.db.models import QuerySet

from . import models, routing
from .revision import PerRevision


def _domains() -> dict[str, models.Public]:
    rows = models.MailDomain.objects.select_related("public__platform__institution")
    return {d.domain: d.public for d in rows}


# In the process, not in the shared cache: unpickling these model objects at each sign-in
# cost more than the query it saved (issue 15).
_domain_map = PerRevision(_domains)


def domain_map() -> dict[str, models.Public]:
    """Every mail domain with its public; kept until the set-up changes."""
    return _domain_map.get()


def route(identifier: str) -> routing.Route[models.Public]:
    return routing.route(identifier, domain_map())


def platforms() -> "QuerySet[models.Platform]":
    return models.Platform.objects.select_related("institution").prefetch_related("publics__domains")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks() -> tuple[Network, ...]:
    declared = models.Institution.objects.values_list("networks", flat=True)
    return tuple(ipaddress.ip_network(n) for block in declared for n in block or ())


_networks_held = PerRevision(_networks)


def institution_networks() -> tuple[Network, ...]:
    """Every network an institution declares (its campus, its hospital); kept until the set-up changes."""
    return _networks_held.get()
