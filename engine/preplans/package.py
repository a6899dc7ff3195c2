"""A preplan as files: ``processes/<key>/`` (BPMN, DMN, preplan.toml) plus its forms in ``forms/<key>/``.

The package is what gets checked, hashed and stored as a version: diagrams, decision tables, the manifest, the
forms and the README (a version carries the documentation it was deployed with; the catalogue page shows it).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InvalidPreplan, Problem, say

MANIFEST = "preplan.toml"
README = "README.md"
FORMS_PREFIX = "forms/"


@dataclass(frozen=True)
class PreplanPackage:
    key: str
    manifest: dict[str, Any]
    files: dict[str, bytes]  # "x.bpmn", "x.dmn", "preplan.toml", "forms/intake.schema.json"
    root: Path | None = None  # the folder it was read from; None for files from a zip, a draft or a version

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()

    def named(self, suffix: str) -> dict[str, bytes]:
        return {name: data for name, data in self.files.items() if name.endswith(suffix) and "/" not in name}

    @property
    def bpmn(self) -> dict[str, bytes]:
        return self.named(".bpmn")

    @property
    def dmn(self) -> dict[str, bytes]:
        """Own decision tables and those of shared libraries (``_shared/penalties.dmn``)."""
        return {name: data for name, data in self.files.items() if name.endswith(".dmn")}

    @property
    def forms(self) -> dict[str, bytes]:
        return {name[len(FORMS_PREFIX) :]: data for name, data in self.files.items() if name.startswith(FORMS_PREFIX)}

    @property
    def process_id(self) -> str:
        return str(self.manifest.get("process", self.key))


def forms_dir(root: Path, manifest: dict[str, Any], key: str) -> Path:
    """``forms = "…"`` in the manifest (relative to the preplan folder), else ``<repo>/forms/<key>``."""
    return (root / manifest["forms"]).resolve() if "forms" in manifest else root.parent.parent / "forms" / key


def shared_libraries(manifest: dict[str, Any]) -> list[str]:
    """``shared = ["_shared"]``: folders of forms (``forms/<name>/``) and decision tables (``processes/<name>/``)
    that several preplans use; a version stores its own copy, so later edits never change a running case."""
    names = manifest.get("shared", [])
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def package_from_files(key: str, files: Mapping[str, bytes], *, root: Path | None = None) -> PreplanPackage:
    """A package from its files as a version stores them (``x.bpmn``, ``preplan.toml``, ``forms/a.schema.json``,
    ``_shared/penalties.dmn``, ``forms/_shared/…``): what a folder, a zip, a draft and a stored version share."""
    where = str(root / MANIFEST) if root else f"{key}/{MANIFEST}"
    raw = files.get(MANIFEST)
    if raw is None:
        raise InvalidPreplan([Problem(where, say("missing %(file)s", file=MANIFEST))])
    problems = undecodable(key, files)
    if problems:
        raise InvalidPreplan(problems)
    return PreplanPackage(key=key, manifest=_manifest(raw, where), files=dict(files), root=root)


def undecodable(key: str, files: Mapping[str, bytes]) -> list[Problem]:
    """A version stores its files as text: each must be UTF-8."""
    problems = []
    for name, data in sorted(files.items()):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(f"{key}/{name}", say("%(file)s is not UTF-8 text", file=name)))
    return problems


def _manifest(raw: bytes, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidPreplan([Problem(where, say("not valid TOML: %(problem)s", problem=str(exc)))]) from None


def load_package(path: Path) -> PreplanPackage:
    root = path.resolve()
    if not root.is_dir():
        raise InvalidPreplan([Problem(str(path), say("not a preplan folder"))])
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise InvalidPreplan([Problem(str(manifest_path), say("missing %(file)s", file=MANIFEST))])
    key = root.name
    files = {MANIFEST: manifest_path.read_bytes()}
    for item in sorted(root.iterdir()):
        if (item.suffix in (".bpmn", ".dmn") or item.name == README) and item.is_file():
            files[item.name] = item.read_bytes()
    manifest = _manifest(files[MANIFEST], str(manifest_path))
    form_root = forms_dir(root, manifest, key)
    if form_root.is_dir():
        for item in sorted(form_root.glob("*.json")):
            files[FORMS_PREFIX + item.name] = item.read_bytes()
    problems = []
    for library in shared_libraries(manifest):
        decisions, forms = root.parent / library, form_root.parent / library
        if not decisions.is_dir() and not forms.is_dir():
            problems.append(
                Problem(
                    str(manifest_path),
                    say(
                        "shared library %(library)s: neither %(decisions)s nor %(forms)s exists",
                        library=repr(library),
                        decisions=str(decisions),
                        forms=str(forms),
                    ),
                )
            )
        for item in sorted(decisions.glob("*.dmn")) if decisions.is_dir() else []:
            files[f"{library}/{item.name}"] = item.read_bytes()
        for item in sorted(forms.glob("*.json")) if forms.is_dir() else []:
            files[f"{FORMS_PREFIX}{library}/{item.name}"] = item.read_bytes()
    if problems:
        raise InvalidPreplan(problems)
    return package_from_files(key, files, root=root)


def discover(processes: Path) -> list[Path]:
    """Every preplan folder under ``processes/`` (those with a manifest), in name order."""
    return sorted(p for p in processes.iterdir() if (p / MANIFEST).is_file())
