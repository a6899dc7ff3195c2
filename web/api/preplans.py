"""Preplans that can start cases, with their start forms; and the organisation's units a case may belong to."""

from __future__ import annotations

from flask import Response

from .base import answer, bp, engine


@bp.get("/preplans")
def preplans() -> Response:
    return answer(engine().preplans())


@bp.get("/units")
def units() -> Response:
    return answer(engine().list_units())
