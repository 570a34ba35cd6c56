"""Bad input on every commission endpoint: a 4xx that names the field, never a 500, and nothing
created or changed (the whole database is compared before and after each attempt)."""
import copy
from datetime import timedelta

import pytest

from app.core import clock
from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world

HUGE = 10**30
Y = support.YEAR
# Dates an attacker (or a slip of the keyboard) sends: outside 2000-2100, and after today.
EXTREME_DAYS = ("0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01")
TOMORROW = (clock.today() + timedelta(days=1)).isoformat()


@saved_world(scope="module")
def _records_world(app, _roles_world, _budget_world):
    return build_world(app, "commission_bad_input.records",
                       lambda: _build_records(_roles_world.clients(app), _budget_world.copy()), base=_budget_world)


@pytest.fixture
def records(_records_world):
    """A DIC press commission in each state an endpoint acts on, and a supplier.
    Built once for the module, restored before each test."""
    return _records_world.copy()


def _build_records(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    alloc, supplier = budget.allocation("dic", "press"), budget.suppliers["press"]
    proposed = builders.propose(dic, alloc, supplier)
    approved = builders.propose(dic, alloc, supplier)
    builders.approve(finance, approved["id"])
    signed = builders.signed_commission(finance, dic, alloc, supplier)
    planned, delivered = (d["id"] for d in signed["deliverables"])
    builders.deliver(dic, delivered, quantity=2, delivered_on=f"{Y}-05-05")
    closable = builders.signed_commission(finance, dic, alloc, supplier)
    builders.resolve_all(dic, closable)
    return {"allocation": alloc, "supplier": supplier, "proposed": proposed["id"], "approved": approved["id"],
            "signed": signed["id"], "planned": planned, "delivered": delivered, "closable": closable["id"]}


def _check(app, client, cases, send):
    """Each case: (label, body, field expected in the details). Returns the failures."""
    failures = []
    for label, body, field in cases:
        before = support.database_fingerprint(app)
        response = send(client, body)
        payload = response.get_json(silent=True) or {}
        details = payload.get("details") or {}
        if not (400 <= response.status_code < 500) or field not in details:
            failures.append(f"{label}: {response.status_code} {payload}")
        elif support.database_fingerprint(app) != before:
            failures.append(f"{label}: the database changed")
    return failures


def _with(base, path, value):
    """A copy of `base` with the value at `path` (keys and list indexes) replaced; `...` drops it."""
    body = copy.deepcopy(base)
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


def test_proposals(app, roles, records):
    base = builders.commission_body(records["allocation"], records["supplier"])
    line = base["deliverables"][0]
    mutations = [
        (("allocation_id",), "1"), (("allocation_id",), 1.5), (("allocation_id",), True), (("allocation_id",), None),
        (("allocation_id",), 0), (("allocation_id",), -1), (("allocation_id",), 2**31), (("allocation_id",), HUGE),
        (("allocation_id",), 999_999), (("allocation_id",), ...),
        (("supplier_id",), "x"), (("supplier_id",), 999_999), (("supplier_id",), HUGE), (("supplier_id",), ...),
        (("title",), ""), (("title",), "   "), (("title",), ...), (("title",), "T" * 256), (("title",), "Tin\x07bài"),
        (("title",), 42), (("topic",), "  "), (("topic",), ...), (("topic",), ["Chuyển đổi số"]),
        (("method",), "tender"), (("method",), 1), (("method",), ...),
        (("advance_limit_pct",), 101), (("advance_limit_pct",), -1), (("advance_limit_pct",), 50.5),
        (("advance_limit_pct",), "30"), (("advance_limit_pct",), HUGE),
        (("price_decision_no",), ...), (("price_decision_no",), ""), (("price_decision_no",), "   "),
        (("price_decision_no",), None), (("price_decision_no",), "N" * 61),
        (("price_decision_date",), ...), (("price_decision_date",), None), (("price_decision_date",), f"{Y}-02-30"),
        (("price_decision_date",), "05/01/2026"), (("price_decision_date",), TOMORROW),
        *((("price_decision_date",), day) for day in EXTREME_DAYS),
        (("deliverables",), []), (("deliverables",), ...), (("deliverables",), "abc"), (("deliverables",), [1]),
        (("deliverables",), [line] * 101), (("deliverables",), None),
        *((("deliverables", 1, "due_date"), day) for day in EXTREME_DAYS),
        (("deliverables", 0, "due_date"), "30/06/2026"), (("deliverables", 0, "due_date"), ...),
        (("deliverables", 0, "quantity"), 0), (("deliverables", 0, "quantity"), -1),
        (("deliverables", 0, "quantity"), 1.5), (("deliverables", 0, "quantity"), "2"),
        (("deliverables", 0, "quantity"), 10**7), (("deliverables", 0, "quantity"), HUGE),
        (("deliverables", 0, "unit_price"), 0), (("deliverables", 0, "unit_price"), -5),
        (("deliverables", 0, "unit_price"), 1.5), (("deliverables", 0, "unit_price"), "1000"),
        (("deliverables", 0, "unit_price"), 10**16), (("deliverables", 0, "unit_price"), HUGE),
        (("deliverables", 0, "kind"), "essay"), (("deliverables", 0, "kind"), "training_course"),
        (("deliverables", 1, "kind"), "opinion_poll"), (("deliverables", 0, "kind"), ...),
        (("deliverables", 0, "title"), " "), (("deliverables", 0, "title"), ...),
        (("deliverables", 0, "extra"), "?"),
        (("number",), "DH-2026-9999"), (("status",), "approved"), (("value",), 1),
    ]
    cases = [(f"{'.'.join(map(str, path))}={value!r}"[:80], _with(base, path, value), path[0])
             for path, value in mutations]
    huge_total = _with(base, ("deliverables",), [builders.item(quantity=1_000_000, unit_price=10**15)])
    cases += [
        ("value above the ceiling", huge_total, "deliverables"),
        ("assignment without a price basis", {**_with(base, ("price_decision_no",), ...), "method": "assignment"},
         "price_decision_no"),
        ("order without a price date", _with(base, ("price_decision_date",), ...), "price_decision_date"),
        ("not an object", [base], "_schema"),
    ]
    failures = _check(app, roles["dic"], cases, lambda c, body: c.post("/api/v1/commissions", json=body))
    assert not failures, "\n".join(failures)
    # the same body, mended, goes through: the refusals above were about the field named
    assert support.ok(roles["dic"].post("/api/v1/commissions", json=base), 201)["status"] == "proposed"
    bidding = _with(_with(base, ("price_decision_no",), ...), ("price_decision_date",), ...)
    created = support.ok(roles["dic"].post("/api/v1/commissions", json={**bidding, "method": "bidding"}), 201)
    assert (created["price_decision_no"], created["price_decision_date"]) == (None, None)


def test_malformed_json_is_a_400(app, roles, records):
    before = support.database_fingerprint(app)
    for path in ("/api/v1/commissions", "/api/v1/suppliers", f"/api/v1/deliverables/{records['planned']}/deliver"):
        response = roles["dic"].post(path, data='{"title": ', content_type="application/json")
        assert (response.status_code, response.get_json()["error"]) == (400, "bad_request"), path
    assert support.database_fingerprint(app) == before


def test_suppliers(app, roles, records):
    existing = support.get(roles["dic"], f"/api/v1/suppliers/{records['supplier']}")["tax_code"]
    base = {"name": "Báo Nhân Dân", "kind": "press", "tax_code": "0100111111"}
    cases = [(label, {**base, **change} if change is not None else {k: v for k, v in base.items() if k != field},
              field) for label, change, field in [
        ("blank name", {"name": "  "}, "name"), ("no name", None, "name"), ("long name", {"name": "B" * 256}, "name"),
        ("name not text", {"name": 5}, "name"),
        ("unknown kind", {"kind": "bank"}, "kind"), ("no kind", None, "kind"),
        ("9 digits", {"tax_code": "010011111"}, "tax_code"), ("11 digits", {"tax_code": "01001111112"}, "tax_code"),
        ("12 digits", {"tax_code": "010011111123"}, "tax_code"),
        ("14 digits", {"tax_code": "01001111112345"}, "tax_code"),
        ("10-2", {"tax_code": "0100111111-12"}, "tax_code"), ("10-4", {"tax_code": "0100111111-1234"}, "tax_code"),
        ("letters", {"tax_code": "01001111AB"}, "tax_code"), ("spaces inside", {"tax_code": "01001 11111"}, "tax_code"),
        ("full-width digits", {"tax_code": "０１００１１１１１１"}, "tax_code"),
        ("Arabic-Indic digits", {"tax_code": "٠١٠٠١١١١١١"}, "tax_code"),
        ("a number", {"tax_code": 100111111}, "tax_code"), ("blank", {"tax_code": " "}, "tax_code"),
        ("no tax code", None, "tax_code"),
        ("duplicate", {"tax_code": existing}, "tax_code"),
        ("duplicate with spaces", {"tax_code": f"  {existing} "}, "tax_code"),
        ("unknown field", {"address": "Pleiku"}, "address"),
    ]]
    failures = _check(app, roles["finance"], cases, lambda c, body: c.post("/api/v1/suppliers", json=body))
    assert not failures, "\n".join(failures)
    for code in ("0100111111", "0100111111001", "0100111111-001"):
        created = support.ok(roles["finance"].post("/api/v1/suppliers", json={**base, "tax_code": code}), 201)
        assert created["tax_code"] == code


def test_status_changes(app, roles, records):
    finance, dic = roles["finance"], roles["dic"]

    def post(path):
        return lambda c, body: c.post(path, json=body)

    reason_cases = [("blank reason", {"reason": "   "}, "reason"), ("no reason", {}, "reason"),
                    ("short reason", {"reason": "ok"}, "reason"), ("reason not text", {"reason": 12345}, "reason"),
                    ("long reason", {"reason": "L" * 2001}, "reason"),
                    ("unknown field", {"reason": "Không phù hợp", "x": 1}, "x")]
    sign_ok = {"contract_no": "05/HĐ", "signed_on": f"{Y}-02-01"}
    sign_cases = [("blank contract", {**sign_ok, "contract_no": " "}, "contract_no"),
                  ("no contract", {"signed_on": f"{Y}-02-01"}, "contract_no"),
                  ("no date", {"contract_no": "05/HĐ"}, "signed_on"),
                  ("date as dd/mm", {**sign_ok, "signed_on": "01/02/2026"}, "signed_on"),
                  ("impossible date", {**sign_ok, "signed_on": f"{Y}-02-30"}, "signed_on"),
                  ("two years early", {**sign_ok, "signed_on": f"{Y - 2}-12-31"}, "signed_on"),
                  ("after the fiscal year", {**sign_ok, "signed_on": f"{Y + 1}-01-01"}, "signed_on"),
                  ("date as a number", {**sign_ok, "signed_on": 20260201}, "signed_on"),
                  ("tomorrow", {**sign_ok, "signed_on": TOMORROW}, "signed_on"),
                  *((day, {**sign_ok, "signed_on": day}, "signed_on") for day in EXTREME_DAYS)]
    close_cases = [("bad liquidation date", {"liquidated_on": "hôm nay"}, "liquidated_on"),
                   ("long liquidation number", {"liquidation_no": "T" * 61}, "liquidation_no"),
                   ("liquidation number not text", {"liquidation_no": 7}, "liquidation_no"),
                   ("unknown field", {"liquidation": "TL-1"}, "liquidation"),
                   ("liquidated tomorrow", {"liquidated_on": TOMORROW}, "liquidated_on"),
                   ("liquidated before signing", {"liquidated_on": f"{Y}-01-31"}, "liquidated_on"),
                   *((day, {"liquidated_on": day}, "liquidated_on") for day in EXTREME_DAYS)]
    failures = []
    failures += _check(app, finance, reason_cases, post(f"/api/v1/commissions/{records['proposed']}/reject"))
    failures += _check(app, dic, reason_cases, post(f"/api/v1/commissions/{records['approved']}/cancel"))
    failures += _check(app, dic, sign_cases, post(f"/api/v1/commissions/{records['approved']}/sign"))
    failures += _check(app, dic, close_cases, post(f"/api/v1/commissions/{records['closable']}/close"))
    assert not failures, "\n".join(failures)
    assert support.ok(dic.post(f"/api/v1/commissions/{records['approved']}/sign", json=sign_ok),
                      200)["status"] == "signed"


def test_delivery_and_acceptance(app, roles, records):
    dic = roles["dic"]
    deliver_ok = {"delivered_on": f"{Y}-05-01", "quantity": 1}
    deliver_cases = [("no date", {"quantity": 1}, "delivered_on"),
                     ("bad date", {**deliver_ok, "delivered_on": f"{Y}-13-01"}, "delivered_on"),
                     ("no quantity", {"delivered_on": f"{Y}-05-01"}, "quantity"),
                     ("zero", {**deliver_ok, "quantity": 0}, "quantity"),
                     ("text", {**deliver_ok, "quantity": "1"}, "quantity"),
                     ("fraction", {**deliver_ok, "quantity": 0.5}, "quantity"),
                     ("huge", {**deliver_ok, "quantity": HUGE}, "quantity"),
                     ("more than ordered", {**deliver_ok, "quantity": 3}, "quantity"),
                     ("ftp evidence", {**deliver_ok, "evidence_url": "ftp://example.vn/a"}, "evidence_url"),
                     ("script evidence", {**deliver_ok, "evidence_url": "javascript:alert(1)"}, "evidence_url"),
                     ("not a URL", {**deliver_ok, "evidence_url": "bài báo số 5"}, "evidence_url"),
                     ("long URL", {**deliver_ok, "evidence_url": "https://example.vn/" + "a" * 500}, "evidence_url"),
                     ("control in note", {**deliver_ok, "note": "Ghi\x00chú"}, "note"),
                     ("unknown field", {**deliver_ok, "status": "accepted"}, "status"),
                     ("delivered tomorrow", {**deliver_ok, "delivered_on": TOMORROW}, "delivered_on"),
                     ("delivered before signing", {**deliver_ok, "delivered_on": f"{Y}-01-31"}, "delivered_on"),
                     *((day, {**deliver_ok, "delivered_on": day}, "delivered_on") for day in EXTREME_DAYS)]
    accept_ok = {"accepted_on": f"{Y}-05-06", "accepted_quantity": 1, "record_no": "BB-01"}
    accept_cases = [("more than delivered", {**accept_ok, "accepted_quantity": 3}, "accepted_quantity"),
                    ("zero", {**accept_ok, "accepted_quantity": 0}, "accepted_quantity"),
                    ("text", {**accept_ok, "accepted_quantity": "1"}, "accepted_quantity"),
                    ("huge", {**accept_ok, "accepted_quantity": HUGE}, "accepted_quantity"),
                    ("before the delivery", {**accept_ok, "accepted_on": f"{Y}-05-04"}, "accepted_on"),
                    ("bad date", {**accept_ok, "accepted_on": "mai"}, "accepted_on"),
                    ("blank record", {**accept_ok, "record_no": " "}, "record_no"),
                    ("no record", {k: v for k, v in accept_ok.items() if k != "record_no"}, "record_no"),
                    ("accepted value given", {**accept_ok, "accepted_value": 1}, "accepted_value"),
                    ("accepted tomorrow", {**accept_ok, "accepted_on": TOMORROW}, "accepted_on"),
                    *((day, {**accept_ok, "accepted_on": day}, "accepted_on") for day in EXTREME_DAYS)]
    reject_cases = [("blank reason", {"reason": ""}, "reason"), ("no reason", {}, "reason")]
    failures = []
    failures += _check(app, dic, deliver_cases,
                       lambda c, body: c.post(f"/api/v1/deliverables/{records['planned']}/deliver", json=body))
    failures += _check(app, dic, accept_cases,
                       lambda c, body: c.post(f"/api/v1/deliverables/{records['delivered']}/accept", json=body))
    failures += _check(app, dic, reject_cases,
                       lambda c, body: c.post(f"/api/v1/deliverables/{records['delivered']}/reject", json=body))
    assert not failures, "\n".join(failures)


def test_uploads(app, roles, records):
    dic = roles["dic"]
    cases = [("no file", None, "file"), ("an executable", (b"MZ\x90\x00", "chay.exe"), "file"),
             ("not really a PDF", (b"<html>", "bien-ban.pdf"), "file"), ("empty", (b"", "rong.pdf"), "file")]

    def send(path):
        def post(client, upload):
            if upload is None:
                return client.post(path, data={}, content_type="multipart/form-data")
            return builders.upload_to(client, path, data=upload[0], filename=upload[1])
        return post

    failures = []
    for path in (f"/api/v1/commissions/{records['signed']}/documents",
                 f"/api/v1/deliverables/{records['delivered']}/documents"):
        failures += _check(app, dic, cases, send(path))
    assert not failures, "\n".join(failures)


def test_list_filters(app, roles, records):
    cases = [("/api/v1/commissions?status=done", "status"), ("/api/v1/commissions?category=sport", "category"),
             ("/api/v1/commissions?fiscal_year=abc", "fiscal_year"), ("/api/v1/commissions?fiscal_year=1999",
                                                                    "fiscal_year"),
             (f"/api/v1/commissions?supplier_id={HUGE}", "supplier_id"), ("/api/v1/commissions?allocation_id=x",
                                                                       "allocation_id"),
             ("/api/v1/commissions?per_page=201", "per_page"), ("/api/v1/commissions?page=0", "page"),
             ("/api/v1/commissions?topic=" + "t" * 101, "topic"),
             ("/api/v1/deliverables?overdue=maybe", "overdue"), ("/api/v1/deliverables?commission_id=x",
                                                                "commission_id"),
             (f"/api/v1/deliverables?commission_id={2**31}", "commission_id"),
             ("/api/v1/deliverables?status=lost", "status"), ("/api/v1/suppliers?kind=bank", "kind")]
    for path, field in cases:
        response = roles["auditor"].get(path)
        assert response.status_code == 422 and field in response.get_json()["details"], (path, response.get_json())


@pytest.mark.parametrize("category, wrong_kind", [("press", "it_service"), ("it_monitoring", "press"),
                                                  ("training", "press")])
def test_a_supplier_of_another_kind_is_refused_naming_it(app, roles, budget, category, wrong_kind):
    owner = "dic" if category in ("press", "it_monitoring") else "unit"
    before = support.database_fingerprint(app)
    response = roles[owner].post("/api/v1/commissions", json=builders.commission_body(
        budget.allocation(owner, category), budget.suppliers[wrong_kind], category=category))
    assert response.status_code == 422 and "supplier_id" in response.get_json()["details"], response.get_json()
    assert support.database_fingerprint(app) == before


def test_the_other_category_takes_any_supplier(roles, budget):
    created = builders.propose(roles["unit"], budget.allocation("unit", "other"), budget.suppliers["press"],
                               category="other")
    assert created["status"] == "proposed"
