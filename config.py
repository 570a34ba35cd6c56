"""Settings classes, read from the environment.

`APP_CONFIG` picks the class (development by default); `DATABASE_URL` picks the database.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def normalise_database_url(url: str) -> str:
    """Accept postgresql:// and postgres:// and drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'app.db'}")
    )
    # hide_parameters: a failing statement's error (logged by the 500 handler) does not quote its
    # values, which may be a pending TOTP secret or other personal data.
    # No ping before every checkout: a PostgreSQL connection idle longer than DB_PING_IDLE_SECONDS
    # is pinged when taken from the pool (app/core/database.py), one in steady use is not.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "hide_parameters": True}
    DB_PING_IDLE_SECONDS = float(os.environ.get("DB_PING_IDLE_SECONDS", "5"))
    # Report reads on a copy of the database (a PostgreSQL streaming replica), when it is named.
    SQLALCHEMY_BINDS = ({"reports": normalise_database_url(os.environ["REPORTS_DATABASE_URL"])}
                        if os.environ.get("REPORTS_DATABASE_URL") else {})
    SQLITE_BUSY_TIMEOUT_MS = 30_000

    # API
    API_TITLE = "Kinh phí truyền thông chính sách"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_TOKEN_TTL = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "12")))
    # The API's pages (`page`, `per_page`): app.core.api.PageArgs enforces these and the OpenAPI
    # document publishes them, so they are read once, from this class.
    DEFAULT_PER_PAGE = 50
    MAX_PER_PAGE = 200
    # An API list counts its rows exactly up to this many; past it, on PostgreSQL, it answers the
    # planner's estimate and says so (`total_estimated`): counting half a million rows took 200 ms.
    LIST_EXACT_COUNT_LIMIT = int(os.environ.get("LIST_EXACT_COUNT_LIMIT", "50000"))

    # Sessions and logins
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    HSTS = False  # Strict-Transport-Security: only where the app is served over HTTPS
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    REMEMBER_COOKIE_HTTPONLY = True
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    # Password checks running at once in one process (each scrypt above takes 128 MB and a core):
    # more than the cores would finish no sooner, and a burst of logins would starve other requests.
    PASSWORD_HASH_CONCURRENCY = int(os.environ.get("PASSWORD_HASH_CONCURRENCY", str(os.cpu_count() or 2)))
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    # `flask prune` deletes login attempts older than this (never within the failure window)
    LOGIN_ATTEMPT_RETENTION = timedelta(days=int(os.environ.get("LOGIN_ATTEMPT_RETENTION_DAYS", "90")))
    # Roles that must enrol a second factor (TOTP) before they act: comma-separated role names.
    # Empty here (development, tests); production requires it of finance officers and admins.
    TOTP_REQUIRED_ROLES = os.environ.get("TOTP_REQUIRED_ROLES", "")
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "So Tai chinh - KP truyen thong")  # shown in authenticator apps

    # Deployment behind a reverse proxy: the host names the service answers to (others get 400;
    # comma-separated, a leading dot for subdomains), and how many proxies set each X-Forwarded-*
    # header (werkzeug's ProxyFix; 0 trusts none of them).
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    PROXY_FIX_X_HOST = int(os.environ.get("PROXY_FIX_X_HOST", "0"))
    PROXY_FIX_X_PORT = int(os.environ.get("PROXY_FIX_X_PORT", "0"))
    PROXY_FIX_X_PREFIX = int(os.environ.get("PROXY_FIX_X_PREFIX", "0"))

    # Forms, uploads, UI
    WTF_CSRF_CHECK_DEFAULT = False  # checked in one before_request hook, pages only
    WTF_CSRF_TIME_LIMIT = None
    # E-mail of notices (app/notices), sent by `flask worker`; without MAIL_SERVER notices stay in the
    # in-app inbox only. PUBLIC_BASE_URL prefixes the record's link in the message.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "kinh-phi-truyen-thong@localhost")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024  # file plus form overhead
    MAX_JSON_BYTES = 1024 * 1024  # JSON bodies and plain forms: far below the upload limit
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # What one unit's documents may take in all, in bytes (0: no quota); above it an upload is 409.
    UNIT_UPLOAD_QUOTA_BYTES = int(os.environ.get("UNIT_UPLOAD_QUOTA_BYTES", str(2 * 1024**3)))
    # Background exports (reports/jobs.py): where the files go, how long they are kept, when a job whose
    # worker stopped sending its heartbeat is queued again, and after how many attempts it fails.
    EXPORT_FOLDER = os.environ.get("EXPORT_FOLDER", str(INSTANCE_DIR / "exports"))
    EXPORT_TTL_HOURS = int(os.environ.get("EXPORT_TTL_HOURS", "24"))
    EXPORT_STALE_SECONDS = int(os.environ.get("EXPORT_STALE_SECONDS", "600"))
    EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "3"))
    # Test-only: a transfer loses one đồng, the broken rule the ledger's state machine must catch.
    LEDGER_CANARY = False
    BOOTSTRAP_SERVE_LOCAL = True
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    UNIT_KINDS_DEFAULT = ("department", "central_agency", "local_government", "other")
    DIC_UNIT_CODE = os.environ.get("DIC_UNIT_CODE", "SVHTTDL")  # holds press management since 2025
    # The department of finance as the OCDS package names it (its publisher and the funder).
    FINANCE_UNIT_CODE = os.environ.get("FINANCE_UNIT_CODE", "STC")
    OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "Sở Tài chính tỉnh Gia Lai")
    # The licence the open data (OCDS package, public disclosure) is published under: a URL.
    OCDS_LICENSE = os.environ.get("OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    # A cheaper scrypt keeps the suite fast; production's cost is tested on its own.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    HSTS = True
    REMEMBER_COOKIE_SECURE = True
    TOTP_REQUIRED_ROLES = os.environ.get("TOTP_REQUIRED_ROLES", "finance_officer,admin")

    @classmethod
    def check(cls):
        key = os.environ.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "APP_CONFIG=production needs SECRET_KEY in the environment "
                "(at least 32 random characters, not the development default)."
            )
        cls.SECRET_KEY = key  # the key checked is the key used, even if the class was imported earlier


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
