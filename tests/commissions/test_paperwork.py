"""The commission's paperwork (issue 18): the acceptance minutes of an accepted deliverable and the
liquidation minutes of a closed contract, as PDF through the API and the pages, read back as text."""
import pytest

from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world
from tests.pdftext import pdf_text

YEAR = support.YEAR
NAME = "Nguyễn Thị Ửng Ỷ Ẫ Ặ Ộ Ợ Ự Đ đ"
SUPPLIER = f"Báo {NAME}"
TAX_CODE = "5900000018"
UNIT_PAGE = "quản trị viên cập nhật ở trang Đơn vị"
SUPPLIER_PAGE = "quản trị viên, Sở Tài chính hoặc cán bộ quản lý báo chí cập nhật ở trang Nhà cung cấp"
NO_ADDRESS = f"(chưa có địa chỉ đơn vị — {UNIT_PAGE})"
NO_HEAD = f"(chưa có họ tên thủ trưởng đơn vị — {UNIT_PAGE})"
NO_ACCOUNT = f"(chưa có số tài khoản của nhà cung cấp — {SUPPLIER_PAGE})"
NO_BANK = f"(chưa có ngân hàng nơi nhà cung cấp mở tài khoản — {SUPPLIER_PAGE})"


@saved_world(scope="module")
def _paperwork_world(app, _roles_world, _budget_world):
    return build_world(app, "paperwork", lambda: _build(_roles_world.clients(app), _budget_world.copy()),
                       base=_budget_world)


def _build(roles, budget):
    """A DIC press contract liquidated ("closed": its first product accepted at 100,000,000, the second
    rejected) and one only signed ("signed"), with a supplier whose bank details are not known yet."""
    finance, dic = roles["finance"], roles["dic"]
    supplier = builders.supplier(finance, name=SUPPLIER, code=TAX_CODE)["id"]
    allocation = budget.allocation("dic", "press")
    closed = builders.signed_commission(
        finance, dic, allocation, supplier,
        builders.item("Phóng sự =SUM(A1)", quantity=4, unit_price=25_000_000),
        builders.item("Video ngắn", kind="video", quantity=2, unit_price=5_000_000),
        title="Tuyên truyền chuyển đổi số")
    accepted, rejected = (d["id"] for d in closed["deliverables"])
    builders.deliver(dic, accepted, quantity=4)
    builders.accept(dic, accepted, accepted_quantity=4, record_no="15/BB-NT")
    builders.deliver(dic, rejected, quantity=2)
    builders.reject_delivery(dic, rejected)
    support.ok(dic.post(f"/api/v1/commissions/{closed['id']}/close", json={
        "liquidation_no": "03/BB-TL", "liquidated_on": f"{YEAR}-05-20"}), 200)
    signed = builders.signed_commission(finance, dic, allocation, supplier)
    return {"supplier": supplier, "closed": closed["id"], "number": closed["number"], "accepted": accepted,
            "rejected": rejected, "signed": signed["id"], "planned": signed["deliverables"][0]["id"]}


@pytest.fixture
def paperwork(_paperwork_world):
    return _paperwork_world.copy()


