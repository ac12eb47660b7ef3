from django.core.checks import Warning, register
from django.db import DatabaseError


@register("guichet")
def unconfirmed_webmail_urls(app_configs, **kwargs):
    """Warn while any platform's webmail address has not been confirmed by an administrator."""
    from .models import Platform

    try:
        platforms = list(Platform.objects.all())
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    return [
        Warning(
            f"L'adresse du webmail « {p.webmail_url} » de {p.name} n'est pas confirmée.",
            hint="Vérifiez-la auprès de l'établissement puis confirmez-la dans l'administration "
            "(Plateformes de messagerie → « Confirmer l'adresse »).",
            obj=p,
            id="guichet.W001",
        )
        for p in platforms
        if not p.url_confirmed
    ]


@register("guichet")
def unconfirmed_mail_servers(app_configs, **kwargs):
    """Warn while a platform's mail-client settings (hosts, ports) have not been confirmed."""
    from .models import Platform

    try:
        platforms = list(Platform.objects.exclude(mail_servers={}))
    except DatabaseError:
        return []
    return [
        Warning(
            f"Les réglages des logiciels de messagerie de {p.name} ne sont pas confirmés.",
            hint="Vérifiez serveurs et ports auprès de l'équipe de la plateforme puis confirmez-les dans "
            "l'administration (Plateformes de messagerie → « Confirmer les réglages des logiciels »).",
            obj=p,
            id="guichet.W002",
        )
        for p in platforms
        if not p.mail_servers_confirmed
    ]
