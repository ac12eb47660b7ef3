from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import models

SETUP_MODELS = (
    models.Institution,
    models.Platform,
    models.Public,
    models.MailDomain,
    models.Profile,
    models.FaqEntry,
)


def _bump(sender, **kwargs):
    if kwargs.get("raw"):
        return
    models.Revision.bump()


for _model in SETUP_MODELS:
    post_save.connect(_bump, sender=_model, dispatch_uid=f"setup-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"setup-delete-{_model.__name__}")


@receiver(m2m_changed, sender=models.Profile.publics.through, dispatch_uid="setup-profile-publics")
def _bump_m2m(sender, action, **kwargs):
    if action.startswith("post_"):
        models.Revision.bump()
