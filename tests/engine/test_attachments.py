"""Attachments: what may be attached (size, kind by content, a safe name), who may attach and download, the
bytes as sent, stored once per content, kept when the case closes, file fields of forms, previews of photos."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace

import pytest
from PIL import Image

from engine.cli import main
from engine.config import load_settings
from engine.errors import Conflict, NotFound, ValidationFailed
from tests.files import KEY, PDF, docx, evidence_preplan, old_excel, photo

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INTAKE = {"customer": "张先生", "summary": "加油卡扣款两次", "complainant_count": 1}


@pytest.fixture
def case(flow, tmp_path):
    """A running case in unit east, whose handling step is open for east's clerk; a clerk of west may not see it."""
    flow.deploy(evidence_preplan(tmp_path))
    flow.unit("east", "东区")
    flow.unit("west", "西区")
    flow.user("clerk_east", "clerk", unit="east")
    flow.user("clerk_west", "clerk", unit="west")
    flow.at("2026-11-23T10:00:00+08:00")
    return flow.start(KEY, INTAKE, unit="east")


def blobs(engine) -> list[str]:
    root = engine.settings.instance_dir / "attachments"
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_a_file_downloads_as_sent_with_its_sha256_and_is_in_the_trail(flow, case):
    data = photo()
    sent = flow.engine.attach(case, "现场.png", data, user="clerk_east")
    assert sent["name"] == "现场.png" and sent["size"] == len(data)
    assert sent["sha256"] == hashlib.sha256(data).hexdigest() and sent["content_type"] == "image/png"
    info, stream = flow.engine.open_attachment(sent["id"], user="clerk_east")
    with stream:
        assert stream.read() == data
    assert info["sha256"] == sent["sha256"]
    assert [a["id"] for a in flow.engine.attachments(case, user="clerk_east")] == [sent["id"]]
    (event,) = flow.events(case, "attached")
    assert event["actor"] == "clerk_east" and event["details"]["name"] == "现场.png"


def test_equal_files_are_stored_once(flow, case):
    other = flow.start(KEY, INTAKE, unit="east")
    data = photo(color="blue")
    first = flow.engine.attach(case, "a.png", data, user="clerk_east")
    second = flow.engine.attach(other, "b.png", data, user="clerk_east")
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert blobs(flow.engine) == [first["sha256"]]


def test_the_size_limit_is_a_setting(flow, case, monkeypatch):
    monkeypatch.setenv("PREPLAN_ATTACHMENT_MB", "0.5")
    flow.engine.settings = replace(flow.engine.settings, attachment_megabytes=load_settings().attachment_megabytes)
    too_large = b"%PDF-1.4\n" + bytes(512 * 1024)
    with pytest.raises(ValidationFailed, match="too large: 0.5 MB, attachments may have at most 0.5 MB"):
        flow.engine.attach(case, "scan.pdf", too_large, user="clerk_east")
    flow.engine.attach(case, "scan.pdf", too_large[: 512 * 1024], user="clerk_east")
    assert len(flow.engine.attachments(case, user="clerk_east")) == 1


@pytest.mark.parametrize(
    ("name", "data", "stored_as", "content_type"),
    [
        ("IMG_0001.JPG", photo(kind="JPEG"), "IMG_0001.JPG", "image/jpeg"),
        ("receipt", PDF, "receipt.pdf", "application/pdf"),
        ("C:\\Users\\li\\处理意见.docx", docx(), "处理意见.docx", DOCX),
        ("../../台账.xls", old_excel(), "台账.xls", "application/vnd.ms-excel"),
        ("通话记录.txt", "客户来电称扣款两次。\n".encode("gb18030"), "通话记录.txt", "text/plain"),
        ('a<b>:"c".png', photo(), "a_b___c_.png", "image/png"),
    ],
)
def test_accepted_kinds_are_told_by_their_content_and_named_safely(flow, case, name, data, stored_as, content_type):
    sent = flow.engine.attach(case, name, data, user="clerk_east")
    assert (sent["name"], sent["content_type"]) == (stored_as, content_type)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.jpg", b"MZ\x90\x00" + bytes(200), "only photos"),  # a program named as a photo
        ("photo.jpg", PDF, "its content is application/pdf, but its name ends in .jpg"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "only photos"),  # markup a browser would run
        ("archive.docx", b"PK\x03\x04" + bytes(100), "only photos"),  # not a readable Office document
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_files_of_other_kinds_or_misnamed_are_refused(flow, case, name, data, reason):
    with pytest.raises(ValidationFailed, match=reason):
        flow.engine.attach(case, name, data, user="clerk_east")
    assert flow.engine.attachments(case, user="clerk_east") == [] and blobs(flow.engine) == []


