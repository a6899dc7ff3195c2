"""Attachments through the API: a file sent as multipart comes back byte for byte with its sha256; limits and
kinds are refused as problems; a token of someone who may not see the case finds nothing."""

from __future__ import annotations

import hashlib

from tests.files import PDF, photo
from tests.web.api_client import Api

INTAKE = {"customer": "张三", "summary": "扣款两次", "complainant_count": 1}


def api(app, user: str) -> Api:
    return Api(app, app.extensions["preplan"].create_token(user)["token"])


def send(client: Api, case: int, data: bytes, name: str):
    """A multipart body written out (the client sends it twice: once to the app, once to the document)."""
    head = f'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
    body = head + data + b"\r\n--b0undary--\r\n"
    url = f"/api/v1/cases/{case}/attachments"
    return client.call("POST", url, data=body, content_type="multipart/form-data; boundary=b0undary")


def test_a_file_sent_to_a_case_downloads_as_sent(app):
    case = app.flow.start("mini_complaint", INTAKE)
    clerk = api(app, "wang")
    data = photo()
    sent = send(clerk, case, data, "现场.png")
    assert sent.status_code == 201
    assert {k: sent.json[k] for k in ("name", "size", "sha256")} == {
        "name": "现场.png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    downloaded = clerk.get(f"/api/v1/attachments/{sent.json['id']}")
    assert downloaded.status_code == 200 and downloaded.data == data
    assert hashlib.sha256(downloaded.data).hexdigest() == sent.json["sha256"]
    assert [a["id"] for a in clerk.get(f"/api/v1/cases/{case}/attachments").json] == [sent.json["id"]]


def test_a_misnamed_file_is_a_problem_and_a_stranger_finds_nothing(app):
    case = app.flow.start("mini_complaint", INTAKE)
    clerk = api(app, "wang")
    refused = send(clerk, case, PDF, "photo.jpg")
    assert refused.status_code == 422 and "photo.jpg" in refused.json["detail"]
    assert refused.json["errors"] == {"file": "the name does not match the content"}
    in_chinese = send(Api(app, clerk.token, language="zh-CN"), case, PDF, "photo.jpg")
    assert in_chinese.json["errors"] == {"file": "文件名与内容不符"}  # the field's problem in the reader's language
    sent = send(clerk, case, PDF, "receipt.pdf")
    app.flow.user("far_clerk", "clerk", unit=app.flow.unit("far", "另一家公司"))
    stranger = api(app, "far_clerk")
    assert stranger.get(f"/api/v1/attachments/{sent.json['id']}").status_code == 404
    assert send(stranger, case, photo(), "a.png").status_code == 404
