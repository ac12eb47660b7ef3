from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import models

SETUP_MODELS = (
    models.Institution,
    models.Portal,
    models.Platform,
    models.Public,
    models.MailDomain,
    models.Profile,
    models.FaqEntry,
    models.RecoveryPath,
    models.Client,
    models.SafetyRules,
)


def _bump(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    models.Revision.bump()


for _model in SETUP_MODELS:
    post_save.connect(_bump, sender=_model, dispatch_uid=f"setup-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"setup-delete-{_model.__name__}")


def _bump_m2m(sender: type, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        models.Revision.bump()


m2m_changed.connect(_bump_m2m, sender=models.Profile.publics.through, dispatch_uid="setup-profile-publics")
m2m_changed.connect(_bump_m2m, sender=models.Client.publics.through, dispatch_uid="setup-client-publics")
