"""What may be attached, decided by the content's first bytes (its magic), never by the name a sender gave it.

Accepted: photos (JPEG, PNG, GIF, WebP), PDF, Office documents (Word, Excel and PowerPoint of 2007 and later, and
the older Word and Excel files still common in branch offices), and plain text (a call transcript, an e-mail or a
list copied out) in UTF-8 or GB 18030. Text that starts like markup (HTML, SVG, XML) is refused: a browser could run
it. A name whose extension says another kind than the content is refused too (``invoice.pdf`` that is really a
program); a name without one gets the content's.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from engine.errors import ValidationFailed, say


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]  # the first is given to a name that has none


JPEG = Kind("image/jpeg", ("jpg", "jpeg"))
PNG = Kind("image/png", ("png",))
GIF = Kind("image/gif", ("gif",))
WEBP = Kind("image/webp", ("webp",))
PDF = Kind("application/pdf", ("pdf",))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",))
DOC = Kind("application/msword", ("doc",))
XLS = Kind("application/vnd.ms-excel", ("xls",))
TEXT = Kind("text/plain", ("txt", "csv"))

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Office Open XML: a zip whose parts live under the application's folder.
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
#: The old binary formats: a compound file whose directory names the main stream (UTF-16 names).
_OLE_STREAMS = {"WordDocument".encode("utf-16-le"): DOC, "Workbook".encode("utf-16-le"): XLS}
_EXTENSION = re.compile(r"\.([A-Za-z][A-Za-z0-9]{0,4})$")
_UNSAFE = re.compile(r'[<>:"|?*]')
NAME_LIMIT = 120


def sniff(data: bytes) -> Kind | None:
    """The accepted kind the content is, or None."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    if head.startswith(_OLE):
        return next((kind for name, kind in _OLE_STREAMS.items() if name in data), None)
    return TEXT if _is_text(data) else None


def _ooxml(data: bytes) -> Kind | None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None  # a plain zip archive
    return next((kind for folder, kind in _OOXML.items() if any(n.startswith(folder) for n in names)), None)


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = all(c in "\t\r\n\f" or unicodedata.category(c) != "Cc" for c in text)
        return bool(text.strip()) and readable and not text.lstrip().startswith("<")
    return False


def safe_name(name: str, kind: Kind) -> str:
    """The name shown and offered on download: its last path part, without control or reserved characters, at
    most :data:`NAME_LIMIT` characters, ending in an extension of ``kind``. Refused when its own extension names
    something else."""
    base = unicodedata.normalize("NFC", re.split(r"[/\\]", name)[-1])
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = " ".join(_UNSAFE.sub("_", base).split()).strip(" .") or "attachment"
    found = _EXTENSION.search(base)
    if found is None:
        base = f"{base}.{kind.extensions[0]}"
    elif found.group(1).lower() not in kind.extensions:
        raise ValidationFailed(
            say(
                "%(name)s cannot be attached: its content is %(type)s, but its name ends in .%(extension)s",
                name=base[:NAME_LIMIT],
                type=kind.content_type,
                extension=found.group(1),
            ),
            {"file": say("the name does not match the content")},
        )
    stem, extension = base.rsplit(".", 1)
    return f"{stem[: NAME_LIMIT - len(extension) - 1]}.{extension}"


@dataclass(frozen=True)
class Checked:
    """A file as it will be stored: accepted kind, safe name, size and sha256 (its key in the store)."""

    name: str
    kind: Kind
    size: int
    sha256: str
    data: bytes


def check(name: str, data: bytes, limit: int) -> Checked:
    """``data`` if it may be attached (at most ``limit`` bytes, of an accepted kind, named consistently)."""
    shown = (name or "")[:NAME_LIMIT]
    if not data:
        raise ValidationFailed(say("%(name)s is empty", name=shown), {"file": say("the file is empty")})
    if len(data) > limit:
        raise ValidationFailed(
            say(
                "%(name)s is too large: %(size)s MB, attachments may have at most %(limit)s MB",
                name=shown,
                size=f"{len(data) / 2**20:.1f}",
                limit=f"{limit / 2**20:g}",
            ),
            {"file": say("the file is too large")},
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(
            say(
                "%(name)s cannot be attached: only photos (JPEG, PNG, GIF, WebP), PDF, Word, Excel, PowerPoint and "
                "plain text files are accepted",
                name=shown,
            ),
            {"file": say("this kind of file is not accepted")},
        )
    return Checked(safe_name(name, kind), kind, len(data), hashlib.sha256(data).hexdigest(), data)
