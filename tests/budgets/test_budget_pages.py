"""The budget pages with the Flask test client: who sees what, forms that refuse and keep what
was typed, refusals that change nothing. CSRF tokens are read from the pages, as a browser would."""
import html
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.auth.services import get_user_by_username
from app.core.audit import AuditEntry
from app.core.documents import Document
from app.core.money import NOT_MONEY
from app.extensions import db
from budgets import services
from budgets.models import Allocation, Envelope, FundingRequest
from tests.fixtures.worlds import build_world, saved_world
from tests.support import Browser, csrf_of, text

YEAR = date.today().year


@saved_world(scope="module")
def _budget_pages_world(app, _roles_world):
    return build_world(app, "budget_pages.budget",
                       lambda: _build_budget(app, _roles_world.clients(app)), base=_roles_world)


@pytest.fixture
def budget(_budget_pages_world):
    """The `roles` world (units, one user per role); an envelope; STP's submitted and draft requests,
    ANNHON's request; an allocation and a document for STP's submitted request.
    Built once for the module, restored before each test."""
    return _budget_pages_world.copy()


def _build_budget(app, roles):
    with app.app_context():
        finance, stp, annhon = (get_user_by_username(u) for u in ("taichinh", "donvi", "huyen"))
        envelope = services.create_envelope(
            finance, fiscal_year=YEAR, code="TTCS", name="Kinh phí truyền thông chính sách",
            amount=500_000_000, decision_no="3456/QĐ-UBND", decision_date=date(YEAR, 1, 1))
        lines = [{"category": "training", "description": "Lớp tập huấn", "quantity": 2, "unit_cost": 100_000_000},
                 {"category": "press", "description": "Tin bài trên Báo Bình Định", "quantity": 10,
                  "unit_cost": 5_000_000}]
        submitted = services.create_request(stp, fiscal_year=YEAR, title="Tập huấn truyền thông chính sách",
                                            lines=lines, justification="Theo công văn của UBND tỉnh")
        services.submit_request(stp, submitted)
        draft = services.create_request(stp, fiscal_year=YEAR, title="Khảo sát ý kiến người dân",
                                        lines=lines[:1])
        other = services.create_request(annhon, fiscal_year=YEAR, title="Truyền thông chuyển đổi số",
                                        lines=lines[1:])
        allocation = services.create_allocation(
            finance, envelope_id=envelope.id, unit_code="STP", request_id=submitted.id, category="training",
            amount=50_000_000, decision_no="245/QĐ-STC", decision_date=date(YEAR, 1, 2))
        from app.core.documents import save_document
        document = save_document(stp, "request", submitted.id, filename="ke-hoach.pdf",
                                 stream=io.BytesIO(b"%PDF-1.4 ke hoach tap huan"))
        db.session.commit()
        return {"envelope": envelope.id, "submitted": submitted.id, "draft": draft.id, "other": other.id,
                "allocation": allocation.id, "document": document.id, "number": submitted.number}


def state(app):
    """Everything a refused write must leave as it was."""
    with app.app_context():
        return {
            "envelopes": db.session.execute(sa.select(Envelope.id, Envelope.total, Envelope.allocated)
                                            .order_by(Envelope.id)).all(),
            "requests": db.session.execute(sa.select(FundingRequest.id, FundingRequest.status,
                                                     FundingRequest.requested_total, FundingRequest.approved_total,
                                                     FundingRequest.title).order_by(FundingRequest.id)).all(),
            "allocations": db.session.execute(sa.select(Allocation.id, Allocation.amount)
                                              .order_by(Allocation.id)).all(),
            "audit": db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one(),
        }


# --- who sees which page ---------------------------------------------------------------------

