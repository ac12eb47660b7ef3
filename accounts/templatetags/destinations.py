"""`{% destination "password_reset" %}`: a page of an upper app, by the role accounts knows.

accounts' templates never name an upper app's URL (accounts.destinations says why); this
tag reverses whatever view that app registered for the role.
"""

from django import template

from .. import destinations

register = template.Library()


@register.simple_tag
def destination(role: str, *args: object) -> str:
    return destinations.url(role, *args)
