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


def test_a_word_with_two_meanings_is_translated_in_its_context(app, demo):
    """"Đặt hàng" is the commissions list in the menu and a commissioning method on a commission."""
    import re

    import sqlalchemy as sa

    from app.core.i18n import NP_, translate
    from app.demo import DEMO_PASSWORD
    from app.extensions import db
    from commissions.models import METHOD_LABELS, Commission

    with app.test_request_context("/?lang=en"):
        assert translate(METHOD_LABELS["order"]) == "Order (priced)"
        assert translate(NP_("commissions list", "Đặt hàng")) == "Commissions"
        assert translate("Đặt hàng") == "Commission"  # without a context: a commission, as a column names it
    with app.test_request_context("/"):
        assert translate(METHOD_LABELS["order"]) == "Đặt hàng"

    assert demo.exit_code == 0
    with app.app_context():
        ordered = db.session.execute(sa.select(Commission.id).filter_by(method="order", status="signed")
                                     .order_by(Commission.id)).scalars().first()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    assert client.post("/login", data={"csrf_token": token, "username": "taichinh",
                                       "password": DEMO_PASSWORD}).status_code == 302

    page = client.get(f"/commissions/{ordered}?lang=en").get_data(as_text=True)
    nav = re.findall(r'href="/commissions" data-testid="nav-commissions.list_commissions"><span>([^<]+)</span>', page)
    assert nav == ["Commissions"], nav
    menu = re.findall(r'data-group="commissions">\s*<button[^>]*>([^<]+)', page)  # the menu is named the same
    assert [label.strip() for label in menu] == ["Commissions"], menu
    assert "Order (priced)" in page
    assert ">Commission</a>" not in page
    listing = client.get("/commissions?lang=en").get_data(as_text=True)
    assert "<title>Commissions</title>" in listing

    vi = client.get(f"/commissions/{ordered}?lang=vi").get_data(as_text=True)
    assert re.findall(r'href="/commissions" data-testid="nav-commissions.list_commissions"><span>([^<]+)</span>',
                      vi) == ["Đặt hàng"]
