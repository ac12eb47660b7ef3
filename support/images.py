"""Screenshots: accepted only if Pillow decodes them as PNG, JPEG or WebP, whatever the name
or declared type; bounded in bytes and pixels (decompression bombs are refused before a
single pixel is decoded); re-encoded into a fresh image, so metadata (EXIF, GPS), trailing
bytes of a polyglot and anything else the file carried are gone."""

import io
import warnings
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
# 40 megapixels: larger than an 8K screen (33 MP), far below what would exhaust memory.
MAX_PIXELS = 40_000_000
ACCEPTED = {"PNG", "JPEG", "WEBP"}


class Rejected(Exception):
    """The file is not a screenshot we keep; the message says why, in the person's language."""


class Upload(Protocol):
    """An uploaded file, or any binary file (the size, when known, is checked before reading)."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Clean:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean(upload: Upload) -> Clean:
    """Read an uploaded file (anything with .size and .read) and return a re-encoded image."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise Rejected(_("La capture dépasse 5 Mo. Réduisez-la ou recadrez-la, puis réessayez."))
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Rejected(_("La capture dépasse 5 Mo. Réduisez-la ou recadrez-la, puis réessayez."))
    return clean_bytes(raw)


def clean_bytes(raw: bytes) -> Clean:
    unreadable = Rejected(_("Ce fichier n'est pas une image PNG, JPEG ou WebP lisible."))
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning becomes an error: we never decode past our bound.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=sorted(ACCEPTED)) as image:
                if image.format not in ACCEPTED:
                    raise unreadable
                width, height = image.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise Rejected(_("Cette image est trop grande (plus de 40 millions de pixels)."))
                image.seek(0)  # an animated WebP keeps its first frame only
                image.load()
                oriented = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
                has_alpha = "A" in oriented.getbands() or "transparency" in oriented.info
                mode = "RGBA" if has_alpha else "RGB"
                pixels = oriented.convert(mode)
                # A new image from the pixels alone: no info dictionary, no EXIF, no ICC, no text chunks.
                fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(_("Cette image est trop grande (plus de 40 millions de pixels).")) from None
    except (OSError, SyntaxError, ValueError):
        raise unreadable from None
    out = io.BytesIO()
    if image.format == "JPEG" and mode == "RGB":
        fresh.save(out, "JPEG", quality=90, optimize=True)
        return Clean(out.getvalue(), "image/jpeg", ".jpg", fresh.width, fresh.height)
    fresh.save(out, "PNG", optimize=True)
    return Clean(out.getvalue(), "image/png", ".png", fresh.width, fresh.height)