def _pdf(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    if status != 200:
        return response
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    return pdf_text(response.get_data())


def _fill_in(roles, paperwork):
    support.ok(roles["admin"].patch(f"/api/v1/units/{support.DIC_UNIT_CODE}", json={
        "address": "02 Trần Hưng Đạo, phường Quy Nhơn", "head_name": "Trần Văn Ẩn"}), 200)
    support.ok(roles["finance"].patch(f"/api/v1/suppliers/{paperwork['supplier']}", json={
        "bank_account": "0123456789", "bank_name": "Vietcombank chi nhánh Gia Lai"}), 200)


def test_the_acceptance_minutes_say_what_was_accepted_from_whom_under_which_contract(roles, paperwork):
    text = _pdf(roles["dic"], f"/api/v1/deliverables/{paperwork['accepted']}/acceptance.pdf")
    assert "BIÊN BẢN NGHIỆM THU" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Số: 15/BB-NT" in text
    assert "Hợp đồng số 05/2026/HĐ-ĐH ký ngày 01/02/2026" in text
    assert f"đặt hàng số {paperwork['number']}" in text and "Tuyên truyền chuyển đổi số" in text
    assert "Quyết định phê duyệt đơn giá số 12/QĐ-UBND ngày 05/01/2026" in text
    assert "BÊN A (bên đặt hàng): Sở Văn hóa, Thể thao và Du lịch" in text
    assert f"BÊN B (bên cung cấp): {SUPPLIER}" in text and f"Mã số thuế: {TAX_CODE}" in text
    assert "Phóng sự =SUM(A1)" in text and "Phóng sự, chương trình truyền hình" in text
    assert "4 (01/05/2026)" in text and "25.000.000 100.000.000" in text
    assert "Giá trị nghiệm thu: 100.000.000 đồng (bằng chữ: Một trăm triệu đồng)" in text
    assert "Ngày 02 tháng 05 năm 2026" in text and "ĐẠI DIỆN BÊN A" in text and "ĐẠI DIỆN BÊN B" in text


def test_what_the_records_lack_is_printed_in_its_place_and_listed_on_the_page(app, roles, paperwork):
    path = f"/api/v1/deliverables/{paperwork['accepted']}/acceptance.pdf"
    text = _pdf(roles["dic"], path)
    for missing in (NO_ADDRESS, NO_HEAD, NO_ACCOUNT, NO_BANK):
        assert missing in text
    page = support.text(support.Browser(app, "sotttt").get(f"/deliverables/{paperwork['accepted']}"))
    assert 'data-testid="acceptance-pdf-missing"' in page
    for missing in (NO_ADDRESS, NO_HEAD, NO_ACCOUNT, NO_BANK):
        assert missing.strip("()") in page

    _fill_in(roles, paperwork)
    text = _pdf(roles["dic"], path)
    assert "chưa có" not in text
    assert "Địa chỉ: 02 Trần Hưng Đạo, phường Quy Nhơn" in text and "Đại diện: Trần Văn Ẩn" in text
    assert "Số tài khoản: 0123456789" in text and "Tại: Vietcombank chi nhánh Gia Lai" in text
    page = support.text(support.Browser(app, "sotttt").get(f"/deliverables/{paperwork['accepted']}"))
    assert 'data-testid="acceptance-pdf"' in page and 'data-testid="acceptance-pdf-missing"' not in page


def test_the_liquidation_minutes_settle_the_contract_in_figures_and_words(roles, paperwork):
    _fill_in(roles, paperwork)
    text = _pdf(roles["dic"], f"/api/v1/commissions/{paperwork['closed']}/liquidation.pdf")
    assert "BIÊN BẢN THANH LÝ HỢP ĐỒNG" in text and "Số: 03/BB-TL" in text
    assert "Hợp đồng số 05/2026/HĐ-ĐH ngày 01/02/2026" in text and "Ngày 20 tháng 05 năm 2026" in text
    assert "Các biên bản nghiệm thu số 15/BB-NT" in text
    assert f"BÊN B (bên cung cấp): {SUPPLIER}" in text and f"Mã số thuế: {TAX_CODE}" in text
    assert "biên bản nghiệm thu số 15/BB-NT" in text and "Video ngắn" in text and "không đạt" in text
    assert "1 Phóng sự =SUM(A1)" in text and "4 4 25.000.000 100.000.000 0" in text
    assert "2 0 5.000.000 0 0" in text
    assert "Cộng 6 4 100.000.000 0" in text
    assert "Giá trị hợp đồng: 110.000.000 đồng (bằng chữ: Một trăm mười triệu đồng)" in text
    assert "Giá trị nghiệm thu: 100.000.000 đồng (bằng chữ: Một trăm triệu đồng)" in text
    assert "Đã thanh toán: 0 đồng (bằng chữ: Không đồng)" in text
    assert "Tạm ứng chưa thu hồi: 0 đồng" in text
    assert "Còn phải thanh toán: 100.000.000 đồng (bằng chữ: Một trăm triệu đồng)" in text
    assert "Đại diện: Trần Văn Ẩn" in text and "Trần Văn Ẩn" in text.split("ĐẠI DIỆN BÊN A")[-1]


def test_finance_and_auditors_read_them_another_unit_hears_404_and_anonymous_401(roles, paperwork):
    paths = (f"/api/v1/deliverables/{paperwork['accepted']}/acceptance.pdf",
             f"/api/v1/commissions/{paperwork['closed']}/liquidation.pdf")
    for path in paths:
        for reader in ("dic", "finance", "auditor"):
            assert "15/BB-NT" in _pdf(roles[reader], path)
        assert _pdf(roles["other_unit"], path, 404).get_json()["error"] == "not_found"
        assert _pdf(roles["unit"], path, 404).get_json()["error"] == "not_found"
        assert _pdf(roles["anonymous"], path, 401).get_json()["error"] == "unauthenticated"
        assert _pdf(roles["admin"], path, 403).get_json()["error"] == "forbidden"


def test_no_minutes_before_acceptance_or_liquidation(roles, paperwork):
    dic = roles["dic"]
    for path, words in ((f"/api/v1/deliverables/{paperwork['rejected']}/acceptance.pdf", "chưa được nghiệm thu"),
                        (f"/api/v1/deliverables/{paperwork['planned']}/acceptance.pdf", "chưa được nghiệm thu"),
                        (f"/api/v1/commissions/{paperwork['signed']}/liquidation.pdf", "chưa được thanh lý")):
        body = _pdf(dic, path, 409).get_json()
        assert body["error"] == "invalid_transition" and words in body["message"], body
    assert _pdf(dic, "/api/v1/deliverables/999999/acceptance.pdf", 404).get_json()["error"] == "not_found"


def test_shown_inline_or_saved_with_download(roles, paperwork):
    path = f"/api/v1/commissions/{paperwork['closed']}/liquidation.pdf"
    shown = roles["dic"].get(path)
    saved = roles["dic"].get(path + "?download=1")
    name = f"bien-ban-thanh-ly-{paperwork['number']}.pdf"
    assert shown.headers["Content-Disposition"] == f"inline; filename={name}"
    assert saved.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert saved.get_data() .startswith(b"%PDF-")
    assert roles["dic"].get(path + "?download=maybe").status_code == 422


def test_the_pages_serve_the_same_minutes_and_offer_them_only_when_they_exist(app, paperwork):
    dic = support.Browser(app, "sotttt")
    text = _pdf(dic, f"/deliverables/{paperwork['accepted']}/acceptance.pdf")
    assert "Số: 15/BB-NT" in text and "Một trăm triệu đồng" in text and NO_ACCOUNT in text
    text = _pdf(dic, f"/commissions/{paperwork['closed']}/liquidation.pdf?download=1")
    assert "Số: 03/BB-TL" in text and "Còn phải thanh toán: 100.000.000 đồng" in text

    closed = support.text(dic.get(f"/commissions/{paperwork['closed']}"))
    assert 'data-testid="liquidation-pdf"' in closed and 'data-testid="liquidation-pdf-missing"' in closed
    assert f'href="/commissions/{paperwork["closed"]}/liquidation.pdf?download=1"' in closed
    assert f'data-testid="acceptance-pdf-{paperwork["accepted"]}"' in closed
    assert f'data-testid="acceptance-pdf-{paperwork["rejected"]}"' not in closed
    signed = support.text(dic.get(f"/commissions/{paperwork['signed']}"))
    assert 'data-testid="liquidation-pdf"' not in signed
    rejected = support.text(dic.get(f"/deliverables/{paperwork['rejected']}"))
    assert 'data-testid="acceptance-pdf"' not in rejected

    assert dic.get(f"/commissions/{paperwork['signed']}/liquidation.pdf").status_code == 409
    other = support.Browser(app, "huyen")
    assert other.get(f"/deliverables/{paperwork['accepted']}/acceptance.pdf").status_code == 404
    assert other.get(f"/commissions/{paperwork['closed']}/liquidation.pdf").status_code == 404
    anonymous = app.test_client().get(f"/commissions/{paperwork['closed']}/liquidation.pdf")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
