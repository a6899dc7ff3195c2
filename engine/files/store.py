"""Where attachment bytes live: a :class:`Store` keeps blobs by key; :class:`FileStore` keeps them as files.

Keys are chosen by the caller: an attachment's key is the sha256 of its content (equal files are stored once, and
a blob never changes under its key), its preview's is ``<sha256>.thumb``. A blob whose rows were rolled back stays
behind unreferenced and harmless: the next upload of the same content finds it.

Another backend plugs in by implementing the four methods and handing it to the engine, e.g. an S3-compatible
bucket (``put`` → ``PutObject`` of the key, ``open`` → the body of ``GetObject``, ``exists`` → ``HeadObject``,
``delete`` → ``DeleteObject``)::

    engine = Engine(db, settings)
    engine.files = S3Store(bucket, prefix="attachments/")
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY = re.compile(r"[0-9a-f]{64}(\.[a-z]+)?")


class Store(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key``; a key already kept holds the same content and is left as it is."""

    def open(self, key: str) -> BinaryIO:
        """The blob for reading; :class:`FileNotFoundError` when there is none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Forget the blob (nothing when there is none)."""


class FileStore:
    """Blobs as files under ``root`` (by default ``<instance>/attachments``), fanned out by the key's first four
    characters (``ab/cd/abcd…``) so no folder grows past a few thousand entries. A preview lies next to its file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a blob key: {key[:80]!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # written aside and renamed: a reader (or a concurrent upload of the same file) never sees half a blob
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
