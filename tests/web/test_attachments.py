"""Files on the case page: upload, previews of photos, download only for who may see the case, file fields of the
start and task forms, and uploads past the 1 MB cap of every other form."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from engine import clock
from engine.config import load_settings
from tests.files import KEY, PDF, evidence_preplan, photo
from tests.flow import Flow
from tests.web.conftest import Browser, text
from web import create_app

INTAKE = {"customer": "张先生", "summary": "加油卡扣款两次", "complainant_count": "1"}


@pytest.fixture
def app(sqlite_engine, sqlite_url, tmp_path):
    flow = Flow(sqlite_engine)
    flow.deploy(evidence_preplan(tmp_path))
    flow.unit("east", "东区")
    flow.unit("west", "西区")
    flow.user("clerk_east", "clerk", unit="east")
    flow.user("clerk_west", "clerk", unit="west")
    clock.fix(clock.parse_instant("2026-11-23T10:00:00+08:00"))
    application = create_app(load_settings(sqlite_url), testing=True)
    application.flow = flow
    return application


@pytest.fixture
def case(app) -> int:
    return app.flow.start(KEY, {**INTAKE, "complainant_count": 1}, unit="east")


def upload(browser: Browser, case: int, *files: tuple[bytes, str]):
    page = f"/cases/{case}"
    sent = [(io.BytesIO(data), name) for data, name in files]
    return browser.post(f"/cases/{case}/attachments", {"file": sent}, page=page, follow_redirects=True)


def test_a_photo_uploaded_on_the_case_page_is_listed_with_its_preview_and_downloads_as_sent(app, case):
    clerk = Browser(app).login("clerk_east")
    data = photo((1200, 800))
    page = text(upload(clerk, case, (data, "现场照片.png"), (PDF, "收据.pdf")))
    assert "已附加 现场照片.png。" in page and "收据.pdf" in page
    (photo_id, pdf_id) = (a["id"] for a in app.flow.engine.attachments(case, user="clerk_east"))
    assert f'src="/attachments/{photo_id}/thumbnail"' in page and f"/attachments/{pdf_id}/thumbnail" not in page
    assert re.search(r"<strong>clerk_east</strong> 附加了文件\s+“现场照片.png”", page), "the upload is in the timeline"
    downloaded = clerk.get(f"/attachments/{photo_id}")
    assert downloaded.status_code == 200 and downloaded.data == data and downloaded.mimetype == "image/png"
    saved = clerk.get(f"/attachments/{pdf_id}")
    assert saved.data == PDF and saved.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%94%B6%E6%8D%AE.pdf" in saved.headers["Content-Disposition"]
    preview = clerk.get(f"/attachments/{photo_id}/thumbnail")
    with Image.open(io.BytesIO(preview.data)) as image:
        assert image.format == "JPEG" and max(image.size) == 240


def test_someone_who_may_not_see_the_case_gets_not_found(app, case):
    sent = app.flow.engine.attach(case, "a.png", photo(), user="clerk_east")
    stranger = Browser(app).login("clerk_west")
    assert stranger.get(f"/attachments/{sent['id']}").status_code == 404
    assert stranger.get(f"/attachments/{sent['id']}/thumbnail").status_code == 404
    refused = upload(stranger, case, (PDF, "b.pdf"))
    assert "没有案件" in text(refused)
    assert [a["name"] for a in app.flow.engine.attachments(case, user="clerk_east")] == ["a.png"]


def test_a_program_named_as_a_photo_is_refused_with_the_reason(app, case):
    clerk = Browser(app).login("clerk_east")
    page = text(upload(clerk, case, (b"MZ\x90\x00" + bytes(300), "photo.jpg")))
    assert "photo.jpg 不能附加：只接受照片（JPEG、PNG、GIF、WebP）、PDF、Word、Excel、PowerPoint 和纯文本文件" in page
    assert app.flow.engine.attachments(case, user="clerk_east") == []


def test_uploads_may_pass_the_1_mb_cap_that_other_forms_keep(app, case):
    clerk = Browser(app).login("clerk_east")
    scan = b"%PDF-1.4\n" + bytes(3 * 1024 * 1024)
    assert "已附加 scan.pdf。" in text(upload(clerk, case, (scan, "scan.pdf")))
    huge_comment = clerk.post(f"/cases/{case}/comments", {"text": "x" * (2 * 1024 * 1024)}, page=f"/cases/{case}")
    assert huge_comment.status_code == 413


def test_a_task_form_stores_its_photos_and_the_field_holds_their_ids(app, case):
    clerk = Browser(app).login("clerk_east")
    task = app.flow.task(case, "Task_Handle")["id"]
    form = text(clerk.get(f"/tasks/{task}"))
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    sent = clerk.post(
        f"/tasks/{task}/complete",
        {"result": "已退款", "photos": [(io.BytesIO(photo()), "现场.png")]},
        page=f"/tasks/{task}",
    )
    assert sent.status_code == 302, text(sent)
    (listed,) = app.flow.engine.attachments(case, user="clerk_east")
    assert app.flow.data(case)["photos"] == [listed["id"]] and listed["step"] == "处理投诉"


def test_a_refused_task_form_keeps_its_stored_photos_ticked(app, case):
    clerk = Browser(app).login("clerk_east")
    task = app.flow.task(case, "Task_Handle")["id"]
    refused = clerk.post(
        f"/tasks/{task}/complete", {"photos": [(io.BytesIO(photo()), "现场.png")]}, page=f"/tasks/{task}"
    )
    assert refused.status_code == 422
    (listed,) = app.flow.engine.attachments(case, user="clerk_east")
    assert re.search(rf'name="photos" value="{listed["id"]}"\s+checked', text(refused))


def test_a_start_form_sends_the_letter_with_the_case(app):
    clerk = Browser(app).login("clerk_east")
    form = clerk.form(f"/cases/new/{KEY}")
    started = clerk.post(form, {**INTAKE, "_unit": "east", "letter": [(io.BytesIO(PDF), "投诉信.pdf")]}, page=form)
    assert started.status_code == 302, text(started)
    case = int(started.headers["Location"].rsplit("/", 1)[1])
    (letter,) = app.flow.engine.attachments(case, user="clerk_east")
    assert app.flow.data(case)["letter"] == [letter["id"]] and letter["name"] == "投诉信.pdf"
