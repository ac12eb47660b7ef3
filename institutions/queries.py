"""Read-side helpers over the set-up, shared by the pages and the API."""

from . import models, routing


def domain_map() -> dict[str, models.Public]:
    return {d.domain: d.public for d in models.MailDomain.objects.select_related("public__platform__institution")}


def route(identifier: str) -> routing.Route[models.Public]:
    return routing.route(identifier, domain_map())


def platforms():
    return models.Platform.objects.select_related("institution").prefetch_related("publics__domains")
