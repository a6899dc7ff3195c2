"""Previews of photos for the case page: small JPEGs made once and kept next to the photo in the store."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from engine.files.store import Store

#: The longest side of a preview, in pixels (twice what the page shows, for sharp high-density screens).
SIZE = 240
#: A photo with more pixels than this is not opened (a few bytes can claim a huge image).
MAX_PIXELS = 60_000_000


def key(sha256: str) -> str:
    return f"{sha256}.thumb"


def thumbnail(store: Store, sha256: str) -> bytes | None:
    """The preview of the image stored under ``sha256``, made and kept on first use; None when the image cannot
    be read (it is still offered for download)."""
    if store.exists(key(sha256)):
        with store.open(key(sha256)) as kept:
            return kept.read()
    with store.open(sha256) as source:
        preview = _render(source.read())
    if preview is not None:
        store.put(key(sha256), preview)
    return preview


def _render(data: bytes) -> bytes | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.seek(0)  # the first frame of an animation
                picture = ImageOps.exif_transpose(image).convert("RGB")  # phones store photos on their side
        picture.thumbnail((SIZE, SIZE))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=80)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
