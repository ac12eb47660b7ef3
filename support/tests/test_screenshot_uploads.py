"""Upload attacks on the screenshot field: only what Pillow decodes as PNG, JPEG or WebP, at
most 5 MB and 40 megapixels, re-encoded without metadata, stored outside the static root."""

import io
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from support import images
from support.models import Screenshot, Ticket

from .conftest import png_bytes

FORM = {
    "identifier": "jeanne.martin@ac-poitiers.fr",
    "platform": "convergence",
    "nature": "bouton-sans-effet",
    "description": "Rien ne se passe.",
    "contact_channel": "email",
    "contact": "jeanne.perso@example.org",
}


def post(client, name: str, data: bytes, content_type: str = "image/png"):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post("/support/", {**FORM, "screenshot": upload})


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header announcing 900 megapixels, with a tiny compressed body."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 16)  # a few rows; the decoder never gets there
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (46.0, 34.0, 50.0), 3: "W", 4: (0.0, 20.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def client(poitiers):
    from django.test import Client

    return Client()


def test_a_real_png_is_kept_re_encoded_and_outside_the_static_root(client):
    response = post(client, "capture.png", png_bytes())
    assert response.status_code == 302
    shot = Screenshot.objects.get()
    assert (shot.width, shot.height, shot.content_type) == (40, 30, "image/png")
    path = shot.file.path
    assert path.startswith(str(settings.GUICHET_SUPPORT_FILES))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert "capture" not in path  # a random name on disk


def test_a_script_renamed_png_is_refused(client):
    response = post(client, "capture.png", b"#!/bin/sh\nrm -rf /\n<script>alert(1)</script>")
    assert response.status_code == 400
    assert "n&#x27;est pas une image PNG, JPEG ou WebP lisible" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_svg_with_a_script_is_refused(client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    response = post(client, "capture.png", svg, "image/svg+xml")
    assert response.status_code == 400
    assert not Screenshot.objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(client):
    data = bomb_png()
    assert len(data) < 100_000
    response = post(client, "bomb.png", data)
    assert response.status_code == 400
    assert "40 millions de pixels" in response.content.decode()
    with pytest.raises(images.Rejected):
        images.clean_bytes(data)


def test_a_20_mb_file_is_refused_and_nothing_else_is_lost(client):
    response = post(client, "big.png", png_bytes() + b"\x00" * (20 * 1024 * 1024))
    assert response.status_code == 400
    page = response.content.decode()
    assert "5 Mo" in page
    # What the person typed is still there.
    assert "jeanne.perso@example.org" in page
    assert "Rien ne se passe." in page


def test_a_polyglot_keeps_only_its_pixels(client):
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>PK\x03\x04zipdata"
    response = post(client, "poly.png", polyglot)
    assert response.status_code == 302
    stored = Screenshot.objects.get().file.read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_gps_exif_is_absent_after_upload(client):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    response = post(client, "photo.jpg", original, "image/jpeg")
    assert response.status_code == 302
    stored = Image.open(io.BytesIO(Screenshot.objects.get().file.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info


def test_webp_is_accepted_by_content_not_name(client):
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 0, 128)).save(out, "WEBP")
    response = post(client, "capture.gif", out.getvalue(), "application/octet-stream")
    assert response.status_code == 302
    shot = Screenshot.objects.get()
    assert shot.content_type == "image/png"  # transparency kept, as a fresh PNG


def test_a_gif_is_refused_even_though_pillow_reads_it(client):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    assert post(client, "capture.png", out.getvalue()).status_code == 400
