"""How the application sits in its deployment: behind a reverse proxy, and the operator's commands
that are about the installation rather than a domain (`flask backup`).

Settings (config.py, from the environment): `TRUSTED_HOSTS` is Flask's own check of the Host header
(a request naming another host answers 400); `PROXY_FIX_X_FOR`, `_X_PROTO`, `_X_HOST`, `_X_PORT`,
`_X_PREFIX` tell werkzeug's ProxyFix how many proxies set each X-Forwarded-* header. With none set
(the default) no forwarded header is believed: a client cannot choose the address that login
throttling logs, nor make the app think it is served over HTTPS.
"""
from html import escape

from flask import jsonify, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

PROXY_SETTINGS = {"x_for": "PROXY_FIX_X_FOR", "x_proto": "PROXY_FIX_X_PROTO", "x_host": "PROXY_FIX_X_HOST",
                  "x_port": "PROXY_FIX_X_PORT", "x_prefix": "PROXY_FIX_X_PREFIX"}


def init_app(app):
    hops = {argument: int(app.config.get(name) or 0) for argument, name in PROXY_SETTINGS.items()}
    if any(value < 0 for value in hops.values()):
        raise RuntimeError("PROXY_FIX_* settings count proxies: 0 or more.")
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)
    app.register_error_handler(SecurityError, _untrusted_host)
    from app.backup import backup_cli
    app.cli.add_command(backup_cli)


BAD_HOST = "Tên máy chủ (Host) của yêu cầu không nằm trong TRUSTED_HOSTS của dịch vụ."


def _untrusted_host(_error):
    """A Host outside TRUSTED_HOSTS: 400 without a page template, since no URL can be built for a
    host the application does not serve (the error page's links would fail)."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": "bad_request", "message": BAD_HOST, "details": {}})
    else:
        response = app_html(f"<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>400</title>"
                            f"<main><h1>400</h1><p data-testid=\"error-message\">{escape(BAD_HOST)}</p></main></html>")
    response.status_code = 400
    return response


def app_html(body: str):
    from flask import make_response
    response = make_response(body)
    response.mimetype = "text/html"
    return response
