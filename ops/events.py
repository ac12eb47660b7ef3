"""The audit codes ops records, and their labels (collected by audit.labels)."""

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

BACKUP_CREATED = "ops.backup.created"
BACKUP_RESTORED = "ops.backup.restored"

LABELS: dict[str, StrOrPromise] = {
    BACKUP_CREATED: _("Sauvegarde créée"),
    BACKUP_RESTORED: _("Sauvegarde restaurée"),
}
