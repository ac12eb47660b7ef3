"""Incidents are part of what anonymous pages show (the banner): any change to one moves the
set-up revision, which is in every cached page's key, so no cached page outlives it."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from institutions.models import Revision

from .models import Incident, IncidentUpdate


def _bump(sender: type[Incident | IncidentUpdate], **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        Revision.bump()


for _model in (Incident, IncidentUpdate):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"status-save-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"status-delete-{_model.__name__}")
