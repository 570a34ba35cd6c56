"""Text fields: stripped, then required; no control characters, no bidirectional overrides.

A return "with a reason" of three spaces used to have none; a title with U+202E displayed
reversed from what was checked."""
import pytest

from tests import support
from tests.core.test_errors import assert_error

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def _request_body(**overrides):
    body = {"fiscal_year": support.YEAR, "title": "Tuyên truyền chính sách", "justification": "Theo kế hoạch",
            "letter_no": "45/STP-VP", "lines": [support.line(10_000_000)]}
    body.update(overrides)
    return body


def refused(response, field):
    body = assert_error(response, 422, "validation_error")
    assert field in body["details"], body
    return body


@pytest.mark.parametrize("blank", ["   ", "\t", "\u00a0\u3000 ", "\n \n"])
def test_blank_title_is_refused_naming_the_field(roles, blank):
    before = support.audit_total(roles["finance"])
    body = refused(roles["unit"].post("/api/v1/requests", json=_request_body(title=blank)), "title")
    assert "khoảng trắng" in body["details"]["title"][0]
    assert support.audit_total(roles["finance"]) == before


def test_blank_reason_is_refused_and_nothing_changes(roles):
    request_id = support.submitted_request(roles["unit"])["id"]
    before = support.balances(roles["finance"], request_id=request_id)
    for action in ("return", "reject"):
        response = roles["finance"].post(f"/api/v1/requests/{request_id}/{action}", json={"reason": "   "})
        refused(response, "reason")
        response = roles["finance"].post(f"/api/v1/requests/{request_id}/{action}", json={"reason": " a "})
        refused(response, "reason")  # one letter once stripped: too short
    assert support.balances(roles["finance"], request_id=request_id) == before
    returned = support.ok(roles["finance"].post(f"/api/v1/requests/{request_id}/return",
                                                json={"reason": "  Bổ sung dự toán chi tiết \r\n"}), 200)
    assert returned["return_reason"] == "Bổ sung dự toán chi tiết"


@pytest.mark.parametrize("field", ["decision_no", "name", "code"])
def test_blank_envelope_fields(roles, field):
    body = {"fiscal_year": support.YEAR, "code": "TTCS", "name": "Nguồn kinh phí", "amount": 5,
            "decision_no": "1/QĐ", "decision_date": f"{support.YEAR}-02-01", field: "   "}
    refused(roles["finance"].post("/api/v1/envelopes", json=body), field)


def test_blank_fields_of_allocations_adjustments_and_supplements(roles):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000)
    refused(finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], decision_no="  ")),
            "decision_no")
    refused(finance.post("/api/v1/allocations", json={**support.allocation_body(env["id"]), "unit_code": " "}),
            "unit_code")
    refused(finance.post(f"/api/v1/envelopes/{env['id']}/supplements", json={
        "amount": 5, "decision_no": " \t ", "decision_date": f"{support.YEAR}-02-01"}), "decision_no")
    alloc = support.allocation(finance, env["id"], amount=100)
    refused(support.adjustment(finance, alloc["id"], -1, reason="    "), "reason")
    refused(support.adjustment(finance, alloc["id"], -1, decision_no="   "), "decision_no")
    assert support.get(finance, f"/api/v1/allocations/{alloc['id']}")["adjustments"] == []


def test_blank_names_of_units_and_users(roles):
    admin = roles["admin"]
    refused(admin.post("/api/v1/units", json={"code": "SYT", "name": "   ", "kind": "department"}), "name")
    refused(admin.post("/api/v1/units", json={"code": "SYT", "name": "Sở Y tế", "kind": "  "}), "kind")
    refused(admin.post("/api/v1/users", json={"username": "moi", "password": "mot-mat-khau-dai",
                                              "full_name": "   ", "role": "auditor"}), "full_name")
    refused(roles["anonymous"].post("/api/v1/auth/token", json={"username": "   ", "password": "x"}), "username")


def test_blank_line_description_and_patched_title(roles):
    unit = roles["unit"]
    response = unit.post("/api/v1/requests", json=_request_body(lines=[support.line(1000, description="   ")]))
    assert response.status_code == 422
    assert "description" in response.get_json()["details"]["lines"]["0"]
    created = support.funding_request(unit)
    refused(unit.patch(f"/api/v1/requests/{created['id']}", json={"title": "   "}), "title")
    assert support.get(unit, f"/api/v1/requests/{created['id']}")["title"] == created["title"]


