"""Application factory."""
import logging
import os

from flask import Flask, jsonify, request, session
from sqlalchemy import text

from app.core import validation_messages
from config import CONFIGS


def create_app(config=None) -> Flask:
    app = Flask(__name__, instance_path=str(_instance_dir()), template_folder=str(_templates_dir()))
    config_class = config or CONFIGS[os.environ.get("APP_CONFIG", "development")]
    if isinstance(config_class, dict):
        app.config.from_object(CONFIGS["testing"])
        app.config.update(config_class)
    else:
        if hasattr(config_class, "check"):
            config_class.check()
        app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)
    validation_messages.install()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("app").setLevel(logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_cli(app)
    _register_template_helpers(app)
    return app


def _instance_dir():
    from config import INSTANCE_DIR
    return INSTANCE_DIR


def _templates_dir():
    from config import BASE_DIR
    return BASE_DIR / "templates"


def _init_extensions(app):
    from app.core.database import configure_engine
    from app.core.errors import register_error_handlers
    from app.extensions import api, babel, bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.session_protection = None  # server-side sessions do this job
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    bootstrap.init_app(app)
    api.init_app(app)
    register_error_handlers(app)
    with app.app_context():
        configure_engine(app)
    _import_models()
    _register_user_loaders(login_manager)


def _import_models():
    """Every model module, so that Alembic and create_all see the whole schema."""
    from app.auth import models as _auth  # noqa: F401
    from budgets import models as _budgets  # noqa: F401
    from app.core import audit as _audit  # noqa: F401
    from app.core import documents as _documents  # noqa: F401
    from app.core import idempotency as _idem  # noqa: F401
    from app.units import models as _units  # noqa: F401


def _select_locale():
    lang = request.args.get("lang") or session.get("lang")
    return lang if lang in ("vi", "en") else "vi"


def _register_user_loaders(login_manager):
    from app.auth import services
    from app.extensions import db

    @login_manager.user_loader
    def load_from_session(raw_session_id):
        if request.path.startswith("/api/"):
            return None  # the API accepts bearer tokens only, never the session cookie
        user = services.load_session_user(raw_session_id)
        db.session.commit()  # the idle clock, committed alone before the request's own work
        return user

    @login_manager.request_loader
    def load_from_bearer(req):
        if not req.path.startswith("/api/"):
            return None
        scheme, _, raw = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return None
        return services.load_token_user(raw.strip())


def _register_blueprints(app):
    from app.auth.api import blp as auth_api
    from app.auth.views import bp as auth_views
    from budgets.api import blueprints as budget_apis
    from budgets.views import bp as budget_views
    from app.core.audit_api import blp as audit_api
    from app.core.views import bp as core_views
    from app.extensions import api
    from app.units.api import blp as units_api
    from app.units.views import bp as unit_views

    for blp in (auth_api, units_api, audit_api, *budget_apis):
        api.register_blueprint(blp)
    for bp in (auth_views, core_views, unit_views, budget_views):
        app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        from app.extensions import db
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return jsonify({"status": "error", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})


PUBLIC_API = {("/api/v1/auth/token", "POST"), ("/api/v1/openapi.json", "GET"),
              ("/api/v1/openapi.json", "HEAD")}


def _register_hooks(app):
    from flask_login import current_user

    from app.core.errors import Unauthenticated

    from app.extensions import csrf

    @app.before_request
    def _protect_forms():
        # Pages use the session cookie, so every form post carries a CSRF token. The API is
        # exempt only because it authenticates with bearer tokens and ignores the cookie.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
            csrf.protect()

    @app.before_request
    def _refuse_unstorable_input():
        from app.core.errors import refuse_unstorable_input
        return refuse_unstorable_input()

    @app.before_request
    def _load_user_early():
        current_user.is_authenticated  # noqa: B018 - loads the login before the request's work

    @app.before_request
    def _api_needs_token():
        # Authentication comes before body validation: an anonymous caller learns nothing else.
        if not request.path.startswith("/api/") or request.url_rule is None:
            return
        if (request.path, request.method) in PUBLIC_API or request.method == "OPTIONS":
            return
        if not current_user.is_authenticated:
            raise Unauthenticated("Cần gửi token hợp lệ trong header Authorization: Bearer <token>.")

    @app.after_request
    def _no_store(response):
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _register_cli(app):
    from app.cli import register
    register(app)


def _register_template_helpers(app):
    from app.core.templating import register
    register(app)
