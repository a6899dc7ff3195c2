"""Files to attach in tests (real photos, a PDF, Office documents, made here) and the test preplan with file
fields on its intake and handling forms."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from PIL import Image

from tests.conftest import FIXTURES

KEY = "mini_evidence"


def photo(size: tuple[int, int] = (800, 600), color: str = "red", kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def old_excel() -> bytes:
    """The start of a compound file whose directory names an Excel workbook stream."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + bytes(100)


def evidence_preplan(tmp_path: Path) -> Path:
    """The mini complaint preplan with a letter (file field) on its intake and photos on its handling step."""
    folder = tmp_path / "processes" / KEY
    forms = tmp_path / "forms" / KEY
    shutil.copytree(FIXTURES / "processes" / "mini_complaint", folder)
    shutil.copytree(FIXTURES / "forms" / "mini_complaint", forms)
    files = {"type": "array", "format": "attachments", "items": {"type": "integer"}}
    for form, field, title in (("intake", "letter", "投诉信"), ("handle", "photos", "现场照片")):
        path = forms / f"{form}.schema.json"
        schema = json.loads(path.read_text())
        schema["properties"][field] = {**files, "title": title}
        path.write_text(json.dumps(schema, ensure_ascii=False))
    return folder
