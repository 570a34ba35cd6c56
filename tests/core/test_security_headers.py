"""Security headers on every response: the Content-Security-Policy, and HSTS in production.

The policy allows no inline script, style or event handler, so every page the demo's people can reach
is crawled and checked for them: a page that still had one would break in the browser.
"""
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app import create_app
from app.demo import DEMO_PASSWORD, DEMO_USERS
from config import ProductionConfig

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STRONG_KEY = "k3Q9v1xR7pL2mN8sT4wY6zA0bC5dE1fG"


def web_login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": CSRF.search(page).group(1),
                                           "username": username, "password": password})
    assert response.status_code == 302, response.status_code


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/healthz", "/api/v1/me",
                                  "/api/v1/openapi.json", "/static/css/app.css",
                                  "/bootstrap/static/css/bootstrap.min.css"])
def test_every_response_carries_the_policy(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in development and tests


def test_the_api_still_answers_json_under_the_policy(client):
    response = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"
    assert response.headers["Content-Security-Policy"] == CSP


def test_logged_in_pages_carry_the_policy(app, demo):
    client = app.test_client()
    web_login(client, "donvi", DEMO_PASSWORD)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CSP


def test_production_adds_hsts(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    client = create_app(ProductionConfig).test_client()
    for path in ("/login", "/api/v1/openapi.json"):
        response = client.get(path)
        assert response.headers["Strict-Transport-Security"] == HSTS, path
        assert response.headers["Content-Security-Policy"] == CSP


class InlineFinder(HTMLParser):
    """Collects what the policy would refuse, and the page's links to follow."""

    def __init__(self):
        super().__init__()
        self.problems, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def crawl(client, limit=80):
    """Every same-site page reachable from the landing page (GET only), with what each one holds."""
    seen, found, queue = set(), {}, deque(["/"])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow_redirects=True)
        if "text/html" not in response.content_type:
            continue
        finder = InlineFinder()
        finder.feed(response.get_data(as_text=True))
        found[path] = finder.problems
        for href in finder.links:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc != "localhost" or target.path.startswith(("/lang/", "/documents/", "/api/")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_no_page_needs_inline_script_or_style(app, demo, username):
    client = app.test_client()
    web_login(client, username, DEMO_PASSWORD)
    pages = crawl(client)
    assert len(pages) >= 3, pages
    assert {path: problems for path, problems in pages.items() if problems} == {}
    login_page = InlineFinder()
    login_page.feed(app.test_client().get("/login").get_data(as_text=True))
    assert login_page.problems == []
