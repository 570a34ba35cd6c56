"""Vietnamese by default, English on request; amounts and dates in the Vietnamese way."""
from datetime import date

from app.core.money import format_vnd
from app.core.templating import format_date


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page


def test_language_switch_to_english_and_back(client):
    client.get("/lang/en")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Username" in page and "Password" in page and "Tên đăng nhập" not in page
    client.get("/lang/vi")
    assert "Tên đăng nhập" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/lang/fr")
    assert "Tên đăng nhập" in client.get("/login").get_data(as_text=True)


def test_switch_redirects_only_within_the_site(client):
    response = client.get("/lang/en", headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_money_and_date_formats():
    assert format_vnd(1_500_000) == "1.500.000 ₫"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(-20_000_000) == "-20.000.000 ₫"
    assert format_date(date(2026, 3, 5)) == "05/03/2026"
