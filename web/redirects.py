"""Where a form may send people afterwards: only a path on this site, read the way a browser reads it.

Browsers drop tabs and line breaks inside a URL and treat ``\\`` like ``/``, so ``/%09/evil.example`` and
``/\\evil.example`` lead to another host; a plain ``startswith("/")`` test lets both through.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_INVISIBLE = re.compile(r"[\t\n\r]")


def same_site(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``."""
    cleaned = _INVISIBLE.sub("", (target or "").strip()).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//") or any(ord(ch) < 32 for ch in cleaned):
        return fallback
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return fallback
    return cleaned
