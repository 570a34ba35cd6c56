"""Demo envelopes, funding requests in every status and allocations, made through the services.

Called by app.demo.load_demo() inside its transaction (nothing is committed here).
"""
from datetime import date, timedelta

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.timeutil import business_day
from budgets import services

# Mục lục ngân sách of the DIC's allocations (example codes: check them against the province's
# estimate decision before real use), with the source "12" (kinh phí không giao tự chủ)
DIC_BUDGET_CODES = {"chapter_code": "423", "type_code": "160", "item_code": "161", "section_code": "7000",
                    "subsection_code": "7049", "source_code": "12"}


def _line(category, description, quantity, unit_cost):
    return {"category": category, "description": description, "quantity": quantity, "unit_cost": unit_cost}


def load_budgets() -> dict:
    """Returns the records made, by a short name (other demo loaders build on them)."""
    today = clock.today()
    year = today.year

    def on(month, day):
        """A date of this fiscal year, never after today (decisions are not dated in the future)."""
        return min(date(year, month, day), today)

    def ago(days):
        """A date of this fiscal year `days` before today (the recent work of the queues)."""
        return max(date(year, 1, 2), today - timedelta(days=days))

    def at(day, hour=9, minute=0):
        """The history of a step stamped on its business date, Việt Nam time (never after now)."""
        return business_day(day, hour, minute)

    finance = get_user_by_username("taichinh")
    stp = get_user_by_username("donvi")          # Sở Tư pháp
    annhon = get_user_by_username("annhon")      # UBND phường An Nhơn
    dic = get_user_by_username("sovhttdl")       # Sở Văn hóa, Thể thao và Du lịch (the DIC)

    # --- envelopes (dự toán giao), one with a supplement -------------------------------------
    with at(date(year - 1, 12, 11), 9, 15):
        policy = services.create_envelope(
            finance, fiscal_year=year, code="TTCS", name="Kinh phí truyền thông chính sách",
            amount=5_000_000_000, decision_no="3456/QĐ-UBND", decision_date=date(year - 1, 12, 10))
    with at(on(4, 16), 10):
        services.add_supplement(finance, policy.id, amount=1_200_000_000,
                                decision_no="1020/QĐ-UBND", decision_date=on(4, 15))
    with at(date(year - 1, 12, 11), 9, 40):
        press = services.create_envelope(
            finance, fiscal_year=year, code="TTTY",
            name="Kinh phí đặt hàng thông tin tuyên truyền thiết yếu",
            amount=3_000_000_000, decision_no="3457/QĐ-UBND", decision_date=date(year - 1, 12, 10))
    with at(on(2, 20), 15):
        monitoring_envelope = services.create_envelope(
            finance, fiscal_year=year, code="CNTT-RQ",
            name="Kinh phí thuê dịch vụ CNTT rà quét, phân tích thông tin",
            amount=1_500_000_000, decision_no="215/QĐ-UBND", decision_date=on(2, 20))

    def request(actor, title, lines, justification, letter_no, drafted_on):
        with at(drafted_on, 8, 30):
            return services.create_request(actor, fiscal_year=year, title=title, lines=lines,
                                           justification=justification, letter_no=letter_no)

    # --- approved, in part, with an allocation adjusted afterwards (STP) ----------------------
    training = request(
        stp, f"Tập huấn kỹ năng truyền thông chính sách pháp luật năm {year}",
        [_line("training", "Lớp tập huấn cho đội ngũ truyền thông chính sách các sở, ngành (2 ngày)", 3, 60_000_000),
         _line("training", "Biên soạn, in tài liệu tập huấn", 300, 85_000),
         _line("other", "Khảo sát, đánh giá hiệu quả truyền thông sau tập huấn", 1, 45_000_000)],
        "Thực hiện Công văn của UBND tỉnh về xây dựng đội ngũ truyền thông chính sách chuyên trách, "
        "chuyên nghiệp; nâng cao kỹ năng phát ngôn, cung cấp thông tin cho báo chí.",
        "152/STP-VP", on(2, 23))
    with at(on(2, 24), 14):
        services.submit_request(stp, training)
    with at(on(3, 5), 10):
        training_allocation = services.create_allocation(
            finance, envelope_id=policy.id, unit_code="STP", request_id=training.id, category="training",
            amount=150_000_000, decision_no="245/QĐ-STC", decision_date=on(3, 5),
            chapter_code="418", type_code="340", item_code="341", section_code="7000", subsection_code="7049",
            source_code="12")
    with at(on(4, 8), 15):
        services.adjust_allocation(
            finance, training_allocation.id, amount=-20_000_000,
            reason="Giảm 01 lớp tập huấn do ghép lớp với Sở Nội vụ", decision_no="301/QĐ-STC")

    # --- approved in full, in two allocations (DIC, press commissioning) ----------------------
    newspaper = request(
        dic, "Đặt hàng Báo và Phát thanh, Truyền hình Gia Lai thông tin tuyên truyền thiết yếu về chính sách mới",
        [_line("press", "Tin, bài trên báo in và báo điện tử Gia Lai về chính sách mới", 120, 3_500_000),
         _line("press", "Phóng sự phát trên sóng truyền hình Gia Lai", 24, 18_000_000)],
        "Đặt hàng cơ quan báo chí thực hiện nhiệm vụ thông tin tuyên truyền thiết yếu theo kế hoạch của tỉnh.",
        "88/SVHTTDL-QLBC", on(2, 25))
    with at(on(2, 26), 10):
        services.submit_request(dic, newspaper)
    with at(on(3, 5), 10, 30):
        services.create_allocation(
            finance, envelope_id=press.id, unit_code="SVHTTDL", request_id=newspaper.id, category="press",
            amount=420_000_000, decision_no="246/QĐ-STC", decision_date=on(3, 5), **DIC_BUDGET_CODES)
    with at(on(5, 20), 14):
        services.create_allocation(
            finance, envelope_id=press.id, unit_code="SVHTTDL", request_id=newspaper.id, category="press",
            amount=432_000_000, decision_no="312/QĐ-STC", decision_date=on(5, 20), **DIC_BUDGET_CODES)

    # --- submitted, waiting in the finance queue (DIC, IT monitoring) -------------------------
    monitoring = request(
        dic, "Thuê dịch vụ rà quét, phân tích xu hướng thông tin trên không gian mạng",
        [_line("it_monitoring", "Dịch vụ rà quét, phân tích thông tin (12 tháng)", 12, 45_000_000),
         _line("it_monitoring", "Thăm dò dư luận xã hội về chính sách (2 đợt)", 2, 80_000_000)],
        "Nắm bắt kịp thời dư luận, xu hướng thông tin để định hướng truyền thông chính sách.",
        "102/SVHTTDL-QLBC", ago(9))
    with at(ago(7), 10):
        services.submit_request(dic, monitoring)

    # --- returned with a reason (An Nhơn) -----------------------------------------------------
    digital = request(
        annhon, "Truyền thông chính sách chuyển đổi số đến người dân các phường, xã",
        [_line("operations", "Pano, áp phích tuyên truyền tại các phường, xã", 15, 6_000_000),
         _line("training", "Hội nghị phổ biến chính sách cho cán bộ cơ sở", 2, 35_000_000)],
        "Tuyên truyền Đề án chuyển đổi số của tỉnh đến người dân.", "56/UBND-VP", ago(20))
    with at(ago(19), 9, 30):
        services.submit_request(annhon, digital)
    with at(ago(14), 15, 30):
        services.return_request(
            finance, digital,
            reason="Đề nghị bổ sung dự toán chi tiết hội nghị (số đại biểu, định mức chi) và "
                   "văn bản phê duyệt kế hoạch tuyên truyền của phường.")

    # --- rejected (An Nhơn) -------------------------------------------------------------------
    equipment = request(
        annhon, "Mua sắm màn hình LED ngoài trời phục vụ tuyên truyền",
        [_line("other", "Màn hình LED ngoài trời 20 m²", 1, 850_000_000)],
        "Trang bị màn hình LED tại trung tâm phường.", "61/UBND-VP", on(3, 10))
    with at(on(3, 11), 10):
        services.submit_request(annhon, equipment)
    with at(on(3, 18), 14, 30):
        services.reject_request(
            finance, equipment,
            reason="Mua sắm tài sản cố định không thuộc nội dung chi truyền thông chính sách; "
                   "đề nghị lập dự toán mua sắm theo quy định riêng.")

    # --- withdrawn (STP) ----------------------------------------------------------------------
    leaflets = request(
        stp, "In tờ gấp tuyên truyền Luật Hòa giải ở cơ sở",
        [_line("operations", "In tờ gấp khổ A4, 4 màu", 20_000, 2_500)],
        "Phục vụ Ngày Pháp luật Việt Nam.", "160/STP-PBGDPL", on(3, 2))
    with at(on(3, 9), 11):
        services.withdraw_request(stp, leaflets)

    # --- draft (STP) --------------------------------------------------------------------------
    survey = request(
        stp, "Khảo sát ý kiến người dân về dự thảo chính sách hỗ trợ pháp lý cho doanh nghiệp",
        [_line("other", "Phiếu khảo sát trực tiếp tại 20 xã, phường", 1_100, 60_000),
         _line("other", "Tổng hợp, phân tích kết quả khảo sát", 1, 25_000_000)],
        "Lấy ý kiến đối tượng chịu tác động trước khi trình HĐND tỉnh.", None, ago(3))

    # --- an allocation without a request (operations of the DIC) -------------------------------
    with at(on(3, 5), 11):
        services.create_allocation(
            finance, envelope_id=policy.id, unit_code="SVHTTDL", category="operations",
            amount=300_000_000, decision_no="247/QĐ-STC", decision_date=on(3, 5), **DIC_BUDGET_CODES)

    # --- an allocation without a request (IT monitoring of the DIC, commissioned by bidding) -----
    with at(on(5, 25), 15):
        monitoring_allocation = services.create_allocation(
            finance, envelope_id=monitoring_envelope.id, unit_code="SVHTTDL", category="it_monitoring",
            amount=700_000_000, decision_no="318/QĐ-STC", decision_date=on(5, 25))

    return {
        "envelopes": {"policy": policy, "press": press, "monitoring": monitoring_envelope},
        "requests": {"approved_partial": training, "approved_full": newspaper,
                     "submitted": monitoring, "returned": digital, "rejected": equipment,
                     "withdrawn": leaflets, "draft": survey},
        "allocations": {"training": training_allocation, "monitoring": monitoring_allocation},
    }

