"""gunicorn's settings, read by `gunicorn wsgi:app` started from the repository's root.

The request line and header limits are raised so that a request the app must refuse reaches the app,
which answers with its own error (414 `uri_too_long`, 431 `request_header_fields_too_large`: JSON on
the API) instead of gunicorn's HTML page; the app's limits are in app/core/request_guards.py.
gunicorn still refuses what is beyond these: a request line over 1 MB (0 means its 1 MB cap), a
header over 64 KB, or more than 200 headers. In production the reverse proxy in front has its own
limits (nginx: `large_client_header_buffers`, 8 KB by default) and answers first above them.
"""
limit_request_line = 0
limit_request_field_size = 65536
limit_request_fields = 200
