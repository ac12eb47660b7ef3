from django import template

from institutions.models import Platform

from .. import servers, useragent

register = template.Library()


@register.simple_tag
def mail_settings_for(platform: Platform) -> servers.MailSettings | None:
    return servers.for_platform(platform)


@register.simple_tag
def default_guides() -> tuple[str, ...]:
    # Platform pages are cached for everyone: no user-agent ordering there (see views.platform).
    return useragent.GUIDES