EXPECTED = {
    # path template: {username: status}
    "/dashboard": {"donvi": 200, "sotttt": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/requests": {"donvi": 200, "huyen": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/requests?status=submitted&fiscal_year={year}&unit=STP&q=T%E1%BA%ADp&page=1":
        {"donvi": 200, "taichinh": 200, "kiemtoan": 200},
    "/requests?status=bogus&fiscal_year=abc&page=-3": {"donvi": 200, "taichinh": 200},
    "/requests/new": {"donvi": 200, "sotttt": 200, "taichinh": 403, "kiemtoan": 403, "quantri": 403},
    "/requests/{submitted}": {"donvi": 200, "huyen": 404, "sotttt": 404, "taichinh": 200, "kiemtoan": 200,
                              "quantri": 403},
    # a draft is its unit's own until submitted (DESIGN §2): finance and auditors find nothing
    "/requests/{draft}": {"donvi": 200, "huyen": 404, "taichinh": 404, "kiemtoan": 404, "quantri": 403},
    "/requests/{draft}/edit": {"donvi": 200, "huyen": 404, "taichinh": 404, "kiemtoan": 404},
    "/requests/{submitted}/edit": {"taichinh": 403, "kiemtoan": 403},
    "/requests/999999": {"donvi": 404, "taichinh": 404},
    "/finance": {"donvi": 403, "sotttt": 403, "taichinh": 200, "kiemtoan": 403, "quantri": 403},
    "/envelopes": {"donvi": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/envelopes/{envelope}": {"donvi": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/envelopes/999999": {"taichinh": 404},
    "/allocations/{allocation}": {"donvi": 200, "huyen": 404, "taichinh": 200, "kiemtoan": 200,
                                  "quantri": 403},
    "/documents/{document}": {"donvi": 200, "huyen": 404, "sotttt": 404, "taichinh": 200, "kiemtoan": 200,
                              "quantri": 403},
}


def test_pages_answer_by_role(app, budget):
    browsers = {}
    failures = []
    for template, by_user in EXPECTED.items():
        path = template.format(year=YEAR, **budget)
        for username, expected in by_user.items():
            browser = browsers.setdefault(username, None) or Browser(app, username)
            browsers[username] = browser
            response = browser.get(path)
            if response.status_code != expected:
                failures.append((username, path, response.status_code, expected))
            elif expected == 200 and not path.startswith("/documents"):
                assert "no-store" in response.headers["Cache-Control"]
            elif expected in (403, 404):
                assert "data-testid=\"error-message\"" in response.get_data(as_text=True)
    assert not failures, failures


def test_anonymous_is_sent_to_login(client, budget):
    for path in ("/dashboard", "/requests", f"/requests/{budget['submitted']}", "/finance", "/envelopes",
                 f"/documents/{budget['document']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_pages_show_amounts_labels_and_history(app, budget):
    unit = Browser(app, "donvi")
    page = text(unit.get(f"/requests/{budget['submitted']}"))
    assert "250.000.000 ₫" in page and "50.000.000 ₫" in page and "200.000.000 ₫" in page
    assert "Đào tạo, tập huấn" in page and "Đặt hàng báo chí" in page
    assert "Đã phân bổ" in page
    assert "245/QĐ-STC" in page and f"{date(YEAR, 1, 2):%d/%m/%Y}" in page
    assert "ke-hoach.pdf" in page and f"/documents/{budget['document']}" in page
    for action in ("request.create", "request.submit", "document.upload"):
        assert f'data-action="{action}"' in page
    assert "Gửi Sở Tài chính" in page  # the history reads in Vietnamese
    dashboard = text(unit.get("/dashboard"))
    assert 'data-testid="allocation-row"' in dashboard and "50.000.000 ₫" in dashboard
    assert budget["number"] in dashboard
    other_year = text(unit.get(f"/dashboard?year={YEAR - 1}"))
    assert 'data-testid="empty-allocations"' in other_year

    finance = Browser(app, "taichinh")
    queue = text(finance.get("/finance"))
    assert 'data-testid="empty-queue"' in queue  # the one submitted request is approved now
    detail = text(finance.get(f"/requests/{budget['submitted']}"))
    assert 'data-testid="allocate-form"' in detail and "còn 450.000.000 ₫" in detail
    assert 'data-testid="return-form"' not in detail  # approved: no longer returnable

    listing = text(finance.get("/requests?unit=STP"))
    assert "Tập huấn truyền thông" in listing and "Truyền thông chuyển đổi số" not in listing
    assert "Khảo sát ý kiến người dân" not in listing  # STP's draft is STP's own
    assert "Tìm thấy 1 đề nghị" in listing


def test_document_download(app, budget):
    response = Browser(app, "kiemtoan").get(f"/documents/{budget['document']}")
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 ke hoach tap huan"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "ke-hoach.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/pdf"


# --- forms that refuse -----------------------------------------------------------------------

def _request_form(**overrides):
    data = {
        "fiscal_year": str(YEAR), "title": "Đặt hàng báo Bình Định", "letter_no": "12/STP-VP",
        "justification": "Thông tin thiết yếu",
        "lines-0-category": "press", "lines-0-description": "Tin bài", "lines-0-quantity": "3",
        "lines-0-unit_cost": "1.500.000",
        "lines-1-category": "training", "lines-1-description": "Tập huấn phóng viên", "lines-1-quantity": "1",
        "lines-1-unit_cost": "1.5OO.000",
        # a blank row of the table is dropped, whatever its index
        "lines-7-category": "", "lines-7-description": "", "lines-7-quantity": "", "lines-7-unit_cost": "",
    }
    data.update(overrides)
    return data


def test_bad_amount_rerenders_with_field_error_and_keeps_values(app, budget):
    unit = Browser(app, "donvi")
    before = state(app)
    response = unit.submit("/requests/new", "/requests/new", _request_form(action="submit"))
    assert response.status_code == 422
    page = text(response)
    assert NOT_MONEY in page
    assert 'data-field-error="unit_cost"' in page
    assert 'value="1.5OO.000"' in page and 'value="1.500.000"' in page  # both rows, as typed
    assert 'value="Đặt hàng báo Bình Định"' in page and 'value="12/STP-VP"' in page
    assert "Thông tin thiết yếu</textarea>" in page
    assert len(re.findall(r'name="lines-\d+-category"', page)) == 2  # the blank row is gone
    assert state(app) == before

    # fixed, the same form saves: "1.500.000" is 1 500 000 đồng
    response = unit.submit("/requests/new", "/requests/new", _request_form(**{"lines-1-unit_cost": "2.000.000 ₫"}))
    assert response.status_code == 302
    with app.app_context():
        created = db.session.execute(sa.select(FundingRequest).order_by(FundingRequest.id.desc())).scalars().first()
        assert created.requested_total == 3 * 1_500_000 + 2_000_000
        assert created.status == "draft" and len(created.lines) == 2
        assert created.lines[1].unit_cost == 2_000_000


def test_request_without_lines_or_title_is_refused(app, budget):
    unit = Browser(app, "donvi")
    response = unit.submit("/requests/new", "/requests/new", {
        "fiscal_year": str(YEAR), "title": "",
        "lines-0-category": "", "lines-0-description": "", "lines-0-quantity": "", "lines-0-unit_cost": ""})
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="title"' in page and 'data-field-error="lines"' in page
    assert "Cần từ 1 đến 100 dòng." in page


def test_edit_keeps_values_on_error_and_saves(app, budget):
    unit = Browser(app, "donvi")
    edit = f"/requests/{budget['draft']}/edit"
    page = text(unit.get(edit))
    assert 'value="100.000.000"' in page  # stored amounts shown the Vietnamese way
    response = unit.submit(edit, edit, {
        "title": "Khảo sát ý kiến người dân (sửa)", "justification": "",
        "lines-0-category": "training", "lines-0-description": "Lớp tập huấn", "lines-0-quantity": "0",
        "lines-0-unit_cost": "100.000.000"})
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="quantity"' in page and 'value="Khảo sát ý kiến người dân (sửa)"' in page
    response = unit.submit(edit, edit, {
        "title": "Khảo sát ý kiến người dân (sửa)", "justification": "", "action": "submit",
        "lines-0-category": "other", "lines-0-description": "Phiếu khảo sát", "lines-0-quantity": "1000",
        "lines-0-unit_cost": "60.000"})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.get(FundingRequest, budget["draft"])
        assert record.title == "Khảo sát ý kiến người dân (sửa)"
        assert record.requested_total == 60_000_000 and record.status == "submitted"
    # submitted: the edit page sends the unit back to the detail page with a message
    response = unit.get(edit)
    assert response.status_code == 302
    assert "không sửa được" in text(unit.get(response.headers["Location"]))


def test_refused_allocation_shows_message_and_changes_nothing(app, budget):
    finance = Browser(app, "taichinh")
    detail = f"/requests/{budget['submitted']}"
    before = state(app)
    form = {"envelope_id": str(budget["envelope"]), "category": "training", "amount": "460.000.000",
            "decision_no": "300/QĐ-STC", "decision_date": f"{YEAR}-02-01", "chapter_code": "418"}
    response = finance.submit(detail, f"{detail}/allocate", form)
    assert response.status_code == 409
    page = text(response)
    assert "Nguồn kinh phí TTCS chỉ còn 450.000.000 ₫." in page
    assert 'value="460.000.000"' in page and 'value="300/QĐ-STC"' in page and 'value="418"' in page
    assert state(app) == before

    # above what the request still lacks (200.000.000 ₫): another Vietnamese refusal
    response = finance.submit(detail, f"{detail}/allocate", {**form, "amount": "200.000.001"})
    assert response.status_code == 409
    assert "chỉ còn 200.000.000 ₫ chưa phân bổ" in text(response)
    assert state(app) == before

    # bad input: 422 with the field's error, nothing written
    response = finance.submit(detail, f"{detail}/allocate", {**form, "amount": "nhiều", "chapter_code": "41"})
    assert response.status_code == 422
    page = text(response)
    assert NOT_MONEY in page and 'data-field-error="chapter_code"' in page and 'value="nhiều"' in page
    assert state(app) == before

    # the unit cannot post the finance form at all
    unit = Browser(app, "donvi")
    before = state(app)  # (logging in is audited)
    response = unit.submit(detail, f"{detail}/allocate", {**form, "amount": "1.000"})
    assert response.status_code == 403
    assert state(app) == before

    response = finance.submit(detail, f"{detail}/allocate", {**form, "amount": "150.000.000"})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.get(FundingRequest, budget["submitted"])
        assert record.approved_total == 200_000_000 and record.requested_total == 250_000_000
        assert db.session.get(Envelope, budget["envelope"]).allocated == 200_000_000


def test_return_reject_and_resubmit(app, budget):
    finance = Browser(app, "taichinh")
    unit = Browser(app, "donvi")
    draft = f"/requests/{budget['draft']}"
    response = unit.submit(draft, f"{draft}/submit", {})
    assert response.status_code == 302
    assert "Đã gửi đề nghị" in text(unit.get(response.headers["Location"]))

    before = state(app)
    response = finance.submit(draft, f"{draft}/return", {"reason": " "})
    assert response.status_code == 422
    assert 'data-field-error="reason"' in text(response)
    assert state(app) == before

    response = finance.submit(draft, f"{draft}/return", {"reason": "Bổ sung định mức chi tiết"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/finance")
    page = text(unit.get(draft))
    assert 'data-testid="return-reason"' in page and "Bổ sung định mức chi tiết" in page
    assert "Trả lại để chỉnh sửa" in page

    # returned: finance can no longer reject it; the page says so in Vietnamese and nothing changes
    before = state(app)
    response = finance.client.post(f"{draft}/reject", data={"csrf_token": csrf_of(finance.get(draft)),
                                                             "reason": "Không phù hợp"})
    assert response.status_code == 409
    assert "Không thể chuyển đề nghị" in text(response)
    assert state(app) == before

    response = unit.submit(draft, f"{draft}/submit", {})
    assert response.status_code == 302
    response = finance.submit(draft, f"{draft}/reject", {"reason": "Không thuộc nội dung truyền thông chính sách"})
    assert response.status_code == 302
    page = text(unit.get(draft))
    assert 'data-testid="reject-reason"' in page and "Không thuộc nội dung" in page
    # a rejected request cannot be withdrawn: 409 with the message, nothing changes
    before = state(app)
    response = unit.client.post(f"{draft}/withdraw", data={"csrf_token": csrf_of(unit.get(draft))})
    assert response.status_code == 409 and "Không thể chuyển đề nghị" in text(response)
    assert state(app) == before


def test_forms_need_the_csrf_token(app, budget):
    unit = Browser(app, "donvi")
    before = state(app)
    response = unit.client.post(f"/requests/{budget['draft']}/submit", data={})
    assert response.status_code == 400
    response = unit.client.post("/requests/new", data=_request_form(**{"lines-1-unit_cost": "1.000"}))
    assert response.status_code == 400
    assert state(app) == before


def test_upload_and_refused_upload(app, budget):
    unit = Browser(app, "donvi")
    draft = f"/requests/{budget['draft']}"
    before = state(app)
    response = unit.submit(draft, f"{draft}/documents",
                           {"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "bao-cao.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Nội dung tệp không phải PDF" in text(response)
    response = unit.submit(draft, f"{draft}/documents", {}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Chọn một tệp" in text(response)
    assert state(app) == before

    response = unit.submit(draft, f"{draft}/documents",
                           {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "so-do.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        document = db.session.execute(sa.select(Document).filter_by(original_name="so-do.png")).scalar_one()
    assert "so-do.png" in text(unit.get(draft))
    assert unit.get(f"/documents/{document.id}").status_code == 200
    assert Browser(app, "huyen").get(f"/documents/{document.id}").status_code == 404

    # finance may read, not upload (and does not see a draft at all)
    finance = Browser(app, "taichinh")
    submitted = f"/requests/{budget['submitted']}"
    response = finance.submit(submitted, f"{submitted}/documents",
                              {"file": (io.BytesIO(b"%PDF-1.4"), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 403


def test_envelope_supplement_and_adjustment_forms(app, budget):
    finance = Browser(app, "taichinh")
    before = state(app)
    response = finance.submit("/envelopes", "/envelopes", {
        "fiscal_year": str(YEAR), "code": "TTCS", "name": "Trùng mã", "amount": "1.000.000",
        "decision_no": "1/QĐ", "decision_date": f"{YEAR}-02-01"})
    assert response.status_code == 422
    page = text(response)
    assert f"Năm {YEAR} đã có nguồn kinh phí mã TTCS." in page and 'value="Trùng mã"' in page
    assert state(app) == before

    response = finance.submit("/envelopes", "/envelopes", {
        "fiscal_year": str(YEAR), "code": "CNTT-RQ", "name": "Thuê dịch vụ rà quét thông tin",
        "amount": "1.500.000.000", "decision_no": "215/QĐ-UBND", "decision_date": f"{YEAR}-02-01"})
    assert response.status_code == 302
    page = text(finance.get(response.headers["Location"]))
    assert "1.500.000.000 ₫" in page and "215/QĐ-UBND" in page and f"01/02/{YEAR}" in page

    envelope = f"/envelopes/{budget['envelope']}"
    response = finance.submit(envelope, f"{envelope}/supplements", {
        "amount": "200.000.000", "decision_no": "1020/QĐ-UBND", "decision_date": f"{YEAR - 1}-12-31"})
    assert response.status_code == 422 and "nằm ngoài năm ngân sách" in text(response)
    response = finance.submit(envelope, f"{envelope}/supplements", {
        "amount": "200.000.000", "decision_no": "1020/QĐ-UBND", "decision_date": f"{YEAR}-01-01"})
    assert response.status_code == 302
    page = text(finance.get(envelope))
    assert "700.000.000 ₫" in page and "Bổ sung" in page and "1020/QĐ-UBND" in page
    assert "650.000.000 ₫" in page  # available after the 50.000.000 ₫ allocation

    allocation = f"/allocations/{budget['allocation']}"
    before = state(app)
    response = finance.submit(allocation, f"{allocation}/adjustments", {
        "amount": "0", "reason": "Không đổi", "decision_no": "9/QĐ-STC"})
    assert response.status_code == 422 and "Số tiền điều chỉnh phải khác 0." in text(response)
    response = finance.submit(allocation, f"{allocation}/adjustments", {
        "amount": "700.000.000", "reason": "Tăng quá nguồn", "decision_no": "9/QĐ-STC"})
    assert response.status_code == 409
    page = text(response)
    assert "chỉ còn 650.000.000 ₫" in page and 'value="700.000.000"' in page
    assert state(app) == before
    response = finance.submit(allocation, f"{allocation}/adjustments", {
        "amount": "-20.000.000", "reason": "Giảm một lớp tập huấn", "decision_no": "301/QĐ-STC"})
    assert response.status_code == 302
    page = text(finance.get(allocation))
    assert "30.000.000 ₫" in page and "-20.000.000 ₫" in page and "Giảm một lớp tập huấn" in page

    unit = Browser(app, "donvi")
    page = text(unit.get(allocation))
    assert 'data-testid="adjust-form"' not in page and "30.000.000 ₫" in page
    assert 'data-testid="supplement-form"' not in text(unit.get(envelope))
    response = unit.submit(allocation, f"{allocation}/adjustments", {
        "amount": "1.000", "reason": "Tự tăng", "decision_no": "1"})
    assert response.status_code == 403


def test_request_list_paginates_and_filters(app, budget):
    with app.app_context():
        stp = get_user_by_username("donvi")
        for index in range(23):
            services.create_request(stp, fiscal_year=YEAR, title=f"Tin bài số {index:02d}", lines=[
                {"category": "press", "description": "Tin bài", "quantity": 1, "unit_cost": 1_000_000}])
        db.session.commit()
    unit = Browser(app, "donvi")
    first = text(unit.get("/requests"))
    assert first.count('data-testid="request-row"') == 20 and "Tìm thấy 25 đề nghị" in first
    second = text(unit.get("/requests?page=2"))
    assert second.count('data-testid="request-row"') == 5
    found = text(unit.get("/requests?q=s%E1%BB%91+07"))
    assert found.count('data-testid="request-row"') == 1 and "Tin bài số 07" in found
    approved = text(unit.get("/requests?status=approved"))
    assert approved.count('data-testid="request-row"') == 1 and budget["number"] in approved


def test_usage_bar_stacks_spent_and_committed(app):
    with app.test_request_context():
        macro = app.jinja_env.from_string(
            '{% from "budgets/_parts.html" import usage_bar %}{{ usage_bar(a, c, s) }}')
        bar = macro.render(a=100_000_000, c=30_000_000, s=20_000_000)
        assert 'data-pct="20"' in bar and 'data-pct="30"' in bar
        assert "20.000.000 ₫" in html.unescape(bar)  # the tooltip names the amounts
        empty = macro.render(a=0, c=0, s=0)  # an allocation adjusted down to nothing
        assert 'data-pct="0"' in empty
        rounded = macro.render(a=3, c=2, s=1)  # 33% + 67%: never above the whole bar
        assert 'data-pct="33"' in rounded and 'data-pct="67"' in rounded
