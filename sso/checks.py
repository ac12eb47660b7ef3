"""`manage.py check`: every registered client's config against its protocol's rules."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import registry


@register("guichet")
def client_registry(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    from institutions.models import Client

    try:
        clients = list(Client.objects.all())
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    base_dir = Path(settings.GUICHET_SETUP_FILE).parent
    return [
        Error(
            _("Client « %(slug)s » (%(protocol)s), config.%(key)s : %(message)s")
            % {"slug": client.slug, "protocol": client.protocol, "key": key, "message": message},
            hint=_("Corrigez le fichier de configuration puis rechargez-le (manage.py load_setup)."),
            obj=client,
            id="sso.E001",
        )
        for client in clients
        for key, message in registry.problems(client.protocol, client.config, base_dir)
    ]
