"""Load the institution set-up file (YAML) into the database, idempotently.

Errors name the file, the line and the field, so whoever edits the file can fix it alone.
Rows are written only where something changed, so loading the same file twice leaves the
database exactly as it was (the set-up revision included). The reading lives in
`institutions.setup` (nodes, fields, one loader per section, the prune); this module is
its entry point. `institutions.actions.load_setup` is the audited way in.
"""

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from . import models
from .setup.fields import Record
from .setup.nodes import Node, SetupError, parse
from .setup.sections import SECTIONS, ClientCheck, Context
from .setup.store import Changes, prune

__all__ = ["CLIENT_CONFIG_CHECK", "Changes", "Node", "SetupError", "load", "parse"]

# Each client's `config:` is checked by its protocol's rules, which live in the sso app (an
# upper layer: it registers them here at start-up).
CLIENT_CONFIG_CHECK: ClientCheck | None = None

TOP_FIELDS = {
    "version",
    "institutions",
    "platforms",
    "publics",
    "profiles",
    "faq",
    "recovery_paths",
    "clients",
    "mail_clients",
    "portal",
    "safety",
}
# The summary of a load: section name → the model whose kept rows it counts.
COUNTED = {
    "institutions": models.Institution,
    "platforms": models.Platform,
    "publics": models.Public,
    "domains": models.MailDomain,
    "profiles": models.Profile,
    "faq": models.FaqEntry,
    "recovery_paths": models.RecoveryPath,
    "clients": models.Client,
    "safety": models.SafetyRules,
}


@transaction.atomic
def load(path: Path, changes: Changes | None = None) -> dict[str, int]:
    """Load the file; raise SetupError (and change nothing) if any part of it is wrong.

    Returns how many entries each section holds; `changes`, when given, receives the rows
    created, updated and deleted.
    """
    top = Record(parse(path), TOP_FIELDS)
    version = top.fields.get("version")
    if version is None or version.scalar() != 1:
        raise (version or top.node).fail(_("seule la version 1 est connue"), field="version")
    ctx = Context(top, changes if changes is not None else Changes(), CLIENT_CONFIG_CHECK)
    for section in SECTIONS:
        section(ctx)
    # The file is the source of truth: what it no longer names goes (children first).
    prune(ctx.kept, ctx.changes)
    return {name: len(ctx.kept[model]) for name, model in COUNTED.items()}
