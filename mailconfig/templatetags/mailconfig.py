from django import template

from institutions.models import Platform

from .. import servers

register = template.Library()


@register.simple_tag
def mail_settings_for(platform: Platform) -> servers.MailSettings | None:
    return servers.for_platform(platform)
