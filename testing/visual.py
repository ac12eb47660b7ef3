"""Visual regression without storing screenshots: a small signature per screenshot.

The screenshots themselves go to artifacts/screenshots/look/ (not committed). What is
committed is guichet/tests/look_references.json: for each page and size, the page height
and a 16x16 grey thumbnail and a 4x4 colour thumbnail, each cell quantised to 16 levels.
Font anti-aliasing moves a cell by a level at most; a moved block, a new line of text, a
changed colour or a lost style moves many. Refresh the references after an intended
change with GUICHET_UPDATE_REFERENCES=1 (and look at the screenshots before committing).
"""

import json
import os
from pathlib import Path
from typing import Any, cast

from PIL import Image

REFERENCES = Path(__file__).resolve().parent.parent / "guichet" / "tests" / "look_references.json"
GREY, COLOUR = 16, 4
# {"height": pixels, "grey": hex digits, "colour": hex digits}, as stored in the references.
Signature = dict[str, Any]


def signature(png: Path) -> Signature:
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        grey = rgb.convert("L").resize((GREY, GREY), Image.Resampling.BOX)
        colour = rgb.resize((COLOUR, COLOUR), Image.Resampling.BOX)
        return {
            "height": rgb.height,
            "grey": "".join(f"{cast(int, v) >> 4:x}" for v in grey.get_flattened_data()),
            "colour": "".join(f"{c >> 4:x}" for px in colour.get_flattened_data() for c in cast(tuple[int, ...], px)),
        }


def differences(expected: Signature, actual: Signature) -> list[str]:
    """Why two signatures differ beyond rendering noise; empty when they match."""
    problems = []
    if abs(expected["height"] - actual["height"]) > max(8, expected["height"] * 0.02):
        problems.append(f"height {expected['height']} → {actual['height']}")
    grey = sum(abs(int(a, 16) - int(b, 16)) > 1 for a, b in zip(expected["grey"], actual["grey"], strict=True))
    if grey > 6:
        problems.append(f"{grey} of {GREY * GREY} grey cells changed")
    colour = sum(abs(int(a, 16) - int(b, 16)) > 1 for a, b in zip(expected["colour"], actual["colour"], strict=True))
    if colour:
        problems.append(f"{colour} colour cells changed")
    return problems


def updating() -> bool:
    return os.environ.get("GUICHET_UPDATE_REFERENCES") == "1"


def load() -> dict[str, Signature]:
    return json.loads(REFERENCES.read_text(encoding="utf-8")) if REFERENCES.exists() else {}


def save(references: dict[str, Signature]) -> None:
    REFERENCES.write_text(json.dumps(references, indent=1, sort_keys=True) + "\n", encoding="utf-8")
