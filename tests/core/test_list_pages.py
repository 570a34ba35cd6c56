"""The one list component (app/core/list_pages.py) itself, and the lists without money that use it:
suppliers and users. Lenient reading of typed filters, sort links that flip, the downloads of what
the filter shows (formula-looking text neutralised, a column folded into another on the page still
downloaded), and a fixed number of statements whatever the page size."""
import csv
import io
import re
from dataclasses import replace
from datetime import date

import openpyxl
import pytest

from app.core import list_pages
from app.core.list_pages import MONEY, Column, Filter, ListSpec, ListView, parse_amount, parse_day
from tests import support
from tests.commissions import builders
from tests.support import Browser, CountedStatements, text


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("typed, day", [
    ("05/02/2026", date(2026, 2, 5)), ("5/2/2026", date(2026, 2, 5)), ("2026-02-05", date(2026, 2, 5)),
    ("31/02/2026", None), ("01/01/1999", None), ("hôm qua", None), ("05/02/26", None), ("", None),
])
def test_a_typed_day(typed, day):
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed, amount", [
    ("1.234.567", 1_234_567), ("1 234 567", 1_234_567), ("0", 0), ("-5", None), ("1e6", None), ("٣", None),
    ("9" * 16, None),
])
def test_a_typed_amount(typed, amount):
    assert parse_amount(typed) == amount


def test_sort_links_flip_and_keep_the_filters(app):
    spec = ListSpec("x", "X", (Column("a", "A", object(), MONEY, total=True), Column("b", "B", sortable=False)),
                    (Filter("q", "Q"),), default_sort="-a")
    with app.test_request_context("/?q=%20t%C3%A2y%20&sort=a&junk=1"):
        view: ListView = list_pages.parse(spec)
        assert (view.sort, view.descending, view.values["q"]) == ("a", False, "tây")
        assert view.args == {"q": "tây", "sort": "a"}
        assert view.sort_args("a") == {"q": "tây", "sort": "-a"} and view.aria_sort("a") == "ascending"
        assert view.aria_sort("b") is None
    with app.test_request_context("/?sort=b"):  # not sortable: the default
        view = list_pages.parse(spec)
        assert (view.sort, view.descending, view.args) == ("a", True, {})
        assert view.sort_args("a") == {"sort": "a"}


@pytest.fixture
def suppliers(roles):
    finance = roles["finance"]
    made = [builders.supplier(finance, kind="press", name="Báo Gia Lai"),
            builders.supplier(finance, kind="it_service", name="Công ty Dữ liệu"),
            builders.supplier(finance, kind="training", name="=HYPERLINK(\"http://x\",\"Trường\")")]
    support.ok(finance.patch(f"/api/v1/suppliers/{made[1]['id']}",
                             json={"bank_account": "102000001234", "bank_name": "Vietinbank Gia Lai"}), 200)
    return made


def _tax_codes(page):
    return re.findall(r'data-testid="supplier-row" data-tax-code="(\d+)"', page)


def test_the_supplier_list_sorts_filters_and_downloads(app, suppliers):
    finance = Browser(app, "taichinh")
    by_name = sorted(suppliers, key=lambda s: s["name"])
    assert _tax_codes(text(finance.get("/suppliers"))) == [s["tax_code"] for s in by_name]
    page = text(finance.get("/suppliers?sort=-name"))
    assert _tax_codes(page) == [s["tax_code"] for s in reversed(by_name)]
    assert 'aria-sort="descending"' in page and 'id="filter-q"' in page  # the add form keeps f-kind, f-name…
    assert _tax_codes(text(finance.get("/suppliers?kind=it_service"))) == [suppliers[1]["tax_code"]]
    assert _tax_codes(text(finance.get("/suppliers?kind=boat"))) == [s["tax_code"] for s in by_name]
    header, *rows, last = _csv(finance.get("/suppliers.csv?sort=-name"))
    assert header == ["Tên", "Loại", "Mã số thuế", "Tài khoản nhận thanh toán", "Ngân hàng, chi nhánh"]
    assert [row[0] for row in rows] == [("'" if s["name"].startswith("=") else "") + s["name"]
                                        for s in reversed(by_name)]
    assert ["Công ty Dữ liệu", "Đơn vị dịch vụ CNTT", suppliers[1]["tax_code"], "102000001234",
            "Vietinbank Gia Lai"] in rows  # the bank's name, folded into the account's cell on the page
    assert last[0] == "Tổng cộng: 3 dòng"
    book = openpyxl.load_workbook(io.BytesIO(finance.get("/suppliers.xlsx?kind=training").data))
    header, *rows, last = list(book.active.iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["'" + suppliers[2]["name"]] and last[0] == "Tổng cộng: 1 dòng"
    assert Browser(app, "donvi").get("/suppliers.csv").status_code == 403


def _usernames(page):
    return re.findall(r'data-testid="user-row" data-username="([^"]*)"', page)


def test_the_user_list_sorts_filters_and_downloads(app, roles):
    admin = Browser(app, "quantri")
    every = sorted(u["username"] for u in support.get(roles["admin"], "/api/v1/users?per_page=200")["items"])
    assert _usernames(text(admin.get("/users"))) == every
    assert _usernames(text(admin.get("/users?sort=-username"))) == every[::-1]
    assert _usernames(text(admin.get("/users?role=unit_officer"))) == ["donvi", "huyen"]
    assert _usernames(text(admin.get("/users?unit=STP&role=nope"))) == ["donvi"]
    header, *rows, last = _csv(admin.get("/users.csv?role=unit_officer"))
    assert header[:4] == ["Tên đăng nhập", "Họ tên", "Vai trò", "Đơn vị"]
    assert [(row[0], row[3], row[4]) for row in rows] == [("donvi", "STP", "Đang hoạt động"),
                                                          ("huyen", "ANNHON", "Đang hoạt động")]
    assert last[0] == "Tổng cộng: 2 dòng"
    assert Browser(app, "taichinh").get("/users.xlsx").status_code == 403


def test_lists_without_money_take_a_fixed_number_of_statements(app, roles, suppliers, monkeypatch):
    from app.auth import admin_views
    from commissions import supplier_views
    admin = Browser(app, "quantri")
    counts = {"/users": set(), "/suppliers": set()}
    for size in (1, 2, 30):
        monkeypatch.setattr(admin_views, "USER_LIST", replace(admin_views.USER_LIST, page_size=size))
        monkeypatch.setattr(supplier_views, "SUPPLIER_LIST", replace(supplier_views.SUPPLIER_LIST, page_size=size))
        for path in counts:
            with CountedStatements(app) as statements:
                assert admin.get(path).status_code == 200
            counts[path].add(len(statements))
    assert all(len(found) == 1 for found in counts.values()), counts
