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


@register.filter
def break_at_dots(value: str) -> str:
    """A host name that may wrap after its dots on a phone, not in the middle of a label."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(".<wbr>".join(escape(part) for part in str(value).split(".")))  # noqa: S308 - parts escaped