@pytest.mark.parametrize("mark", BIDI)
def test_bidirectional_overrides_are_refused(roles, mark):
    refused(roles["unit"].post("/api/v1/requests", json=_request_body(title=f"{mark}abc tuyên truyền")), "title")
    refused(roles["unit"].post("/api/v1/requests", json=_request_body(justification=f"Lý do {mark}")),
            "justification")


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\r"])
def test_control_characters_in_single_line_fields_are_refused(roles, char):
    refused(roles["unit"].post("/api/v1/requests", json=_request_body(title=f"Tiêu{char}đề")), "title")
    refused(roles["admin"].post("/api/v1/units", json={"code": "SYT", "name": f"Sở{char}Y tế",
                                                       "kind": "department"}), "name")


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_in_multi_line_fields_are_refused(roles, char):
    refused(roles["unit"].post("/api/v1/requests", json=_request_body(justification=f"Dòng 1{char}")),
            "justification")


def test_text_is_stored_stripped_and_line_breaks_are_kept(roles):
    unit = roles["unit"]
    created = support.ok(unit.post("/api/v1/requests", json=_request_body(
        title=" Tên ", letter_no="  ", justification=" Dòng một\r\n\tDòng hai \n",
        lines=[support.line(1000, description="  Tin bài  ")])), 201)
    assert created["title"] == "Tên"
    assert created["letter_no"] is None  # blank where blank is allowed: nothing
    assert created["justification"] == "Dòng một\n\tDòng hai"
    assert created["lines"][0]["description"] == "Tin bài"
    assert support.get(roles["finance"], "/api/v1/envelopes")["total"] == 0
    env = support.ok(roles["finance"].post("/api/v1/envelopes", json={
        "fiscal_year": support.YEAR, "code": " TTCS ", "name": " Nguồn kinh phí ", "amount": 5,
        "decision_no": " 12/QĐ-UBND ", "decision_date": f"{support.YEAR}-02-01"}), 201)
    assert (env["code"], env["name"], env["decisions"][0]["decision_no"]) == (
        "TTCS", "Nguồn kinh phí", "12/QĐ-UBND")


def test_vietnamese_and_emoji_text_is_fine(roles):
    created = support.ok(roles["unit"].post("/api/v1/requests", json=_request_body(
        title="Truyền thông chuyển đổi số 📣", justification="Ứng dụng “VNeID” – đợt 2")), 201)
    assert created["title"] == "Truyền thông chuyển đổi số 📣"


NFD_NAME = "Sở Tư pháp"            # typed composed
NFD_TYPED = "So\u031b\u0309 Tu\u031b pha\u0301p"  # the same name from a decomposed keyboard


def test_text_is_stored_composed_without_invisible_characters(roles):
    import unicodedata
    assert unicodedata.normalize("NFC", NFD_TYPED) == NFD_NAME and NFD_TYPED != NFD_NAME
    created = support.ok(roles["unit"].post("/api/v1/requests", json=_request_body(
        title=f"\u200bTuyên\u200d truyền {NFD_TYPED}\u200e", justification=f"Dòng\u2060 một\n{NFD_TYPED}\ufeff")), 201)
    assert created["title"] == f"Tuyên truyền {NFD_NAME}"
    assert created["justification"] == f"Dòng một\n{NFD_NAME}"
    # only invisible characters is blank
    refused(roles["unit"].post("/api/v1/requests", json=_request_body(title="\u200b\u200d\u200e")), "title")


def test_a_decomposed_search_finds_the_composed_name(roles):
    support.ok(roles["unit"].post("/api/v1/requests", json=_request_body(title=f"Phổ biến pháp luật {NFD_NAME}")), 201)
    found = support.get(roles["unit"], "/api/v1/requests?q=" + "ph%E1%BB%95%20bi%E1%BA%BFn")  # composed "phổ biến"
    decomposed = support.get(roles["unit"], "/api/v1/requests?q=" + __import__("urllib.parse").parse.quote(
        "pho\u0302\u0309 bie\u0302\u0301n"))
    assert found["total"] == decomposed["total"] == 1


def test_a_supplier_typed_decomposed_is_stored_composed(roles):
    supplier = support.ok(roles["finance"].post("/api/v1/suppliers", json={
        "name": "Ba\u0301o Gia Lai\u200b", "kind": "press", "tax_code": "5900000001"}), 201)
    assert supplier["name"] == "Báo Gia Lai"
