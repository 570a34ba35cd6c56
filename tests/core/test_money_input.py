"""Amounts and quantities typed in the pages' forms: whole đồng, grouped by dots or spaces in
threes, nothing else. "1.000.000,00" used to become 100.000.000 ₫ and "2,5" became 25."""

import pytest
import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields

from app.core.forms import load_form
from app.core.money import NOT_INTEGER, NOT_MONEY, Money, parse_form_integer
from app.extensions import db
from budgets.models import Envelope, FundingRequest
from tests import support
from tests.support import Browser, text

REFUSED = ["1.000.000,00", "2,5", "1.0000", "１２３", "١٢٣", "1,500,000", "1.500.000.", ".500", "1..500",
           "1.500 000", "0.500", "1.5", "1e6", "+1500", "1_500_000", "15OO", "- 1.500", "--1", "1.500-"]
ACCEPTED = {"1.500.000": 1_500_000, "1 500 000": 1_500_000, "1500000": 1_500_000,
            "1\u00a0500\u00a0000": 1_500_000, "1.500.000 ₫": 1_500_000, "1.500.000đ": 1_500_000}


def envelope_form(amount, code):
    return {"fiscal_year": str(support.YEAR), "code": code, "name": "Kinh phí truyền thông chính sách",
            "amount": amount, "decision_no": "12/QĐ-UBND", "decision_date": f"{support.YEAR}-02-01"}


def envelopes(app):
    with app.app_context():
        rows = db.session.execute(sa.select(Envelope.code, Envelope.total).order_by(Envelope.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


# --- the parser itself ----------------------------------------------------------------------

@pytest.mark.parametrize("typed", REFUSED)
def test_parser_refuses_anything_but_whole_grouped_digits(typed):
    with pytest.raises(ValidationError):
        parse_form_integer(typed)


@pytest.mark.parametrize("typed,value", [*ACCEPTED.items(), ("0", 0), ("-1.000.000", -1_000_000),
                                         ("-250000", -250_000), ("999", 999), ("12.345", 12_345)])
def test_parser_reads_whole_numbers(typed, value):
    assert parse_form_integer(typed) == value


def test_a_huge_typed_number_is_refused_not_a_crash():
    with pytest.raises(ValidationError):
        parse_form_integer("9" * 5000)


def test_every_form_number_goes_through_the_one_parser(app):
    """A form schema with a plain marshmallow number (which would take "１２３" or "1_000") is
    refused outright, so a future form cannot read numbers its own way."""
    class Plain(Schema):
        quantity = fields.Integer(required=True)

    class Nested(Schema):
        lines = fields.List(fields.Nested(Plain))

    for schema in (Plain(), Nested()):
        with pytest.raises(TypeError, match="StrictInteger"):
            load_form(schema, {"quantity": "１２３"})

    class Strict(Schema):
        amount = Money(required=True)

    assert load_form(Strict(), {"amount": "１２３"})[1] == {"amount": [NOT_MONEY]}
    assert load_form(Strict(), {"amount": "1.500.000"})[0] == {"amount": 1_500_000}


# --- through the real pages -----------------------------------------------------------------

@pytest.fixture
def finance_page(app, roles):
    return Browser(app, "taichinh")


@pytest.mark.parametrize("typed", ["1.000.000,00", "2,5", "1.0000", "１２３", "١٢٣"])
def test_envelope_form_refuses_and_keeps_what_was_typed(app, finance_page, typed):
    before = envelopes(app)
    response = finance_page.submit("/envelopes", "/envelopes", envelope_form(typed, "TTCS"))
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="amount"' in page and NOT_MONEY in page
    assert f'value="{typed}"' in page and 'value="TTCS"' in page
    assert envelopes(app) == before == []


@pytest.mark.parametrize("typed", ["1.500.000", "1 500 000", "1500000"])
def test_envelope_form_reads_grouped_amounts(app, finance_page, typed):
    response = finance_page.submit("/envelopes", "/envelopes", envelope_form(typed, "TTCS"))
    assert response.status_code == 302, text(response)
    assert envelopes(app) == [("TTCS", 1_500_000)]


def test_request_form_refuses_a_decimal_quantity(app, roles):
    unit = Browser(app, "donvi")
    form = {"fiscal_year": str(support.YEAR), "title": "Tập huấn phóng viên",
            "lines-0-category": "training", "lines-0-description": "Lớp tập huấn", "lines-0-quantity": "2,5",
            "lines-0-unit_cost": "1.000.000"}
    response = unit.submit("/requests/new", "/requests/new", form)
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="quantity"' in page and NOT_INTEGER in page and 'value="2,5"' in page
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(FundingRequest)).scalar_one() == 0

    response = unit.submit("/requests/new", "/requests/new", {**form, "lines-0-quantity": "1.000"})
    assert response.status_code == 302, text(response)
    with app.app_context():
        record = db.session.execute(sa.select(FundingRequest)).scalar_one()
        assert (record.lines[0].quantity, record.requested_total) == (1_000, 1_000_000_000)


def test_adjustment_form_takes_a_signed_grouped_amount(app, roles, finance_page):
    env = support.envelope(roles["finance"], 10_000_000)
    alloc = support.allocation(roles["finance"], env["id"], amount=5_000_000)
    path = f"/allocations/{alloc['id']}"
    form = {"reason": "Giảm theo quyết định điều chỉnh", "decision_no": "31/QĐ-STC"}
    for typed in ("-1.000.000,00", "-1,5", "−1.000.000"):
        response = finance_page.submit(path, f"{path}/adjustments", {**form, "amount": typed})
        assert response.status_code == 422, typed
        assert f'value="{typed}"' in text(response)
    assert support.get(roles["finance"], f"/api/v1/allocations/{alloc['id']}")["amount"] == 5_000_000
    response = finance_page.submit(path, f"{path}/adjustments", {**form, "amount": "-1.000.000"})
    assert response.status_code == 302, text(response)
    assert support.get(roles["finance"], f"/api/v1/allocations/{alloc['id']}")["amount"] == 4_000_000


def test_api_amounts_stay_json_integers(roles):
    """The form parser is for forms only: the API still refuses amounts sent as text."""
    body = {"fiscal_year": support.YEAR, "code": "API", "name": "Nguồn", "amount": "1.500.000",
            "decision_no": "1/QĐ", "decision_date": f"{support.YEAR}-02-01"}
    response = roles["finance"].post("/api/v1/envelopes", json=body)
    assert response.status_code == 422 and list(response.get_json()["details"]) == ["amount"]
