"""A preplan as a zip: what export writes deploys as it is and unzipped as a folder; zips made by hand are read;
hostile zips are refused with the reason."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from engine.errors import InvalidPreplan
from engine.preplans import archive
from engine.preplans.archive import read_zip, write_zip
from engine.preplans.package import load_package, package_from_files
from tests.conftest import FIXTURES, ROOT
from tests.engine.conftest import as_json

MINI = FIXTURES / "processes" / "mini_complaint"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _refusal(data: bytes, key: str | None = None) -> str:
    with pytest.raises(InvalidPreplan) as caught:
        read_zip(data, key)
    return "; ".join(str(p) for p in caught.value.problems)


@pytest.mark.parametrize("key", ["vanke_complaint", "petrochina_station", "accident_complaint_office"])
def test_an_exported_zip_reads_back_and_unzips_into_a_deployable_folder(key, tmp_path):
    package = load_package(ROOT / "processes" / key)
    data = write_zip(key, package.files)
    assert write_zip(key, package.files) == data  # the same version always exports to the same bytes
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"processes/{key}/preplan.toml" in names and f"processes/{key}/{key}.bpmn" in names
    assert any(n.startswith(f"forms/{key}/") for n in names)
    read = package_from_files(*read_zip(data))
    assert read.key == key and read.sha256 == package.sha256 and read.root is None
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    assert load_package(tmp_path / "processes" / key).sha256 == package.sha256


def test_shared_libraries_travel_with_the_preplan():
    package = load_package(ROOT / "processes" / "accident_complaint_office")
    names = zipfile.ZipFile(io.BytesIO(write_zip(package.key, package.files))).namelist()
    assert "forms/_accident/intake.schema.json" in names and "forms/_major/approval.schema.json" in names


def _mini_files() -> dict[str, bytes]:
    return load_package(MINI).files


def test_a_hand_made_zip_of_a_folder_with_its_forms_inside():
    files = _mini_files()
    entries = {f"mini_complaint/{n}": d for n, d in files.items()}  # forms/ inside the folder
    entries["__MACOSX/mini_complaint/._preplan.toml"] = b"\x00\x05junk"
    entries["mini_complaint/.DS_Store"] = b"\x00junk"
    key, read = read_zip(_zip(entries))
    assert key == "mini_complaint" and read == files


def test_files_at_the_top_level_need_the_preplan_named():
    files = _mini_files()
    data = _zip(files)
    assert "name the preplan" in _refusal(data)
    key, read = read_zip(data, "mini_complaint")
    assert key == "mini_complaint" and read == files


def test_several_preplans_in_one_zip_need_one_named():
    mini, vanke = _mini_files(), load_package(ROOT / "processes" / "vanke_complaint").files
    entries = {f"a/mini_complaint/{n}": d for n, d in mini.items() if "/" not in n}
    entries.update({f"a/vanke_complaint/{n}": d for n, d in vanke.items() if "/" not in n})
    data = _zip(entries)
    assert "several preplans (mini_complaint, vanke_complaint): name one" in _refusal(data)
    key, read = read_zip(data, "vanke_complaint")
    assert key == "vanke_complaint" and set(read) == {n for n in vanke if "/" not in n}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.bpmn", "a name outside the zip's folder is not allowed"),
        ("mini_complaint/../../evil.bpmn", "a name outside the zip's folder is not allowed"),
        ("/etc/passwd", "a name outside the zip's folder is not allowed"),
        ("C:/windows/evil.bpmn", "a name outside the zip's folder is not allowed"),
        ("..\\evil.bpmn", "a name outside the zip's folder is not allowed"),
    ],
)
def test_names_that_leave_the_folder_are_refused(name, message):
    entries = {f"mini_complaint/{n}": d for n, d in _mini_files().items()}
    entries[name] = b"<x/>"
    assert message in _refusal(_zip(entries))


def test_links_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mini_complaint/preplan.toml", (MINI / "preplan.toml").read_bytes())
        link = zipfile.ZipInfo("mini_complaint/mini_complaint.bpmn")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    assert "links are not allowed" in _refusal(buffer.getvalue())


def test_duplicate_names_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z, pytest.warns(UserWarning):
        z.writestr("mini_complaint/preplan.toml", (MINI / "preplan.toml").read_bytes())
        z.writestr("mini_complaint/preplan.toml", b"title = 1")
    assert "mini_complaint/preplan.toml is in the zip twice" in _refusal(buffer.getvalue())


def test_too_many_files_are_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 5)
    assert "more than 5 files" in _refusal(_zip({f"mini_complaint/{n}": d for n, d in _mini_files().items()}))


def test_a_zip_bomb_is_refused_by_its_declared_size_and_when_its_sizes_lie(monkeypatch):
    monkeypatch.setattr(archive, "MAX_BYTES", 1024 * 1024)
    bomb = {f"mini_complaint/{n}": d for n, d in _mini_files().items()}
    bomb["mini_complaint/README.md"] = b"0" * (2 * 1024 * 1024)  # compresses to about 2 KB
    data = _zip(bomb)
    assert len(data) < 64 * 1024 and "unpacks to more than 1 MB" in _refusal(data)
    # the central directory claims a small size: the read is capped all the same
    lying = bytearray(data)
    offset = lying.find(b"PK\x01\x02")
    while offset >= 0:
        name_length = int.from_bytes(lying[offset + 28 : offset + 30], "little")
        if lying[offset + 46 : offset + 46 + name_length] == b"mini_complaint/README.md":
            lying[offset + 24 : offset + 28] = (100).to_bytes(4, "little")
        offset = lying.find(b"PK\x01\x02", offset + 4)
    refusal = _refusal(bytes(lying))
    assert "unpacks to more than 1 MB" in refusal or "damaged" in refusal


def test_text_that_is_not_utf8_and_a_file_that_is_no_zip_are_refused():
    entries = {f"mini_complaint/{n}": d for n, d in _mini_files().items()}
    entries["mini_complaint/README.md"] = "投诉处理".encode("gb18030")
    assert "README.md is not UTF-8 text" in _refusal(_zip(entries))
    assert "not a zip file" in _refusal(b"PK\x03\x04 not really")
    assert "holds no preplan.toml" in _refusal(_zip({"x.bpmn": b"<x/>"}))
    assert "cannot name a preplan" in _refusal(_zip({"a b/preplan.toml": b""}))


def test_encrypted_entries_are_refused():
    data = bytearray(_zip({"mini_complaint/preplan.toml": b"x = 1"}))
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        offset = data.find(signature)
        data[offset + flags] |= 0x1
    assert "encrypted files are not allowed" in _refusal(bytes(data))


def test_deploy_takes_a_zip_and_check_too(run, tmp_path):
    path = tmp_path / "mini.zip"
    path.write_bytes(write_zip("mini_complaint", _mini_files()))
    assert run("check", str(path))[:2] == (0, "ok: 1 preplan(s)\n")
    code, out, _ = run("deploy", str(path))
    assert code == 0 and as_json(out) == {"preplan": "mini_complaint", "version": 1, "changed": True}
    code, out, _ = run("deploy", str(MINI))  # the same files from the folder: the same version
    assert code == 0 and as_json(out)["changed"] is False
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zip({"../evil/preplan.toml": b""}))
    code, out, _ = run("deploy", str(bad))
    assert code == 1 and as_json(out)["error"] == "invalid_preplan"
    assert "outside the zip's folder" in as_json(out)["problems"][0]["message"]


def test_forms_path_from_the_manifest_is_followed():
    files = _mini_files()
    manifest = 'forms = "schemas"\n' + files["preplan.toml"].decode()
    entries = {"mini_complaint/preplan.toml": manifest.encode()}
    entries.update({f"mini_complaint/{n}": d for n, d in files.items() if "/" not in n and n != "preplan.toml"})
    entries.update({f"mini_complaint/schemas/{n[6:]}": d for n, d in files.items() if n.startswith("forms/")})
    _, read = read_zip(_zip(entries))
    assert {n for n in read if n.startswith("forms/")} == {n for n in files if n.startswith("forms/")}


def test_package_from_files_reports_what_load_package_reports():
    with pytest.raises(InvalidPreplan) as caught:
        package_from_files("x", {"a.bpmn": b"<x/>"})
    assert str(caught.value.problems[0]) == "x/preplan.toml: missing preplan.toml"
    with pytest.raises(InvalidPreplan) as caught:
        package_from_files("x", {"preplan.toml": b"title = "})
    assert "not valid TOML" in str(caught.value.problems[0])
