"""Warnings for operators while the set-up holds what nobody has confirmed yet."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _


@register("guichet")
def unconfirmed_webmail_urls(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Warn while any platform's webmail address has not been confirmed by an administrator."""
    from .models import Platform

    try:
        platforms = list(Platform.objects.all())
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    message = _("L'adresse du webmail « %(url)s » de %(name)s n'est pas confirmée.")
    hint = _(
        "Vérifiez-la auprès de l'établissement puis confirmez-la dans l'administration "
        "(Plateformes de messagerie → « Confirmer l'adresse »)."
    )
    return [
        Warning(message % {"url": p.webmail_url, "name": p.name}, hint=hint, obj=p, id="guichet.W001")
        for p in platforms
        if not p.url_confirmed
    ]


@register("guichet")
def unconfirmed_mail_servers(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Warn while a platform's mail-client settings (hosts, ports) have not been confirmed."""
    from .models import Platform

    try:
        platforms = list(Platform.objects.exclude(mail_servers={}))
    except DatabaseError:
        return []
    message = _("Les réglages des logiciels de messagerie de %(name)s ne sont pas confirmés.")
    hint = _(
        "Vérifiez serveurs et ports auprès de l'équipe de la plateforme puis confirmez-les dans "
        "l'administration (Plateformes de messagerie → « Confirmer les réglages des logiciels »)."
    )
    return [
        Warning(message % {"name": p.name}, hint=hint, obj=p, id="guichet.W002")
        for p in platforms
        if not p.mail_servers_confirmed
    ]
