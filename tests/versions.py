"""A preplan folder copied as the next version of itself, with one edit, for the migration tests: its forms and
shared libraries are copied beside it, where ``load_package`` looks for them."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

from engine.preplans.duties import diagram_of, duty_processes
from engine.preplans.package import README, shared_libraries


def next_version(folder: Path, into: Path, edit: Callable[[str], str] | None = None) -> Path:
    """``folder`` copied under ``into`` with ``edit`` applied to its diagram; no edit: only its README changes (a
    new version that behaves as the old one)."""
    folder = folder.resolve()
    manifest = tomllib.loads((folder / "preplan.toml").read_text(encoding="utf-8"))
    copy = into / "processes" / folder.name
    shutil.copytree(folder, copy, dirs_exist_ok=True)
    repository = folder.parent.parent
    for name in [folder.name, *shared_libraries(manifest)]:
        if (repository / "forms" / name).is_dir():
            shutil.copytree(repository / "forms" / name, into / "forms" / name, dirs_exist_ok=True)
        if name != folder.name and (repository / "processes" / name).is_dir():
            shutil.copytree(repository / "processes" / name, into / "processes" / name, dirs_exist_ok=True)
    if edit is None:
        readme = copy / README
        readme.write_text((readme.read_text(encoding="utf-8") if readme.exists() else "") + "\n修订说明。\n", "utf-8")
        return copy
    name = diagram_of([p.name for p in copy.glob("*.bpmn")], duty_processes(manifest))  # not a duty's diagram
    assert name is not None, "the preplan has its own diagram"
    diagram = copy / name
    text = diagram.read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text, "the edit changes the diagram"
    diagram.write_text(edited, encoding="utf-8")
    return copy
