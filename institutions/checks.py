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
