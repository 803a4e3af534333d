"""QR codes as images (PNG or SVG), e.g. a module's per-building link for residents.

Made with segno (pure Python, no image library needed); error correction level M, so a
printed code stays readable when a corner is scuffed.
"""

from __future__ import annotations

import io
from typing import Literal

import segno

Format = Literal["png", "svg"]
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


def qr_image(text: str, kind: Format = "png", *, scale: int = 8) -> bytes:
    """The QR code of ``text`` as an image of ``kind``, ``scale`` pixels per module."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=scale, border=4)
    return out.getvalue()
