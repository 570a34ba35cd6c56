"""Application factory: the shared kernel, then every domain in DOMAINS registers itself."""
import importlib
import logging
import os

from flask import has_request_context, request, session

from app.core import validation_messages
from config import CONFIGS

# Before any schema is defined: validators word their messages when they are made.
validation_messages.install()

# Each names a package with `init_app(app, api)`; adding a domain adds one name here.
DOMAINS = ("app.core", "app.auth", "app.units", "app.notices", "budgets", "commissions", "reports", "app.work")


def create_app(config=None):
    from app.core.transaction import TransactionalFlask

    app = TransactionalFlask(__name__, instance_path=str(_instance_dir()),
                             template_folder=str(_templates_dir()))
    _load_config(app, config)
    _check_settings(app)  # before any extension is set up: a bad setting leaves nothing half-registered
    os.makedirs(app.instance_path, exist_ok=True)
    validation_messages.install()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("app").setLevel(logging.INFO)

    api = _init_extensions(app)
    _register_hooks(app)
    _import_models()
    for name in DOMAINS:
        importlib.import_module(name).init_app(app, api)
    from app import deployment  # the reverse proxy in front, `flask backup`
    deployment.init_app(app)
    return app


def _import_models():
    """Every domain's models before any domain runs a query or builds a loader option: a model that
    names another domain's class in a relationship (a carry-over names its commission) is mapped
    only once that class is known, whatever order the domains import their modules in."""
    import pkgutil
    for name in DOMAINS:
        package = importlib.import_module(name)
        for found in pkgutil.walk_packages(package.__path__, f"{name}."):
            if found.name.endswith(".models"):
                importlib.import_module(found.name)


def _load_config(app, config):
    config_class = config or CONFIGS[os.environ.get("APP_CONFIG", "development")]
    if isinstance(config_class, dict):
        app.config.from_object(CONFIGS["testing"])
        app.config.update(config_class)
        return
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)


def _check_settings(app):
    from app.auth.totp import parse_roles
    parse_roles(app.config["TOTP_REQUIRED_ROLES"])  # a typo in the setting stops the start, loudly


def _instance_dir():
    from config import INSTANCE_DIR
    return INSTANCE_DIR


def _templates_dir():
    from config import BASE_DIR
    return BASE_DIR / "templates"


def _init_extensions(app):
    from app.core.api import document_rules
    from app.core.database import configure_engine, include_in_autogenerate
    from app.core.errors import register_error_handlers
    from app.core.registry import init_registry
    from app.core.request_guards import IdConverter
    from app.core.templating import register as register_template_helpers
    from app.extensions import api, babel, bootstrap, csrf, db, login_manager, migrate

    app.url_map.converters["int"] = IdConverter  # before any route is added
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_in_autogenerate)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.session_protection = None  # server-side sessions do this job
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    bootstrap.init_app(app)
    api.init_app(app)
    api.register_converter(IdConverter, IdConverter.parameter_schema)
    document_rules(api)
    register_error_handlers(app)
    with app.app_context():
        configure_engine(app)
    init_registry(app)
    register_template_helpers(app)
    return api


def _select_locale():
    if not has_request_context():  # the CLI and other app-context work: the default locale (vi)
        return None
    lang = request.args.get("lang") or session.get("lang")
    return lang if lang in ("vi", "en") else "vi"


def _register_hooks(app):
    """Before any handler: cap the body, check CSRF on pages, authenticate, then look at content."""
    from app.auth.loaders import load_user_early
    from app.core import request_guards
    from app.core.database import begin_autocommit_read, end_autocommit_read
    from app.extensions import csrf, login_manager

    app.before_request(request_guards.cap_request_line_and_headers)
    app.before_request(request_guards.cap_body_size)
    app.before_request(begin_autocommit_read)
    app.teardown_request(end_autocommit_read)

    @app.before_request
    def _protect_forms():
        # Pages use the session cookie, so every form post carries a CSRF token. The API is
        # exempt only because it authenticates with bearer tokens and ignores the cookie.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
            csrf.protect()

    @app.before_request
    def _load_user_early():
        load_user_early(login_manager)

    app.before_request(request_guards.api_needs_token)
    app.before_request(request_guards.api_body_is_json)
    app.before_request(request_guards.refuse_unstorable_input)

    # Scripts and styles come from the app's own files only: no inline <script>, style= or on…= handlers.
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

    # Each header the app adds unless the view set its own; found by one pass over the response's
    # headers (werkzeug's setdefault scans them three times a header, a tenth of a small API read).
    defaults = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"), ("Content-Security-Policy", csp)]
    if app.config.get("HSTS"):
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    every_response = [(name.lower(), name, value) for name, value in defaults]
    static_files = [header for header in every_response if header[0] != "cache-control"]

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for key, name, value in static_files if request.path.startswith("/static/") else every_response:
            if key not in present:
                headers.add(name, value)
        return response
