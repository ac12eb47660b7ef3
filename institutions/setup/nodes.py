"""YAML nodes that remember where they stand, so every error names the file, line and field."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _


class SetupError(Exception):
    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        self.path, self.line, self.field = path, line, field
        # Translated when raised: the operator reads it in the active language.
        text = _("%(path)s, ligne %(line)s, champ « %(field)s » : %(message)s")
        super().__init__(text % {"path": path, "line": line, "field": field, "message": message})


@dataclass
class Node:
    """A YAML node with where it stands, so every error can point at its line."""

    node: yaml.Node
    where: str
    path: Path
    key: yaml.Node | None = None

    @property
    def line(self) -> int:
        # The line where the field's name stands, even when its value starts below it.
        return int((self.key or self.node).start_mark.line) + 1

    def fail(self, message: str, field: str | None = None) -> SetupError:
        return SetupError(self.path, self.line, field or self.where, message)

    def mapping(self) -> dict[str, "Node"]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.fail(_("une table (clé: valeur) est attendue"))
        out: dict[str, Node] = {}
        for key, value in self.node.value:
            name = str(key.value)
            if name in out:
                raise SetupError(self.path, key.start_mark.line + 1, self.join(name), _("clé en double"))
            out[name] = Node(value, self.join(name), self.path, key)
        return out

    def items(self) -> list["Node"]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.fail(_("une liste est attendue"))
        return [Node(v, f"{self.where}[{i}]", self.path) for i, v in enumerate(self.node.value)]

    def scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.fail(_("une valeur simple est attendue"))
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(self.node, deep=True)
        finally:
            loader.dispose()

    def plain(self) -> Any:
        """The whole sub-tree as plain Python data (a protocol's own settings)."""
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_document(self.node)
        finally:
            loader.dispose()

    def join(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name


def parse(path: Path) -> Node:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(path, 0, "-", _("fichier illisible (%(error)s)") % {"error": exc}) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise SetupError(path, line, "-", _("YAML invalide : %(problem)s") % {"problem": exc.problem}) from None
    if root is None:
        raise SetupError(path, 1, "-", _("le fichier est vide"))
    return Node(root, "", path)
