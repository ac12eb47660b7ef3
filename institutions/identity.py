"""Whose portal this is: names, logos, official host names and colours from the set-up file.

Nothing here ships a mark the institution did not provide: a logo is an SVG file named in
the set-up (relative to it), checked to be a plain drawing (no script, no external
reference) and served as an image, where a browser never runs scripts anyway. Colours must
keep text readable (WCAG 4.5:1) on the light and the dark theme, or the file is refused.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import defusedxml
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")
_MAX_LOGO = 64 * 1024
SHIPPED = (Path(__file__).parent / "data").resolve()
# url(#gradient) points inside the drawing; anything else would fetch from elsewhere.
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)
# Backgrounds the colours are read against (site.css: --paper and the dark theme's --paper).
LIGHT_BG, DARK_BG = "#ffffff", "#121418"
_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "use", "image", "a"}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darker(colour: str, amount: float = 0.25) -> str:
    """The hover shade: the colour mixed with black."""
    return "#" + "".join(f"{round(int(colour[i : i + 2], 16) * (1 - amount)):02x}" for i in (1, 3, 5))


def check_colour(value: str, background: str) -> str | None:
    """None if usable for text and buttons on `background`, else the reason."""
    if not _COLOUR.match(value):
        return _("une couleur de la forme #1a2b3c est attendue")
    ratio = contrast(value, background)
    if ratio < 4.5:
        message = _("contraste %(ratio)s:1 avec le fond %(background)s, 4.5:1 au moins est exigé")
        return message % {"ratio": f"{ratio:.1f}", "background": background}
    return None


def check_host(value: str) -> str | None:
    if not _HOST.match(value):
        return _("un nom d'hôte en minuscules est attendu (ex. guichet.univ-poitiers.fr), sans https://")
    return None


def read_logo(setup_file: Path, relative: str) -> tuple[str | None, str | None]:
    """(svg text, None) or (None, reason).

    The file sits next to the set-up file, or among the neutral marks shipped in
    institutions/data/logos/ (so a copied set-up file keeps working).
    """
    for folder in (setup_file.parent.resolve(), SHIPPED):
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder):
            return None, _("le logo doit se trouver à côté du fichier de configuration")
        if path.is_file():
            break
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, _("logo illisible (%(error)s)") % {"error": exc.strerror}
    if len(data) > _MAX_LOGO:
        return None, _("logo trop lourd (64 Ko au plus)")
    reason = _svg_problem(data)
    return (None, reason) if reason else (data.decode("utf-8"), None)


def _svg_problem(data: bytes) -> str | None:
    try:
        root = SafeET.fromstring(data)
    except (ET.ParseError, defusedxml.DefusedXmlException) as exc:
        return _("SVG invalide (%(error)s)") % {"error": exc}
    if _local(root.tag) != "svg":
        return _("un fichier SVG est attendu")
    for el in root.iter():
        if _local(el.tag).lower() in _FORBIDDEN:
            return _("élément <%(name)s> refusé dans un logo") % {"name": _local(el.tag)}
        for name, value in el.attrib.items():
            if _local(name).lower().startswith("on") or "href" in name.lower() or _EXTERNAL_URL.search(value):
                return _("attribut « %(name)s » refusé dans un logo") % {"name": _local(name)}
    return None


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]
