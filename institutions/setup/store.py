"""Writing what the file says: rows change only where a value differs, and what the file no
longer names goes. Every write is counted, so the audit trail says what a load changed."""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Manager, Model

from .. import models

M = TypeVar("M", bound=Model)


@dataclass
class Changes:
    """Rows created, updated and deleted, by model name (for the audit trail)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    # Rows this load created: filling them in further (their publics) is part of the creation.
    fresh: set[tuple[str, object]] = field(default_factory=set)

    def update(self, obj: Model) -> None:
        if (_name(type(obj)), obj.pk) not in self.fresh:
            self.updated[_name(type(obj))] += 1

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _name(model: type[Model]) -> str:
    return model._meta.model_name or model.__name__.lower()


def _stored(obj: Model, name: str, value: object) -> object:
    # A foreign key is compared by its id: reading the related row would cost a query.
    return getattr(obj, f"{name}_id") if isinstance(value, Model) else getattr(obj, name)


def upsert(model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any], changes: Changes) -> M:
    """Create or update, writing only when a value differs (so reloading changes nothing)."""
    manager: Manager[M] = model._default_manager
    obj = manager.filter(**lookup).first()
    if obj is None:
        created = manager.create(**lookup, **values)
        changes.created[_name(model)] += 1
        changes.fresh.add((_name(model), created.pk))
        return created
    changed = [k for k, v in values.items() if _stored(obj, k, v) != (v.pk if isinstance(v, Model) else v)]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        changes.update(obj)
    return obj


def set_publics(owner: models.Profile | models.Client, wanted: Iterable[models.Public], changes: Changes) -> None:
    """The publics a profile or a client is for; written only when the set differs."""
    wanted = list(wanted)
    if {p.pk for p in owner.publics.all()} != {p.pk for p in wanted}:
        owner.publics.set(wanted)
        changes.update(owner)


# What the file no longer names goes, children first: (model, the field the file keys it by).
# The section loaders collect the keys they saw in `kept[model]`.
PRUNE: tuple[tuple[type[Model], str], ...] = (
    (models.SafetyRules, "institution"),
    (models.Client, "slug"),
    (models.RecoveryPath, "slug"),
    (models.FaqEntry, "slug"),
    (models.Profile, "slug"),
    (models.MailDomain, "domain"),
    (models.Public, "slug"),
    (models.Platform, "slug"),
    (models.Institution, "slug"),
)


def prune(kept: Mapping[type[Model], Collection[object]], changes: Changes) -> None:
    for model, key in PRUNE:
        # One by one, so each deletion sends its signals (a client's registration goes too).
        for obj in model._default_manager.exclude(**{f"{key}__in": kept.get(model, ())}):
            obj.delete()
            changes.deleted[_name(model)] += 1