def test_someone_who_may_not_see_the_case_finds_no_file(flow, case):
    sent = flow.engine.attach(case, "a.png", photo(), user="clerk_east")
    with pytest.raises(NotFound, match=f"no attachment {sent['id']}"):
        flow.engine.open_attachment(sent["id"], user="clerk_west")
    with pytest.raises(NotFound, match=f"no attachment {sent['id']}"):
        flow.engine.thumbnail(sent["id"], user="clerk_west")
    with pytest.raises(NotFound, match="no case"):
        flow.engine.attachments(case, user="clerk_west")
    with pytest.raises(NotFound, match="no case"):
        flow.engine.attach(case, "b.png", photo(color="green"), user="clerk_west")
    with pytest.raises(NotFound, match="no attachment 999"):
        flow.engine.open_attachment(999, user="clerk_east")


def test_files_stay_with_a_completed_or_terminated_case_and_none_are_added(flow, case):
    other = flow.start(KEY, INTAKE, unit="east")
    kept = {c: flow.engine.attach(c, "a.pdf", PDF, user="clerk_east") for c in (case, other)}
    flow.complete(case, "Task_Handle", {"result": "已退款"}, user="clerk_east")
    flow.engine.terminate(other, "重复投诉")
    assert (flow.status(case), flow.status(other)) == ("completed", "terminated")
    for closed, sent in kept.items():
        info, stream = flow.engine.open_attachment(sent["id"], user="clerk_east")
        with stream:
            assert stream.read() == PDF
        with pytest.raises(Conflict, match="is closed"):
            flow.engine.attach(closed, "b.pdf", PDF + b"%", user="clerk_east")
    assert blobs(flow.engine) == [hashlib.sha256(PDF).hexdigest()]


def test_a_file_field_holds_files_of_its_own_case_only(flow, case):
    other = flow.start(KEY, INTAKE, unit="east")
    mine = flow.engine.attach(case, "a.png", photo(), user="clerk_east", task=flow.task(case, "Task_Handle")["id"])
    theirs = flow.engine.attach(other, "b.png", photo(color="blue"), user="clerk_east")
    with pytest.raises(ValidationFailed) as refused:
        flow.complete(
            case, "Task_Handle", {"result": "已退款", "photos": [mine["id"], theirs["id"]]}, user="clerk_east"
        )
    assert refused.value.kinds == {"photos": ("attachment", None)}
    flow.complete(case, "Task_Handle", {"result": "已退款", "photos": [mine["id"]]}, user="clerk_east")
    assert flow.data(case)["photos"] == [mine["id"]]
    (listed,) = flow.engine.attachments(case, user="clerk_east")
    assert listed["step"] == "处理投诉"


def test_a_task_of_another_case_is_not_a_step_to_attach_to(flow, case):
    other = flow.start(KEY, INTAKE, unit="east")
    with pytest.raises(NotFound, match="has no task"):
        flow.engine.attach(case, "a.png", photo(), user="clerk_east", task=flow.task(other, "Task_Handle")["id"])


def test_photos_get_a_small_preview_kept_next_to_them(flow, case):
    sent = flow.engine.attach(case, "a.png", photo((1600, 900)), user="clerk_east")
    preview = flow.engine.thumbnail(sent["id"], user="clerk_east")
    with Image.open(io.BytesIO(preview)) as image:
        assert (image.format, image.size) == ("JPEG", (240, 135))
    assert blobs(flow.engine) == sorted([sent["sha256"], sent["sha256"] + ".thumb"])
    assert flow.engine.thumbnail(sent["id"], user="clerk_east") == preview
    pdf = flow.engine.attach(case, "a.pdf", PDF, user="clerk_east")
    assert flow.engine.thumbnail(pdf["id"], user="clerk_east") is None


def test_preplan_attach_sends_a_file_from_the_command_line(flow, case, tmp_path, capsys):
    receipt = tmp_path / "收据.pdf"
    receipt.write_bytes(PDF)
    url = flow.engine.settings.database_url
    assert main(["--database-url", url, "attach", str(case), str(receipt), "--as", "clerk_east", "--json"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert (sent["name"], sent["sha256"]) == ("收据.pdf", hashlib.sha256(PDF).hexdigest())
    assert main(["--database-url", url, "attach", str(case), str(receipt), "--as", "clerk_west", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "not_found"
