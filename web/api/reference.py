"""The API's description: the OpenAPI 3.1 document, assembled at startup from the fragments in ``openapi/`` (one
file per resource group, so each group is described next to nobody else's), served as JSON, and a reference page
rendered from it by Swagger UI (served from our own static files, like bpmn-js)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Response, render_template

from .base import answer, bp, public

FRAGMENTS = Path(__file__).parent / "openapi"
#: The fragment holding the document's head (``openapi``, ``info``, security) and the shared components.
ROOT = "_root.json"


def assemble(folder: Path = FRAGMENTS) -> dict[str, Any]:
    """The root fragment, then every other ``*.json`` in name order: their ``paths``, ``components`` (per section)
    and ``tags`` are added; two fragments naming the same path or component is a mistake, refused at startup."""
    document: dict[str, Any] = json.loads((folder / ROOT).read_text(encoding="utf-8"))
    for path in sorted(folder.glob("*.json")):
        if path.name == ROOT:
            continue
        fragment = json.loads(path.read_text(encoding="utf-8"))
        _add(document.setdefault("paths", {}), fragment.get("paths", {}), f"{path.name}: path")
        for section, entries in fragment.get("components", {}).items():
            components = document.setdefault("components", {}).setdefault(section, {})
            _add(components, entries, f"{path.name}: components.{section}")
        document.setdefault("tags", []).extend(fragment.get("tags", []))
    return document


def _add(into: dict[str, Any], entries: dict[str, Any], where: str) -> None:
    for name, value in entries.items():
        if name in into:
            raise ValueError(f"{where} {name} is described twice")
        into[name] = value


@cache
def document() -> dict[str, Any]:
    return assemble()


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return answer(document())


@bp.get("/docs")
@public
def docs() -> str:
    return render_template("api_docs.html")
