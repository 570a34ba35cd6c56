"""Công khai (issue 21 item 3; DESIGN §11): the public disclosure page `/cong-khai`, its CSV tables,
the public OCDS package and `GET /api/v1/public/disclosure`, for anyone without a login; cached per
(year, period) and page in each process (`cache.py`) and rate-limited per client address (`limits.py`).
Nested in `reports` and registered from `reports.init_app`."""


def init_app(app, api):
    import sqlalchemy as sa

    from app.core.audit import AuditEntry
    from app.core.request_guards import PUBLIC_API
    from app.extensions import db
    from reports.disclosure.api import blp
    from reports.disclosure.cache import TTLCache
    from reports.disclosure.limits import limit_public_routes_only, limiter
    from reports.disclosure.publication import CACHE
    from reports.disclosure.views import bp

    app.config.setdefault("DISCLOSURE_CACHE_SECONDS", 60)
    app.config.setdefault("DISCLOSURE_RATE_LIMIT", "60 per minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    limit_public_routes_only(app)
    api.register_blueprint(blp)
    PUBLIC_API.update({(path, method) for path in ("/api/v1/public/disclosure", "/api/v1/public/disclosure/commissions",
                                                   "/api/v1/public/disclosure/deliverables")
                       for method in ("GET", "HEAD")})
    app.register_blueprint(bp)
    cache = app.extensions[CACHE] = TTLCache(app.config["DISCLOSURE_CACHE_SECONDS"])

    # A write (every one appends an audit entry) empties this process's cache when it commits.
    @sa.event.listens_for(db.session, "after_flush")
    def _noted(session, _context):
        if any(isinstance(obj, AuditEntry) for obj in session.new):
            session.info["disclosure_stale"] = True

    # The mark is read, not taken, at the commit: the listeners are the session's, shared by every app
    # the process made (tests make several), and each app empties its own cache. The next transaction
    # of the session starts unmarked.
    @sa.event.listens_for(db.session, "after_commit")
    def _committed(session):
        if session.info.get("disclosure_stale"):
            cache.clear()

    @sa.event.listens_for(db.session, "after_begin")
    def _begun(session, _transaction, _connection):
        session.info.pop("disclosure_stale", None)

    @sa.event.listens_for(db.session, "after_rollback")
    def _rolled_back(session):
        session.info.pop("disclosure_stale", None)
