"""What every response carries to keep browsers safe, and cookies that are Secure whenever the page is HTTPS.

Headers come from Flask-Talisman: a Content-Security-Policy with scripts and styles from this site only (no
inline scripts; pages keep their behaviour in static files), no framing, no MIME sniffing, a strict referrer
policy, and HSTS on HTTPS. Behind a reverse proxy, ``PREPLAN_PROXIES=N`` trusts the ``X-Forwarded-*`` headers of
N proxies (werkzeug's ProxyFix), so the app knows when the browser's request was HTTPS.
"""

from __future__ import annotations

import os

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when the request came over HTTPS (directly or through a trusted proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    proxies = int(os.environ.get("PREPLAN_PROXIES", "0"))
    if proxies:
        proxied = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()
    Talisman(
        app,
        force_https=False,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=False,
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
    )
