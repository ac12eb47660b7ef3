"""Read-side helpers over the set-up, shared by the pages and the API."""

import ipaddress

from django.core.cache import cache
from django.db.models import QuerySet

from . import models, routing


def domain_map() -> dict[str, models.Public]:
    """Every mail domain with its public; cached until the set-up changes."""
    key = f"domains:{models.Revision.current()}"
    domains: dict[str, models.Public] | None = cache.get(key)
    if domains is None:
        rows = models.MailDomain.objects.select_related("public__platform__institution")
        domains = {d.domain: d.public for d in rows}
        cache.set(key, domains, 3600)
    return domains


def route(identifier: str) -> routing.Route[models.Public]:
    return routing.route(identifier, domain_map())


def platforms() -> "QuerySet[models.Platform]":
    return models.Platform.objects.select_related("institution").prefetch_related("publics__domains")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def institution_networks() -> tuple[Network, ...]:
    """Every network an institution declares (its campus, its hospital); cached until the set-up changes."""
    key = f"networks:{models.Revision.current()}"
    networks: tuple[Network, ...] | None = cache.get(key)
    if networks is None:
        declared = models.Institution.objects.values_list("networks", flat=True)
        networks = tuple(ipaddress.ip_network(n) for block in declared for n in block or ())
        cache.set(key, networks, 3600)
    return networks
