"""The fields of one entry of the set-up file: each read checks presence and type."""

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from .nodes import Node

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")

T = TypeVar("T")


def unknown(value: object) -> str:
    return _("« %(value)s » n'est déclaré nulle part dans le fichier") % {"value": value}


class Record:
    """One entry (a YAML table) whose field names are checked against `allowed`."""

    def __init__(self, node: Node, allowed: set[str]) -> None:
        self.node = node
        self.fields = node.mapping()
        for name, child in self.fields.items():
            if name not in allowed:
                names = ", ".join(sorted(allowed))
                raise child.fail(_("champ inconnu (attendus : %(names)s)") % {"names": names})

    def get(self, name: str, required: bool) -> Node | None:
        child = self.fields.get(name)
        if child is None and required:
            raise self.node.fail(_("champ obligatoire manquant"), field=self.node.join(name))
        return child

    def require(self, name: str) -> Node:
        child = self.get(name, True)
        assert child is not None  # get raised otherwise
        return child

    def fail(self, name: str, message: str) -> Exception:
        """The error for field `name` (present), at its line."""
        return self.fields[name].fail(message)

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        child = self.get(name, required)
        if child is None:
            return default
        value = child.scalar()
        if not isinstance(value, str) or not value.strip():
            raise child.fail(_("un texte non vide est attendu"))
        return value.strip()

    def boolean(self, name: str, default: bool = False) -> bool:
        child = self.get(name, False)
        if child is None:
            return default
        value = child.scalar()
        if not isinstance(value, bool):
            raise child.fail(_("true ou false est attendu"))
        return value

    def slug(self, name: str = "slug") -> str:
        value = self.text(name)
        if not SLUG.match(value):
            raise self.fail(name, _("minuscules, chiffres et tirets seulement"))
        return value

    def choice(self, name: str, choices: Mapping[str, object], message: str, default: str | None = None) -> str:
        value = self.text(name, required=default is None, default=default or "")
        if value not in choices:
            raise self.fail(name, message)
        return value

    def url(self, name: str, required: bool = True) -> str:
        value = self.text(name, required)
        if value:
            try:
                URLValidator(schemes=["https"])(value)
            except ValidationError:
                raise self.fail(name, _("une adresse https:// complète est attendue")) from None
        return value

    def email(self, name: str) -> str:
        value = self.text(name, required=False)
        if value and not _is_email(value):
            raise self.fail(name, _("une adresse électronique est attendue"))
        return value

    def translated(self, name: str, required: bool = True) -> tuple[str, str]:
        """Either one text for both languages or {fr: …, en: …} (French required)."""
        child = self.get(name, required)
        if child is None:
            return "", ""
        if isinstance(child.node, yaml.ScalarNode):
            return self.text(name), ""
        both = Record(child, {"fr", "en"})
        return both.text("fr"), both.text("en", required=False)

    def strings(self, name: str) -> list[Node]:
        child = self.require(name)
        items = child.items()
        if not items:
            raise child.fail(_("la liste ne doit pas être vide"))
        return items

    def optional_items(self, name: str) -> list[Node]:
        """The entries of an optional list (none when the field is absent)."""
        return self.fields[name].items() if name in self.fields else []

    def ref(self, name: str, known: Mapping[str, T]) -> T:
        value = self.text(name)
        if value not in known:
            raise self.fail(name, unknown(value))
        return known[value]

    def refs(self, name: str, known: Mapping[str, T]) -> list[T]:
        """A list of names declared elsewhere in the file (an optional field)."""
        out = []
        for item in self.optional_items(name):
            value = item.scalar()
            if value not in known:
                raise item.fail(unknown(value))
            out.append(known[value])
        return out

    def domains(self, name: str, example: str) -> list[str]:
        out = []
        for item in self.optional_items(name):
            value = item.scalar()
            if not isinstance(value, str) or not DOMAIN.match(value):
                message = _("un nom de domaine en minuscules est attendu (ex. %(example)s)")
                raise item.fail(message % {"example": example})
            out.append(value)
        return out

    def addresses(self, name: str) -> list[str]:
        out = []
        for item in self.optional_items(name):
            value = item.scalar()
            if not isinstance(value, str) or not _is_email(value):
                raise item.fail(_("une adresse électronique est attendue"))
            out.append(value.lower())
        return out

    def texts(self, name: str) -> list[dict[str, str]]:
        """A list of texts, each one text or {fr: …, en: …}, as [{"fr": …, "en": …}]."""
        out = []
        for item in self.optional_items(name):
            if isinstance(item.node, yaml.ScalarNode):
                value = item.scalar()
                if not isinstance(value, str) or not value.strip():
                    raise item.fail(_("un texte non vide est attendu"))
                out.append({"fr": value.strip(), "en": ""})
            else:
                both = Record(item, {"fr", "en"})
                out.append({"fr": both.text("fr"), "en": both.text("en", required=False)})
        return out

    def whole_number(self, name: str) -> int | None:
        """A positive whole number, or None when the field is absent."""
        if name not in self.fields:
            return None
        value = self.fields[name].scalar()
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(name, _("un nombre entier positif est attendu"))
        return value

    def plain(self, name: str) -> Any:
        child = self.fields.get(name)
        return child.plain() if child is not None else {}


def _is_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True
