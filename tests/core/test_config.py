"""Settings: production refuses weak secrets; password hashing cost and rehash at login."""
import re

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app import create_app
from app.auth.models import User
from app.extensions import db
from config import DEV_SECRET_KEY, Config, DevelopmentConfig, ProductionConfig, TestingConfig, normalise_database_url
from tests.support import PASSWORD

STRONG_KEY = "k3Q9v1xR7pL2mN8sT4wY6zA0bC5dE1fG"  # 32 characters


@pytest.fixture
def production(monkeypatch):
    # keep whatever the class holds now; never touch the developer's database
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    return monkeypatch


def test_production_refuses_to_start_without_secret_key(production):
    production.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.check()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", "short-key", "x" * 31])
def test_production_refuses_weak_secret_keys(production, key):
    production.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.check()


def test_production_starts_with_a_strong_key_and_uses_it(production):
    production.setenv("SECRET_KEY", STRONG_KEY)
    ProductionConfig.check()
    application = create_app(ProductionConfig)
    assert application.config["SECRET_KEY"] == STRONG_KEY
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["SESSION_COOKIE_HTTPONLY"] is True
    assert not application.config.get("TESTING")
    assert not application.debug


def test_production_is_selected_by_app_config(production):
    production.setenv("APP_CONFIG", "production")
    production.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app()


def test_password_hash_costs():
    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    assert DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    n = int(TestingConfig.PASSWORD_HASH_METHOD.split(":")[1])
    assert TestingConfig.PASSWORD_HASH_METHOD.startswith("scrypt:") and n < 131072


def test_the_production_hash_cost_works_with_werkzeug():
    hashed = generate_password_hash("mot-mat-khau-dai", method=Config.PASSWORD_HASH_METHOD)
    assert hashed.startswith("scrypt:131072:8:1$")
    assert check_password_hash(hashed, "mot-mat-khau-dai")


def test_testing_keeps_csrf_on(app):
    assert app.config["TESTING"] is True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("url,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///instance/app.db", "sqlite:///instance/app.db"),
])
def test_database_urls(url, expected):
    assert normalise_database_url(url) == expected


# --- rehash at login ---------------------------------------------------------------------

OLD_METHOD = "scrypt:16384:8:1"


def _stored_hash(app, username):
    with app.app_context():
        return db.session.execute(sa.select(User.password_hash).filter_by(username=username)).scalar_one()


@pytest.fixture
def old_hash_user(app, world):
    world.user("kiemtoan", "auditor")
    with app.app_context():
        db.session.execute(sa.update(User).filter_by(username="kiemtoan")
                           .values(password_hash=generate_password_hash(PASSWORD, method=OLD_METHOD)))
        db.session.commit()
    assert _stored_hash(app, "kiemtoan").startswith(OLD_METHOD + "$")
    return "kiemtoan"


def test_older_hash_is_upgraded_at_api_login(app, client, old_hash_user):
    response = client.post("/api/v1/auth/token", json={"username": old_hash_user, "password": PASSWORD})
    assert response.status_code == 201
    stored = _stored_hash(app, old_hash_user)
    assert stored.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert check_password_hash(stored, PASSWORD)
    again = client.post("/api/v1/auth/token", json={"username": old_hash_user, "password": PASSWORD})
    assert again.status_code == 201
    assert _stored_hash(app, old_hash_user) == stored  # no needless rehash once current


def test_older_hash_is_upgraded_at_web_login(app, client, old_hash_user):
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": csrf, "username": old_hash_user, "password": PASSWORD})
    assert response.status_code == 302
    assert _stored_hash(app, old_hash_user).startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


def test_wrong_password_does_not_touch_an_older_hash(app, client, old_hash_user):
    before = _stored_hash(app, old_hash_user)
    response = client.post("/api/v1/auth/token", json={"username": old_hash_user, "password": "wrong-password-1"})
    assert response.status_code == 401
    assert _stored_hash(app, old_hash_user) == before
