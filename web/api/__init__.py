"""The REST API under ``/api/v1``: JSON for other systems (call-centre platforms, 12315 / 12345, mail robots),
authenticated by API tokens, described by an OpenAPI document assembled from ``web/api/openapi/``.

Every module of this package is imported here, so a resource is added by adding its module (see
:mod:`web.api.base` for what a module uses) and its fragment of the document; nothing else is edited.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask

from .base import bp


def init_app(app: Flask) -> None:
    """Register the API with every route module of the package; its requests carry no session, so no CSRF."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)
