"""The API through Flask's test client, checking every answer against the OpenAPI document (openapi-core)."""

from __future__ import annotations

import json

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from web.api.reference import assemble


class Api:
    """Calls with a bearer token; every response is validated against the document before the test sees it."""

    document = OpenAPI.from_dict(
        assemble(), config=Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    )

    def __init__(self, app, token: str | None = None, language: str = "en") -> None:
        self.client = app.test_client()
        self.token, self.language = token, language

    def call(self, method: str, url: str, *, headers: dict | None = None, **kw):
        sent = {"Accept-Language": self.language, **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(url, method=method, headers=sent, **kw)
        sent_again = Request(EnvironBuilder(url, method=method, headers=sent, **kw).get_environ())
        self.document.validate_response(WerkzeugOpenAPIRequest(sent_again), WerkzeugOpenAPIResponse(response))
        return response

    def get(self, url: str, **kw):
        return self.call("GET", url, **kw)

    def post(self, url: str, body: dict | None = None, **kw):
        return self.call("POST", url, json=body if body is not None else {}, **kw)
