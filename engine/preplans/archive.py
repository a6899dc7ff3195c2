"""A preplan as one ``.zip`` file: what ``preplan versions export`` writes and ``preplan deploy`` reads.

The zip mirrors this repository, so it can be deployed as it is or unzipped anywhere and deployed as a folder::

    processes/KEY/preplan.toml, processes/KEY/*.bpmn, processes/KEY/*.dmn, processes/KEY/README.md
    forms/KEY/*.json                    the preplan's forms
    processes/_lib/*.dmn, forms/_lib/*.json   the shared libraries its manifest names (``shared = ["_lib"]``)

A zip made by hand or by another tool is read as well: a folder holding a ``preplan.toml`` (its forms in
``forms/KEY/`` beside it or in a ``forms/`` folder inside it), or the same files at the zip's top level (then the
caller names the preplan). A zip is untrusted input: names that climb out (``../``) or are absolute, links,
encrypted or duplicate entries, too many files, and more than :data:`MAX_BYTES` once unpacked (declared sizes are
checked, then every read is capped, since declared sizes can lie) are refused with the reason, before anything is
stored.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import tomllib
import zipfile
import zlib
from collections.abc import Mapping
from typing import NoReturn

from engine.errors import InvalidPreplan, Problem, Text, say
from engine.preplans.package import FORMS_PREFIX, MANIFEST, README, shared_libraries, undecodable

MAX_FILES = 1000
MAX_BYTES = 20 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same version always exports to the same bytes


def write_zip(key: str, files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(_zip_name(key, name), _STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _zip_name(key: str, name: str) -> str:
    if name.startswith(FORMS_PREFIX):
        rest = name[len(FORMS_PREFIX) :]
        return f"forms/{rest}" if "/" in rest else f"forms/{key}/{rest}"
    return f"processes/{name}" if "/" in name else f"processes/{key}/{name}"


def read_zip(data: bytes, key: str | None = None, *, source: str = "zip") -> tuple[str, dict[str, bytes]]:
    """The preplan's key and its files named as a version stores them; ``key`` chooses among several preplans and
    names one whose files are at the top level. ``source`` names the zip in refusals."""
    if len(data) > MAX_BYTES:
        _refuse(source, say("the zip is larger than %(mb)s MB", mb=MAX_BYTES // (1024 * 1024)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError):
        _refuse(source, say("not a zip file"))
    with archive:
        names = _entries(archive, source)
        folder, key = _preplan_folder(names, key, source)
        chosen = {n: f for n, f in ((n, _package_name(n, folder)) for n in names) if f}
        manifest = _read(archive, names, {f"{folder}{MANIFEST}": MANIFEST}, source)
        files = dict(manifest)
        try:
            declared = tomllib.loads(manifest[MANIFEST].decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            declared = {}  # package_from_files says what is wrong with it
        wanted = {n: f for n, f in chosen.items() if f != MANIFEST}
        forms = _forms_folder(names, folder, key, declared)
        wanted.update({n: FORMS_PREFIX + n[len(forms) :] for n in names if _child(n, forms, ".json")})
        problems = []
        for library in shared_libraries(declared):
            found = {
                n: f"{library}/{posixpath.basename(n)}" for n in names if _child(n, f"{_up(folder)}{library}/", ".dmn")
            }
            for place in (f"{_up(forms)}{library}/", f"{forms}{library}/"):
                found.update(
                    {n: f"{FORMS_PREFIX}{library}/{n[len(place) :]}" for n in names if _child(n, place, ".json")}
                )
            if not found:
                problems.append(Problem(source, say("shared library %(library)s is not in the zip", library=library)))
            wanted.update(found)
        if problems:
            raise InvalidPreplan(problems)
        files.update(_read(archive, names, wanted, source))
    problems = undecodable(key, files)
    if problems:
        raise InvalidPreplan(problems)
    return key, files


def _refuse(source: str, message: Text) -> NoReturn:
    raise InvalidPreplan([Problem(source, message)])


def _entries(archive: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    """Every file entry by its clean name, once each entry has been found harmless."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        _refuse(source, say("the zip holds more than %(count)s files", count=MAX_FILES))
    if sum(info.file_size for info in infos) > MAX_BYTES:
        _refuse(source, say("the zip unpacks to more than %(mb)s MB", mb=MAX_BYTES // (1024 * 1024)))
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = _decoded(info).replace("\\", "/")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts or "\0" in name:
            _refuse(source, say("%(name)s: a name outside the zip's folder is not allowed", name=name))
        if stat.S_ISLNK(info.external_attr >> 16):
            _refuse(source, say("%(name)s: links are not allowed in a zip", name=name))
        if info.flag_bits & 0x1:
            _refuse(source, say("%(name)s: encrypted files are not allowed", name=name))
        if info.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        clean = "/".join(parts)
        if clean in entries:
            _refuse(source, say("%(name)s is in the zip twice", name=clean))
        entries[clean] = info
    return entries


def _decoded(info: zipfile.ZipInfo) -> str:
    """Names written without the UTF-8 flag were read as CP437; Chinese Windows writes GBK (GB 18030)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _preplan_folder(names: Mapping[str, zipfile.ZipInfo], key: str | None, source: str) -> tuple[str, str]:
    """The folder holding the manifest (``""`` or ending in ``/``) and the preplan's key."""
    manifests = sorted(n for n in names if posixpath.basename(n) == MANIFEST)
    if not manifests:
        _refuse(source, say("the zip holds no %(file)s", file=MANIFEST))
    named = [m for m in manifests if posixpath.basename(posixpath.dirname(m)) == key] if key else []
    if not named and len(manifests) > 1:
        folders = ", ".join(posixpath.basename(posixpath.dirname(m)) or "/" for m in manifests)
        _refuse(source, say("the zip holds several preplans (%(folders)s): name one", folders=folders))
    manifest = (named or manifests)[0]
    folder = posixpath.dirname(manifest)
    key = key or posixpath.basename(folder)
    if not key:
        _refuse(source, say("the zip's files are at its top level: name the preplan they belong to"))
    if not _KEY.fullmatch(key):
        _refuse(source, say("%(key)s cannot name a preplan: use letters, digits, _ and -", key=key))
    return (folder + "/" if folder else ""), key


def _package_name(name: str, folder: str) -> str | None:
    """The name a version gives a file of the preplan's own folder (its diagrams, tables, manifest and README)."""
    if not name.startswith(folder) or "/" in name[len(folder) :]:
        return None
    rest = name[len(folder) :]
    return rest if rest.endswith((".bpmn", ".dmn")) or rest in (MANIFEST, README) else None


def _forms_folder(names: Mapping[str, zipfile.ZipInfo], folder: str, key: str, manifest: dict[str, object]) -> str:
    """Where the forms are: the manifest's ``forms`` folder, ``forms/KEY/`` beside the preplan's folder (this
    module's layout and the repository's), or a ``forms/`` folder inside it."""
    places = [f"{_up(_up(folder))}forms/{key}/", f"{folder}forms/"]
    if isinstance(manifest.get("forms"), str):
        places.insert(0, posixpath.normpath(folder + str(manifest["forms"])) + "/")
    return next((p for p in places if any(_child(n, p, ".json") for n in names)), places[-1])


def _up(folder: str) -> str:
    parent = posixpath.dirname(folder.rstrip("/"))
    return parent + "/" if parent else ""


def _child(name: str, folder: str, suffix: str) -> bool:
    return name.startswith(folder) and "/" not in name[len(folder) :] and name.endswith(suffix)


def _read(
    archive: zipfile.ZipFile, names: Mapping[str, zipfile.ZipInfo], wanted: Mapping[str, str], source: str
) -> dict[str, bytes]:
    """The wanted entries' bytes under their package names; never more than :data:`MAX_BYTES` in all, whatever
    the entries declare."""
    files: dict[str, bytes] = {}
    budget = MAX_BYTES
    for name, package_name in sorted(wanted.items()):
        chunks = []
        try:
            with archive.open(names[name]) as stream:
                while chunk := stream.read(min(65536, budget + 1)):
                    budget -= len(chunk)
                    if budget < 0:
                        _refuse(source, say("the zip unpacks to more than %(mb)s MB", mb=MAX_BYTES // (1024 * 1024)))
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError):
            _refuse(source, say("%(name)s: the zip is damaged or uses a method that is not supported", name=name))
        files[package_name] = b"".join(chunks)
    return files
