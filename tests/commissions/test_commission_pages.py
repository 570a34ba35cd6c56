"""The commission pages with the Flask test client: who sees which page and which forms, every form's
success and refusal (status, the message, what was typed kept, nothing changed). CSRF tokens are read
from the pages, as a browser would."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.audit import AuditEntry
from app.core.documents import Document
from app.core.money import NOT_MONEY
from app.extensions import db
from budgets import services as budget_services
from budgets.models import Allocation
from commissions import services
from commissions.models import Commission, Deliverable
from tests.fixtures.worlds import build_world, saved_world
from tests.support import PDF_BYTES, Browser, csrf_of, text

YEAR = date.today().year
PAST = clock.today() - timedelta(days=1)  # due before today (in Việt Nam): overdue while owed
LATER = date(YEAR, 12, 31)


def _line(title, kind, quantity, unit_price, due_date=LATER):
    return {"title": title, "kind": kind, "quantity": quantity, "unit_price": unit_price, "due_date": due_date}


@saved_world(scope="module")
def _book_world(app, _roles_world):
    return build_world(app, "commission_pages.book", lambda: _build_book(app), base=_roles_world)


@pytest.fixture
def book(_book_world):
    """On the `roles` world: a press allocation of the DIC (300.000.000 ₫), a training allocation of
    STP and one of An Nhơn; suppliers; the DIC's commissions proposed, approved and signed (a line
    owed and overdue, a line delivered), STP's signed training commission. Built once for the module
    through the services, restored before each test."""
    return _book_world.copy()


def _build_book(app):
    with app.app_context():
        finance, dic, stp = (get_user_by_username(u) for u in ("taichinh", "sotttt", "donvi"))
        envelope = budget_services.create_envelope(
            finance, fiscal_year=YEAR, code="TTTY", name="Đặt hàng thông tin thiết yếu", amount=1_000_000_000,
            decision_no="3457/QĐ-UBND", decision_date=date(YEAR, 1, 1))

        def allocate(unit, category, amount, decision_no):
            return budget_services.create_allocation(
                finance, envelope_id=envelope.id, unit_code=unit, category=category, amount=amount,
                decision_no=decision_no, decision_date=date(YEAR, 1, 2))

        press = allocate("SVHTTDL", "press", 300_000_000, "246/QĐ-STC")
        training = allocate("STP", "training", 100_000_000, "245/QĐ-STC")
        allocate("ANNHON", "training", 50_000_000, "250/QĐ-STC")
        newspaper = services.create_supplier(None, name="Báo và Phát thanh, Truyền hình Gia Lai", kind="press",
                                             tax_code="5900181213")
        school = services.create_supplier(None, name="Trường Chính trị tỉnh Gia Lai", kind="training",
                                          tax_code="5902258479")
        priced = {"method": "order", "price_decision_no": "25/QĐ-UBND", "price_decision_date": date(YEAR, 1, 5)}

        def propose(actor, allocation, supplier, title, topic, lines, **kw):
            return services.propose_commission(
                actor, allocation_id=allocation.id, supplier_id=supplier.id, title=title, topic=topic,
                advance_limit_pct=30, deliverables=lines, **{**priced, **kw})

        proposed = propose(dic, press, newspaper, "Tin bài chuyển đổi số", "Chuyển đổi số",
                           [_line("Tin bài điện tử", "online_article", 10, 3_500_000),
                            _line("Phóng sự truyền hình", "tv_segment", 2, 18_000_000)])
        approved = propose(dic, press, newspaper, "Video phòng chống lừa đảo", "Phòng, chống lừa đảo",
                           [_line("Video ngắn", "video", 1, 20_000_000)])
        services.approve_commission(finance, approved)
        signed = propose(dic, press, newspaper, "Chuyên đề cải cách hành chính", "Cải cách hành chính",
                         [_line("Bài báo in", "print_article", 10, 2_000_000, PAST),
                          _line("Tin bài điện tử", "online_article", 5, 3_000_000)])
        services.approve_commission(finance, signed)
        services.sign_commission(dic, signed, contract_no="12/HĐ-ĐH", signed_on=date(YEAR, 1, 10))
        owed, delivered = signed.deliverables
        services.deliver(dic, delivered, delivered_on=date(YEAR, 1, 20), quantity=5)
        course = propose(stp, training, school, "Bồi dưỡng kỹ năng truyền thông", "Truyền thông chính sách",
                         [_line("Lớp bồi dưỡng", "training_course", 1, 30_000_000)], method="bidding",
                         price_decision_no=None, price_decision_date=None)
        services.approve_commission(finance, course)
        services.sign_commission(stp, course, contract_no="03/HĐ-ĐT", signed_on=date(YEAR, 1, 12))
        db.session.commit()
        return {"press": press.id, "training": training.id, "newspaper": newspaper.id, "school": school.id,
                "proposed": proposed.id, "approved": approved.id, "signed": signed.id, "course": course.id,
                "owed": owed.id, "delivered": delivered.id, "course_line": course.deliverables[0].id,
                "signed_number": signed.number, "proposed_number": proposed.number}


def state(app):
    """Everything a refused form must leave as it was."""
    with app.app_context():
        return {
            "commissions": db.session.execute(sa.select(
                Commission.id, Commission.status, Commission.value, Commission.committed, Commission.contract_no,
                Commission.liquidation_no, Commission.reject_reason, Commission.cancel_reason)
                .order_by(Commission.id)).all(),
            "deliverables": db.session.execute(sa.select(
                Deliverable.id, Deliverable.status, Deliverable.delivered_quantity, Deliverable.accepted_quantity,
                Deliverable.record_no, Deliverable.evidence_url).order_by(Deliverable.id)).all(),
            "allocations": db.session.execute(sa.select(Allocation.id, Allocation.committed)
                                              .order_by(Allocation.id)).all(),
            "documents": db.session.execute(sa.select(sa.func.count()).select_from(Document)).scalar_one(),
            "audit": db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one(),
        }


def commission(app, commission_id) -> Commission:
    with app.app_context():
        found = db.session.get(Commission, commission_id)
        db.session.expunge(found)
        return found


def deliverable(app, deliverable_id) -> Deliverable:
    with app.app_context():
        found = db.session.get(Deliverable, deliverable_id)
        db.session.expunge(found)
        return found


def available(app, allocation_id) -> int:
    with app.app_context():
        return db.session.get(Allocation, allocation_id).available


# --- who sees which page ---------------------------------------------------------------------

EXPECTED = {
    "/commissions": {"donvi": 200, "sotttt": 200, "huyen": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/commissions?status=signed&category=press&supplier_id={newspaper}&topic=c%E1%BA%A3i&fiscal_year={year}"
    "&unit=SVHTTDL&page=1": {"sotttt": 200, "taichinh": 200, "kiemtoan": 200},
    "/commissions?status=bogus&category=nope&supplier_id=abc&page=-1&fiscal_year=99999":
        {"sotttt": 200, "taichinh": 200},
    "/commissions/new": {"donvi": 200, "sotttt": 200, "taichinh": 403, "kiemtoan": 403, "quantri": 403},
    "/commissions/queue": {"donvi": 403, "sotttt": 403, "taichinh": 200, "kiemtoan": 403, "quantri": 403},
    "/deliverables/overdue": {"donvi": 200, "sotttt": 200, "taichinh": 200, "kiemtoan": 200, "quantri": 403},
    "/commissions/{proposed}": {"sotttt": 200, "donvi": 404, "huyen": 404, "taichinh": 200, "kiemtoan": 200,
                                "quantri": 403},
    "/commissions/{course}": {"donvi": 200, "sotttt": 404, "huyen": 404, "taichinh": 200, "kiemtoan": 200},
    "/commissions/999999": {"sotttt": 404, "taichinh": 404},
    "/commissions/99999999999": {"taichinh": 404},
}


def test_pages_answer_by_role(app, book):
    browsers, failures = {}, []
    for template, by_user in EXPECTED.items():
        path = template.format(year=YEAR, **book)
        for username, expected in by_user.items():
            browser = browsers.get(username) or browsers.setdefault(username, Browser(app, username))
            response = browser.get(path)
            if response.status_code != expected:
                failures.append((username, path, response.status_code, expected))
            elif expected in (403, 404):
                assert 'data-testid="error-message"' in response.get_data(as_text=True)
    assert not failures, failures


def test_anonymous_is_sent_to_login(client, book):
    for path in ("/commissions", "/commissions/new", "/commissions/queue", "/deliverables/overdue",
                 f"/commissions/{book['proposed']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_navigation_by_role(app, book):
    entries = {
        "sotttt": ("/commissions/new", "/commissions\"", "/deliverables/overdue"),
        "donvi": ("/commissions\"", "/deliverables/overdue"),
        "taichinh": ("/commissions/queue", "/commissions\"", "/deliverables/overdue"),
        "kiemtoan": ("/commissions\"", "/deliverables/overdue"),
    }
    for username, hrefs in entries.items():
        nav = text(Browser(app, username).get("/commissions" if username != "quantri" else "/units"))
        nav = nav[:nav.index("</nav>")]
        for href in hrefs:
            assert f'href="{href}' in nav, (username, href)
        if username != "taichinh":
            assert "/commissions/queue" not in nav
        if username != "sotttt":
            assert "/commissions/new" not in nav
    admin = text(Browser(app, "quantri").get("/units"))
    assert "/commissions" not in admin[:admin.index("</nav>")]


def test_detail_shows_lines_balances_documents_and_history(app, book):
    with app.app_context():
        from app.core.documents import save_document
        save_document(get_user_by_username("sotttt"), "commission", book["signed"], filename="hop-dong.pdf",
                      stream=io.BytesIO(PDF_BYTES))
        db.session.commit()
    page = text(Browser(app, "sotttt").get(f"/commissions/{book['signed']}"))
    assert book["signed_number"] in page and "Đã ký hợp đồng" in page
    assert "Báo và Phát thanh, Truyền hình Gia Lai" in page and "Cải cách hành chính" in page
    assert 'data-testid="balance-value">35.000.000 ₫' in page
    assert 'data-testid="balance-committed">35.000.000 ₫' in page
    assert 'data-testid="balance-paid">0 ₫' in page and 'data-testid="balance-remaining">35.000.000 ₫' in page
    assert "Bài báo in" in page and "2.000.000 ₫" in page and "20.000.000 ₫" in page
    assert f"{PAST:%d/%m/%Y}" in page and 'data-testid="overdue"' in page
    assert "Đã giao, chờ nghiệm thu" in page and "12/HĐ-ĐH" in page and f"10/01/{YEAR}" in page
    assert "hop-dong.pdf" in page
    for action in ("commission.propose", "commission.approve", "commission.sign", "deliverable.deliver",
                   "document.upload"):
        assert f'data-action="{action}"' in page
    assert "Duyệt, cam kết kinh phí" in page and "Giao sản phẩm" in page  # the history reads in Vietnamese
    # the owner's forms on a signed contract: deliver the owed line, accept or reject the delivered one
    assert page.count('data-testid="deliver-form"') == 1 and page.count('data-testid="accept-form"') == 1
    assert 'data-testid="reject-delivery-form"' in page and 'data-testid="cancel-form"' in page
    assert 'data-testid="close-waiting"' in page and 'data-testid="close-form"' not in page
    assert 'data-testid="approve-form"' not in page and 'data-testid="sign-form"' not in page


def test_auditor_reads_everything_and_sees_no_form(app, book):
    auditor = Browser(app, "kiemtoan")
    for key in ("proposed", "approved", "signed", "course"):
        page = auditor.get(f"/commissions/{book[key]}").get_data(as_text=True)
        assert 'data-testid="deliverables"' in page and 'data-testid="balances"' in page
        posts = re.findall(r'<form method="post" action="([^"]+)"', page)
        assert posts == ["/logout"], (key, posts)
    for path in ("/commissions", "/deliverables/overdue"):
        assert auditor.get(path).status_code == 200
    before = state(app)
    token = csrf_of(auditor.get("/commissions"))
    for action, data in ((f"/commissions/{book['proposed']}/approve", {}),
                         (f"/commissions/{book['approved']}/sign", {"contract_no": "1", "signed_on": f"{YEAR}-02-01"}),
                         (f"/deliverables/{book['delivered']}/accept", {"accepted_on": f"{YEAR}-02-01",
                                                                        "accepted_quantity": "1", "record_no": "1"}),
                         ("/commissions/new", {})):
        response = auditor.client.post(action, data={"csrf_token": token, **data})
        assert response.status_code == 403, action
    assert state(app) == before


def test_another_units_commission_reads_as_missing(app, book):
    other, unit = Browser(app, "huyen"), Browser(app, "donvi")
    before = state(app)  # (logging in is audited)
    token = csrf_of(other.get("/commissions"))
    for action in (f"/commissions/{book['course']}", f"/commissions/{book['signed']}"):
        assert other.get(action).status_code == 404
    for action, data in ((f"/commissions/{book['approved']}/sign", {"contract_no": "1", "signed_on": f"{YEAR}-02-01"}),
                         (f"/commissions/{book['approved']}/cancel", {"reason": "Không cần nữa"}),
                         (f"/deliverables/{book['owed']}/deliver", {"delivered_on": f"{YEAR}-02-01", "quantity": "1"}),
                         (f"/deliverables/{book['course_line']}/deliver", {"delivered_on": f"{YEAR}-02-01",
                                                                           "quantity": "1"}),
                         (f"/commissions/{book['course']}/documents", {})):
        response = other.client.post(action, data={"csrf_token": token, **data})
        assert response.status_code == 404, action
        assert 'data-testid="error-message"' in response.get_data(as_text=True)
    # nor does it appear in the other unit's lists
    assert 'data-testid="empty-commissions"' in text(other.get("/commissions"))
    assert 'data-testid="empty-overdue"' in text(other.get("/deliverables/overdue"))
    # the STP officer sees only its own in the list, the DIC's overdue line is not its business
    listing = text(unit.get("/commissions"))
    assert listing.count('data-testid="commission-row"') == 1 and "Bồi dưỡng kỹ năng" in listing
    assert state(app) == before


# --- proposing -------------------------------------------------------------------------------

def _proposal(book, **overrides):
    data = {
        "allocation_id": str(book["press"]), "supplier_id": str(book["newspaper"]),
        "title": "Tuyên truyền bầu cử", "topic": "Bầu cử đại biểu HĐND", "method": "order",
        "advance_limit_pct": "30", "price_decision_no": "25/QĐ-UBND", "price_decision_date": f"{YEAR}-01-05",
        "deliverables-0-title": "Tin bài điện tử", "deliverables-0-kind": "online_article",
        "deliverables-0-quantity": "20", "deliverables-0-unit_price": "3.500.000",
        "deliverables-0-due_date": f"{YEAR}-11-30",
        "deliverables-1-title": "Phóng sự truyền hình", "deliverables-1-kind": "tv_segment",
        "deliverables-1-quantity": "3", "deliverables-1-unit_price": "18.000.000",
        "deliverables-1-due_date": f"{YEAR}-12-15",
        "deliverables-2-title": "Dòng nhập nhầm", "deliverables-2-kind": "video",
        "deliverables-2-quantity": "1", "deliverables-2-unit_price": "1.000",
        "deliverables-2-due_date": f"{YEAR}-12-15",
        # a blank row of the table is dropped, whatever its index
        "deliverables-9-title": "", "deliverables-9-kind": "", "deliverables-9-quantity": "",
        "deliverables-9-unit_price": "", "deliverables-9-due_date": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_proposal_form_lists_own_allocations_with_what_is_left(app, book):
    page = text(Browser(app, "sotttt").get("/commissions/new"))
    options = re.findall(r'<option value="(\d+)" data-available="(\d+)" data-category="(\w+)"', page)
    # the DIC's press allocation, less what its approved and signed commissions hold (20 + 35 million)
    assert options == [(str(book["press"]), "245000000", "press")]
    assert "246/QĐ-STC" in page and "còn 245.000.000 ₫" in page and "Đặt hàng báo chí" in page
    assert "Báo và Phát thanh, Truyền hình Gia Lai" in page and "Trường Chính trị tỉnh Gia Lai" in page
    chosen = text(Browser(app, "sotttt").get(f"/commissions/new?allocation_id={book['press']}"))
    assert 'data-testid="allocation-available">245.000.000 ₫' in chosen
    # a unit officer is offered its training allocation only, never the DIC's press categories
    unit_page = text(Browser(app, "donvi").get("/commissions/new"))
    options = re.findall(r'<option value="(\d+)" data-available="(\d+)" data-category="(\w+)"', unit_page)
    assert options == [(str(book["training"]), "70000000", "training")]


def test_proposal_succeeds_and_waits_for_finance(app, book):
    dic = Browser(app, "sotttt")
    data = _proposal(book)
    del data["deliverables-2-title"], data["deliverables-2-kind"], data["deliverables-2-quantity"]
    del data["deliverables-2-unit_price"], data["deliverables-2-due_date"]
    before = available(app, book["press"])
    response = dic.submit("/commissions/new", "/commissions/new", data)
    assert response.status_code == 302
    page = text(dic.get(response.headers["Location"]))
    assert "Đã đề xuất đặt hàng" in page and "124.000.000 ₫" in page and "Chờ Sở Tài chính duyệt" in page
    with app.app_context():
        created = db.session.execute(sa.select(Commission).order_by(Commission.id.desc())).scalars().first()
        assert (created.value, created.status, created.committed) == (124_000_000, "proposed", 0)
        assert [(d.title, d.quantity, d.unit_price) for d in created.deliverables] == [
            ("Tin bài điện tử", 20, 3_500_000), ("Phóng sự truyền hình", 3, 18_000_000)]
        assert created.price_decision_no == "25/QĐ-UBND" and created.advance_limit_pct == 30
        number = created.number
    assert available(app, book["press"]) == before  # proposing commits nothing
    assert number in text(Browser(app, "taichinh").get("/commissions/queue"))


@pytest.mark.parametrize("overrides,status,field,message,typed", [
    ({"deliverables-1-unit_price": "18,5"}, 422, "unit_price", NOT_MONEY, 'value="18,5"'),
    # a due date may fall in the next year (tests/commissions/test_calendar.py), never outside 2000-2100
    ({"deliverables-0-due_date": "9999-12-31"}, 422, "due_date", "Ngày phải từ 01/01/2000 đến 31/12/2100.",
     'value="9999-12-31"'),
    ({"price_decision_date": (clock.today() + timedelta(days=1)).isoformat()}, 422, "price_decision_date",
     "Ngày quyết định phê duyệt đơn giá không được sau hôm nay", 'value="Tuyên truyền bầu cử"'),
    ({"deliverables-1-kind": "training_course"}, 422, "kind", "Không thuộc nhóm chi này.",
     'value="Phóng sự truyền hình"'),
    ({"price_decision_no": "", "price_decision_date": ""}, 422, "price_decision_no",
     "Cần số quyết định phê duyệt đơn giá.", 'value="Tuyên truyền bầu cử"'),
    ({"supplier_id": "999999"}, 422, "supplier_id", "Không tìm thấy nhà cung cấp.", 'value="Bầu cử đại biểu HĐND"'),
    ({"advance_limit_pct": "120"}, 422, "advance_limit_pct", "Tỷ lệ tạm ứng theo hợp đồng, từ 0 đến 100.",
     'value="120"'),
    ({"title": ""}, 422, "title", "Trường này là bắt buộc.", 'value="3.500.000"'),
])
def test_proposal_refused_keeps_what_was_typed(app, book, overrides, status, field, message, typed):
    dic = Browser(app, "sotttt")
    before = state(app)
    response = dic.submit("/commissions/new", "/commissions/new", _proposal(book, **overrides))
    assert response.status_code == status
    page = text(response)
    assert f'data-field-error="{field}"' in page and message in page
    assert typed in page
    assert 'value="Tin bài điện tử"' in page and 'value="Dòng nhập nhầm"' in page
    assert len(re.findall(r'name="deliverables-\d+-title"', page)) == 3  # the blank row is gone
    assert state(app) == before


def test_proposal_without_lines_or_on_a_foreign_allocation_is_refused(app, book):
    dic, unit = Browser(app, "sotttt"), Browser(app, "donvi")
    before = state(app)  # (logging in is audited)
    blank = {k: "" for k in _proposal(book) if k.startswith("deliverables-")}
    response = dic.submit("/commissions/new", "/commissions/new", _proposal(book, **blank))
    assert response.status_code == 422
    assert 'data-field-error="deliverables"' in text(response) and "Cần từ 1 đến 100 sản phẩm." in text(response)
    # STP's training allocation is not the DIC's to commission on, nor is a press one STP's
    response = dic.submit("/commissions/new", "/commissions/new", _proposal(book, allocation_id=str(book["training"])))
    assert response.status_code == 422 and "Chọn một quyết định phân bổ của đơn vị." in text(response)
    response = unit.submit("/commissions/new", "/commissions/new", _proposal(book))
    assert response.status_code == 422 and 'data-field-error="allocation_id"' in text(response)
    assert state(app) == before


def test_forms_need_the_csrf_token(app, book):
    dic = Browser(app, "sotttt")
    before = state(app)
    assert dic.client.post("/commissions/new", data=_proposal(book)).status_code == 400
    assert dic.client.post(f"/commissions/{book['approved']}/sign",
                           data={"contract_no": "1", "signed_on": f"{YEAR}-02-01"}).status_code == 400
    assert state(app) == before


# --- finance: approve, reject ----------------------------------------------------------------

def test_approval_commits_the_value_and_refuses_beyond_what_is_left(app, book):
    finance, dic = Browser(app, "taichinh"), Browser(app, "sotttt")
    detail = f"/commissions/{book['proposed']}"
    page = text(finance.get(detail))
    assert 'data-testid="approve-form"' in page and 'data-testid="reject-form"' in page
    assert 'data-testid="available-after">174.000.000 ₫' in page  # 245 million left, 71 million asked
    queue = text(finance.get("/commissions/queue"))
    assert 'data-testid="queue-available">245.000.000 ₫' in queue and "71.000.000 ₫" in queue

    # the unit cannot use finance's form
    before = state(app)
    response = dic.submit(detail, f"{detail}/approve", {})
    assert response.status_code == 403 and state(app) == before

    # an adjustment leaves less than the value: refused with the amount left, nothing changes
    with app.app_context():
        budget_services.adjust_allocation(get_user_by_username("taichinh"), book["press"], amount=-180_000_000,
                                          reason="Điều chỉnh giảm", decision_no="301/QĐ-STC")
        db.session.commit()
    before = state(app)
    response = finance.submit(detail, f"{detail}/approve", {})
    assert response.status_code == 409
    page = text(response)
    assert "Phân bổ chỉ còn 65.000.000 ₫" in page and 'data-testid="approve-short"' in page
    assert state(app) == before

    with app.app_context():
        budget_services.adjust_allocation(get_user_by_username("taichinh"), book["press"], amount=180_000_000,
                                          reason="Khôi phục", decision_no="302/QĐ-STC")
        db.session.commit()
    response = finance.submit(detail, f"{detail}/approve", {})
    assert response.status_code == 302 and response.headers["Location"].endswith(detail)
    page = text(finance.get(detail))
    assert "Đã duyệt đặt hàng" in page and 'data-testid="allocation-available">174.000.000 ₫' in page
    assert commission(app, book["proposed"]).committed == 71_000_000
    assert available(app, book["press"]) == 174_000_000
    assert 'data-testid="empty-queue"' in text(finance.get("/commissions/queue"))

    # approved already: a second approval is refused, nothing moves
    before = state(app)
    response = finance.client.post(f"{detail}/approve", data={"csrf_token": csrf_of(finance.get(detail))})
    assert response.status_code == 409 and "không thực hiện được thao tác này" in text(response)
    assert state(app) == before


def test_rejection_needs_a_reason(app, book):
    finance = Browser(app, "taichinh")
    detail = f"/commissions/{book['proposed']}"
    before = state(app)
    response = finance.submit(detail, f"{detail}/reject", {"reason": " "})
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="reason"' in page and "Vui lòng ghi rõ lý do" in page
    assert state(app) == before
    response = finance.submit(detail, f"{detail}/reject", {"reason": "Trùng nội dung với hợp đồng đã ký"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/commissions/queue")
    page = text(Browser(app, "sotttt").get(detail))
    assert 'data-testid="reject-reason"' in page and "Trùng nội dung với hợp đồng đã ký" in page
    assert commission(app, book["proposed"]).status == "rejected"


# --- the owner: sign, cancel, close, documents -----------------------------------------------

def test_signing_keeps_the_contract_number_on_a_bad_date(app, book):
    dic, finance = Browser(app, "sotttt"), Browser(app, "taichinh")
    detail = f"/commissions/{book['approved']}"
    assert 'data-testid="sign-form"' in text(dic.get(detail))
    before = state(app)
    response = dic.submit(detail, f"{detail}/sign", {"contract_no": "15/HĐ-ĐH", "signed_on": f"{YEAR - 3}-05-01"})
    assert response.status_code == 422
    page = text(response)
    assert f"Ngày ký phải trong năm ngân sách {YEAR}." in page and 'value="15/HĐ-ĐH"' in page
    response = dic.submit(detail, f"{detail}/sign", {"contract_no": "15/HĐ-ĐH", "signed_on": "31/04/2026"})
    assert response.status_code == 422 and 'data-field-error="signed_on"' in text(response)
    assert state(app) == before
    # finance approves, it does not sign
    response = finance.submit(detail, f"{detail}/sign", {"contract_no": "15/HĐ-ĐH", "signed_on": f"{YEAR}-02-01"})
    assert response.status_code == 403 and state(app) == before

    response = dic.submit(detail, f"{detail}/sign", {"contract_no": "15/HĐ-ĐH", "signed_on": f"{YEAR}-02-01"})
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert "Đã ghi nhận ký hợp đồng" in page and 'data-testid="contract">15/HĐ-ĐH · 01/02/' in page
    assert page.count('data-testid="deliver-form"') == 1


def test_cancelling_releases_the_commitment(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['approved']}"
    before = state(app)
    response = dic.submit(detail, f"{detail}/cancel", {"reason": ""})
    assert response.status_code == 422 and 'data-field-error="reason"' in text(response)
    assert state(app) == before
    left = available(app, book["press"])
    response = dic.submit(detail, f"{detail}/cancel", {"reason": "Nội dung đã lồng ghép vào hợp đồng khác"})
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert 'data-testid="cancel-reason"' in page and "Nội dung đã lồng ghép" in page
    assert 'data-testid="cancel-form"' not in page and 'data-testid="upload-form"' not in page
    assert available(app, book["press"]) == left + 20_000_000
    assert commission(app, book["approved"]).committed == 0
    # cancelled: nothing more happens to it
    before = state(app)
    response = dic.client.post(f"{detail}/cancel", data={"csrf_token": csrf_of(dic.get(detail)), "reason": "Lần nữa"})
    assert response.status_code == 409 and state(app) == before


def test_closing_asks_for_the_liquidation_record(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['signed']}"
    before = state(app)
    # lines still owed: refused with the reason, what was typed kept
    response = dic.submit(detail, f"{detail}/close", {"liquidation_no": "02/BB-TL", "liquidated_on": f"{YEAR}-06-30"})
    assert response.status_code == 409
    page = text(response)
    assert "Còn sản phẩm chưa nghiệm thu: Bài báo in; Tin bài điện tử." in page
    assert 'data-testid="close-waiting"' in page  # the form is offered once every line is settled
    assert state(app) == before

    with app.app_context():
        dic_user = get_user_by_username("sotttt")
        owed, delivered = (db.session.get(Deliverable, book[k]) for k in ("owed", "delivered"))
        services.deliver(dic_user, owed, delivered_on=date(YEAR, 2, 1), quantity=10)
        services.accept(dic_user, owed, accepted_on=date(YEAR, 2, 2), accepted_quantity=8, record_no="3/BB-NT")
        services.reject_delivery(dic_user, delivered, reason="Sai nội dung")
        db.session.commit()
    page = text(dic.get(detail))
    assert 'data-testid="close-form"' in page and 'data-testid="close-waiting"' not in page
    before = state(app)
    response = dic.submit(detail, f"{detail}/close", {"liquidation_no": "02/BB-TL", "liquidated_on": ""})
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="liquidated_on"' in page and 'value="02/BB-TL"' in page
    assert "Cần số và ngày biên bản thanh lý hợp đồng." in page
    response = dic.submit(detail, f"{detail}/close", {"liquidation_no": "", "liquidated_on": f"{YEAR}-06-30"})
    assert response.status_code == 422 and 'data-field-error="liquidation_no"' in text(response)
    assert state(app) == before

    left = available(app, book["press"])
    response = dic.submit(detail, f"{detail}/close", {"liquidation_no": "02/BB-TL", "liquidated_on": f"{YEAR}-06-30"})
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert "Đã thanh lý" in page and 'data-testid="liquidation">02/BB-TL · 30/06/' in page
    assert available(app, book["press"]) == left + 35_000_000


def test_commission_documents(app, book):
    dic, finance = Browser(app, "sotttt"), Browser(app, "taichinh")
    detail = f"/commissions/{book['proposed']}"
    before = state(app)
    response = dic.submit(detail, f"{detail}/documents", {"file": (io.BytesIO(b"MZ not a pdf"), "hop-dong.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "Nội dung tệp không phải PDF" in text(response)
    response = dic.submit(detail, f"{detail}/documents", {}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Chọn một tệp" in text(response)
    response = finance.submit(detail, f"{detail}/documents", {"file": (io.BytesIO(PDF_BYTES), "x.pdf")},
                              content_type="multipart/form-data")
    assert response.status_code == 403
    assert state(app) == before
    response = dic.submit(detail, f"{detail}/documents", {"file": (io.BytesIO(PDF_BYTES), "du-toan.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert "du-toan.pdf" in page
    link = re.search(r'href="(/documents/\d+)"', page).group(1)
    assert Browser(app, "kiemtoan").get(link).data == PDF_BYTES
    assert Browser(app, "donvi").get(link).status_code == 404


# --- deliverables: deliver, accept, reject ---------------------------------------------------

def test_delivery_with_evidence_and_its_refusals(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['signed']}"
    action = f"/deliverables/{book['owed']}/deliver"
    good = {"delivered_on": f"{YEAR}-02-01", "quantity": "10", "evidence_url": "https://baogialai.com.vn/bai-1",
            "note": "Đăng số báo 15/2"}
    before = state(app)
    for overrides, field, message in (
            ({"quantity": "11"}, "quantity", "Tối đa 10 theo đặt hàng."),
            ({"evidence_url": "javascript:alert(1)"}, "evidence_url", None),
            ({"delivered_on": "hôm qua"}, "delivered_on", "Ngày không hợp lệ")):
        response = dic.submit(detail, action, {**good, **overrides})
        assert response.status_code == 422, overrides
        page = text(response)
        assert f'data-field-error="{field}"' in page and (message is None or message in page)
        assert 'value="https://baogialai.com.vn/bai-1"' in page or field == "evidence_url"
        assert "Đăng số báo 15/2</textarea>" in page
    # a file that is not what it says: the delivery is not recorded either
    response = dic.submit(detail, action, {**good, "file": (io.BytesIO(b"MZ not a pdf"), "bai-bao.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "Nội dung tệp không phải PDF" in text(response)
    assert state(app) == before

    response = dic.submit(detail, action, {**good, "file": (io.BytesIO(PDF_BYTES), "bai-bao.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#d-{book['owed']}")
    found = deliverable(app, book["owed"])
    assert (found.status, found.delivered_quantity, found.evidence_url) == ("delivered", 10, good["evidence_url"])
    page = text(dic.get(detail))
    assert "Đã ghi nhận giao sản phẩm “Bài báo in”" in page and "bai-bao.pdf" in page
    assert page.count('data-testid="accept-form"') == 2 and 'data-testid="deliver-form"' not in page
    assert 'data-testid="overdue"' not in page  # delivered: no longer owed


def test_acceptance_and_its_refusals(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['signed']}"
    action = f"/deliverables/{book['delivered']}/accept"
    before = state(app)
    response = dic.submit(detail, action, {"accepted_on": f"{YEAR}-02-01", "accepted_quantity": "6",
                                           "record_no": "05/BB-NT"})
    assert response.status_code == 422
    page = text(response)
    assert "Không vượt số lượng đã giao (5)." in page and 'value="05/BB-NT"' in page and 'value="6"' in page
    response = dic.submit(detail, action, {"accepted_on": f"{YEAR}-02-01", "accepted_quantity": "4", "record_no": ""})
    assert response.status_code == 422 and 'data-field-error="record_no"' in text(response)
    response = dic.submit(detail, action, {"accepted_on": f"{YEAR}-01-05", "accepted_quantity": "4",
                                           "record_no": "05/BB-NT"})
    assert response.status_code == 422 and "Ngày nghiệm thu không trước ngày giao." in text(response)
    # accepting what was never delivered
    response = dic.submit(detail, f"/deliverables/{book['owed']}/accept",
                          {"accepted_on": f"{YEAR}-02-01", "accepted_quantity": "1", "record_no": "05/BB-NT"})
    assert response.status_code == 409 and "không thực hiện được thao tác này" in text(response)
    assert state(app) == before

    response = dic.submit(detail, action, {"accepted_on": f"{YEAR}-02-01", "accepted_quantity": "4",
                                           "record_no": "05/BB-NT"})
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert 'data-testid="accepted-value">12.000.000 ₫' in page and "05/BB-NT" in page
    assert deliverable(app, book["delivered"]).accepted_value == 12_000_000


def test_rejected_delivery_is_delivered_again(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['signed']}"
    action = f"/deliverables/{book['delivered']}/reject"
    before = state(app)
    response = dic.submit(detail, action, {"reason": "x"})
    assert response.status_code == 422 and 'data-field-error="reason"' in text(response)
    assert state(app) == before
    response = dic.submit(detail, action, {"reason": "Sai số liệu trong bài"})
    assert response.status_code == 302
    page = text(dic.get(detail))
    assert 'data-testid="delivery-reject-reason"' in page and "Sai số liệu trong bài" in page
    assert page.count('data-testid="deliver-form"') == 2  # owed again, as the other line
    response = dic.submit(detail, f"/deliverables/{book['delivered']}/deliver",
                          {"delivered_on": f"{YEAR}-03-01", "quantity": "5"})
    assert response.status_code == 302 and deliverable(app, book["delivered"]).status == "delivered"


def test_deliverable_evidence_after_delivery(app, book):
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['signed']}"
    action = f"/deliverables/{book['delivered']}/documents"
    before = state(app)
    response = dic.submit(detail, action, {}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Chọn một tệp" in text(response)
    assert state(app) == before
    response = dic.submit(detail, action, {"file": (io.BytesIO(PDF_BYTES), "bien-ban-nghiem-thu.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert "bien-ban-nghiem-thu.pdf" in text(dic.get(detail))


def test_deliveries_need_a_signed_contract(app, book):
    """The approved contract is not signed yet: its lines offer no form and refuse a forged post."""
    dic = Browser(app, "sotttt")
    detail = f"/commissions/{book['approved']}"
    assert 'data-testid="deliver-form"' not in text(dic.get(detail))
    with app.app_context():
        line = db.session.get(Commission, book["approved"]).deliverables[0].id
    before = state(app)
    response = dic.client.post(f"/deliverables/{line}/deliver", data={
        "csrf_token": csrf_of(dic.get(detail)), "delivered_on": f"{YEAR}-02-01", "quantity": "1"})
    assert response.status_code == 409 and "chưa ký hợp đồng" in text(response)
    assert state(app) == before


# --- lists -----------------------------------------------------------------------------------

def test_list_filters_and_pages(app, book):
    with app.app_context():
        dic, press = get_user_by_username("sotttt"), db.session.get(Allocation, book["press"])
        # a second press body, so that its list holds exactly these twenty
        outlet = services.create_supplier(None, name="Báo Nhân Dân", kind="press", tax_code="0100111034").id
        for index in range(20):
            services.propose_commission(
                dic, allocation_id=press.id, supplier_id=outlet, title=f"Tin bài số {index:02d}",
                method="bidding", topic="Chuyển đổi số" if index % 2 else "Du lịch", advance_limit_pct=0,
                deliverables=[_line("Tin", "online_article", 1, 1_000_000)])
        db.session.commit()
    dic = Browser(app, "sotttt")
    first = text(dic.get("/commissions"))
    assert first.count('data-testid="commission-row"') == 20 and "Tìm thấy 23 đặt hàng." in first
    second = text(dic.get("/commissions?page=2"))
    assert second.count('data-testid="commission-row"') == 3
    assert text(dic.get("/commissions?status=signed")).count('data-testid="commission-row"') == 1
    by_topic = text(dic.get("/commissions?topic=chuy%E1%BB%83n+%C4%91%E1%BB%95i"))
    assert by_topic.count('data-testid="commission-row"') == 11  # ten new ones and the first proposal
    by_supplier = text(dic.get(f"/commissions?supplier_id={outlet}&status=proposed&page=2"))
    assert by_supplier.count('data-testid="commission-row"') == 0 and "Tìm thấy 20 đặt hàng." in by_supplier
    assert f"supplier_id={outlet}" in text(dic.get(f"/commissions?supplier_id={outlet}"))
    finance = Browser(app, "taichinh")
    training = text(finance.get("/commissions?category=training&unit=STP"))
    assert training.count('data-testid="commission-row"') == 1 and "Bồi dưỡng kỹ năng" in training


def test_overdue_lists_owed_lines_of_live_contracts(app, book):
    page = text(Browser(app, "taichinh").get("/deliverables/overdue"))
    assert page.count('data-testid="overdue-row"') == 1
    assert "Bài báo in" in page and book["signed_number"] in page and "1 ngày" in page
    # a cancelled contract owes nothing
    with app.app_context():
        services.cancel_commission(get_user_by_username("sotttt"), db.session.get(Commission, book["signed"]),
                                   reason="Dừng thực hiện")
        db.session.commit()
    assert 'data-testid="empty-overdue"' in text(Browser(app, "sotttt").get("/deliverables/overdue"))
