"""Demo suppliers, commissions in every status and deliverables delivered, accepted, rejected and
overdue, made through the services by the demo's own people (DESIGN §1, issue 9).

Runs after the budgets' loader, on its allocations: the Sở Văn hóa, Thể thao và Du lịch (the DIC)
commissions the province's press body and a national outlet on its press allocations and an
IT-monitoring provider, won by bidding, on its IT allocation; the Sở Tư pháp commissions training on
its own. Called inside app.demo.load_demo()'s transaction (nothing is committed here).
"""
import io
from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.documents import save_document
from app.core.timeutil import business_day
from app.extensions import db
from app.units.models import Unit
from budgets.models import Allocation
from commissions import services

# The province's suppliers, (kind, name, tax code), kinds as in DESIGN §4; then a national outlet
# beside the province's own. The tax codes of the demo are illustrative: check them against the tax
# register before any real use.
SUPPLIERS = [
    ("press", "Báo và Phát thanh, Truyền hình Gia Lai", "5900181213"),
    ("it_service", "Công ty TNHH Giải pháp Dữ liệu Phố Núi", "5901112237"),
    ("training", "Trường Chính trị tỉnh Gia Lai", "5902258479"),
    ("other", "Công ty Cổ phần In Quy Nhơn - Chi nhánh Pleiku", "5900312547-001"),
]
# where payments go (example accounts); the national outlet's is left for the admin to fill
SUPPLIER_BANKS = {
    "5900181213": ("102010000456789", "Ngân hàng TMCP Công Thương Việt Nam, chi nhánh Gia Lai"),
    "5901112237": ("62110000987654", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam, chi nhánh Gia Lai"),
    "5902258479": ("9523.1.1077001", "Kho bạc Nhà nước khu vực XIV"),
    "5900312547-001": ("0051000123456", "Ngân hàng TMCP Ngoại thương Việt Nam, chi nhánh Quy Nhơn"),
}
NATIONAL_SUPPLIERS = [
    ("press", "Báo Nhân Dân", "0100111034"),
]
PRESS_BODY = "Báo và Phát thanh, Truyền hình Gia Lai"
NATIONAL_OUTLET = "Báo Nhân Dân"
MONITORING_PROVIDER = "Công ty TNHH Giải pháp Dữ liệu Phố Núi"
TRAINING_SCHOOL = "Trường Chính trị tỉnh Gia Lai"
PRICE_DECISION = ("25/QĐ-UBND", 1, 15)  # the province's decision approving press unit prices
TRAINING_PRICE_DECISION = ("08/QĐ-STP", 2, 3)

# the smallest PDF a reader opens: evidence attached to a contract and to a delivery
DEMO_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _line(title, kind, quantity, unit_price, due_date):
    return {"title": title, "kind": kind, "quantity": quantity, "unit_price": unit_price, "due_date": due_date}


def allocation_of(unit_code, category, decision_no=None):
    """The demo's first allocation of a unit in a category (under a decision, when named)."""
    stmt = (sa.select(Allocation).join(Unit, Unit.id == Allocation.unit_id)
            .where(Unit.code == unit_code, Allocation.category == category).order_by(Allocation.id))
    if decision_no:
        stmt = stmt.where(Allocation.decision_no == decision_no)
    return db.session.execute(stmt).scalars().first()


def load_suppliers(listed_on: date) -> dict:
    """The suppliers, listed on `listed_on` (the first working days of the year), one every 10 minutes."""
    made = {}
    for position, (kind, name, tax_code) in enumerate(SUPPLIERS + NATIONAL_SUPPLIERS):
        with business_day(listed_on, 9, 10 * position):
            bank_account, bank_name = SUPPLIER_BANKS.get(tax_code, (None, None))
            made[name] = services.create_supplier(None, name=name, kind=kind, tax_code=tax_code,
                                                  bank_account=bank_account, bank_name=bank_name)
    return made


def contracts_signed_by(year, today):
    """The day by which every demo contract is signed (the last signs on 20/03, or today when the
    year is younger): deliveries and payments are dated from it, never before their contract."""
    return min(date(year, 3, 20), today)


def load_commissions() -> dict:
    today = clock.today()
    year = today.year
    last_day = date(year, 12, 31)
    under_way = contracts_signed_by(year, today)

    def ago(days):
        """A date of the fiscal year `days` before today, never before every contract is signed."""
        return max(under_way, today - timedelta(days=days))

    def ahead(days):
        return min(last_day, today + timedelta(days=days))

    def on(month, day):
        return min(date(year, month, day), today)

    finance = get_user_by_username("taichinh")
    dic = get_user_by_username("sovhttdl")       # Sở Văn hóa, Thể thao và Du lịch (the DIC)
    stp = get_user_by_username("donvi")          # Sở Tư pháp
    suppliers = load_suppliers(on(1, 5))
    press_first = allocation_of("SVHTTDL", "press", "246/QĐ-STC")
    press_second = allocation_of("SVHTTDL", "press", "312/QĐ-STC")
    monitoring = allocation_of("SVHTTDL", "it_monitoring")
    training = allocation_of("STP", "training")

    # Each step's history is stamped on its business date, Việt Nam office hours (never after now).
    at = business_day

    def propose(actor, allocation, supplier, title, topic, lines, *, method="order", advance=30,
                price=PRICE_DECISION, proposed_on):
        priced = {}
        if method in ("order", "assignment"):
            number, month, day = price
            priced = {"price_decision_no": number, "price_decision_date": on(month, day)}
        with at(proposed_on, 9, 30):
            return services.propose_commission(
                actor, allocation_id=allocation.id, supplier_id=suppliers[supplier].id, title=title, method=method,
                topic=topic, advance_limit_pct=advance, deliverables=lines, **priced)

    def approve(commission, approved_on):
        with at(approved_on, 14):
            services.approve_commission(finance, commission)

    def sign(actor, commission, contract_no, signed_on, approved_on):
        approve(commission, approved_on)
        with at(signed_on, 10):
            services.sign_commission(actor, commission, contract_no=contract_no, signed_on=signed_on)
        return commission

    def deliver(actor, deliverable, delivered_on, quantity=None, url=None, evidence=None):
        with at(delivered_on, 11):
            services.deliver(actor, deliverable, delivered_on=delivered_on,
                             quantity=quantity or deliverable.quantity, evidence_url=url)
            if evidence:
                save_document(actor, "deliverable", deliverable.id, filename=evidence, stream=io.BytesIO(DEMO_PDF))

    def accept(actor, deliverable, accepted_on, record_no, quantity=None):
        with at(accepted_on, 15):
            services.accept(actor, deliverable, accepted_on=accepted_on,
                            accepted_quantity=quantity or deliverable.delivered_quantity, record_no=record_no)

    # --- signed, under way: the province's press body, one line accepted, one delivered, one overdue
    digital = propose(
        dic, press_first, PRESS_BODY,
        "Đặt hàng thông tin tuyên truyền thiết yếu về chuyển đổi số trên báo in, báo điện tử và truyền hình Gia Lai",
        "Chuyển đổi số",
        [_line("Tin, bài trên Báo Gia Lai điện tử về chuyển đổi số", "online_article", 40, 3_500_000, ago(60)),
         _line("Phóng sự truyền hình “Chuyển đổi số ở phường, xã”", "tv_segment", 12, 18_000_000, ahead(20)),
         _line("Bài chuyên đề trên Báo Gia Lai in", "print_article", 24, 2_500_000, ago(15))],
        proposed_on=on(1, 28))
    sign(dic, digital, f"12/{year}/HĐ-ĐH", on(2, 10), approved_on=on(2, 5))
    with at(on(2, 10), 10, 30):
        save_document(dic, "commission", digital.id, filename="hop-dong-12-dat-hang.pdf",
                      stream=io.BytesIO(DEMO_PDF))
    articles, segments, _print = digital.deliverables
    deliver(dic, articles, ago(70), url="https://baogialai.com.vn/chuyen-de/chuyen-doi-so",
            evidence="danh-sach-tin-bai.pdf")
    accept(dic, articles, ago(65), "07/BB-NT")
    deliver(dic, segments, ago(5), quantity=10, url="https://baogialai.com.vn/video/chuyen-doi-so")

    # --- closed and liquidated: radio and infographics, accepted in part ---------------------------
    radio = propose(
        dic, press_second, PRESS_BODY, "Chương trình phát thanh và infographic phổ biến chính sách pháp luật mới",
        "Phổ biến, giáo dục pháp luật",
        [_line("Chương trình phát thanh “Pháp luật và đời sống”", "radio_segment", 10, 8_000_000, ago(90)),
         _line("Infographic chính sách mới trên Báo Gia Lai điện tử", "infographic", 20, 2_000_000, ago(90))],
        proposed_on=on(1, 8))
    sign(dic, radio, f"05/{year}/HĐ-ĐH", on(1, 20), approved_on=on(1, 14))
    programmes, graphics = radio.deliverables
    deliver(dic, programmes, ago(100))
    accept(dic, programmes, ago(98), "03/BB-NT")
    deliver(dic, graphics, ago(100))
    accept(dic, graphics, ago(98), "04/BB-NT", quantity=18)
    with at(ago(95), 16):
        services.close_commission(dic, radio, liquidation_no="02/BB-TL", liquidated_on=ago(95))

    # --- proposed, waiting for finance: the national outlet ------------------------------------------
    propose(dic, press_second, NATIONAL_OUTLET,
            "Đặt hàng Báo Nhân Dân giới thiệu tiềm năng du lịch, đầu tư của Gia Lai",
            "Văn hóa, du lịch",
            [_line("Bài viết trên Báo Nhân Dân điện tử", "online_article", 20, 5_000_000, ahead(25))],
            proposed_on=ago(6))

    # --- rejected by finance --------------------------------------------------------------------------
    duplicate = propose(dic, press_second, NATIONAL_OUTLET,
                        "Phóng sự truyền hình về chính sách hỗ trợ đồng bào dân tộc", "Chính sách dân tộc",
                        [_line("Phóng sự trên kênh truyền hình Nhân Dân", "tv_segment", 4, 20_000_000, ahead(25))],
                        proposed_on=ago(12))
    with at(ago(9), 14, 30):
        services.reject_commission(
            finance, duplicate,
            reason="Nội dung trùng với phóng sự trong hợp đồng đặt hàng Báo và Phát thanh, Truyền hình Gia Lai; "
                   "đề nghị lồng ghép, không đặt hàng riêng.")

    # --- approved, then cancelled ---------------------------------------------------------------------
    video = propose(dic, press_second, PRESS_BODY, "Video ngắn tuyên truyền phòng, chống lừa đảo trực tuyến",
                    "Phòng, chống lừa đảo trực tuyến",
                    [_line("Video ngắn trên nền tảng số của Báo Gia Lai", "video", 5, 12_000_000, ahead(25))],
                    proposed_on=ago(30))
    approve(video, ago(27))
    with at(ago(20), 10):
        services.cancel_commission(dic, video, reason="Công an tỉnh đã sản xuất loạt video cùng nội dung; "
                                                      "không thực hiện để tránh trùng lặp.")

    # --- approved, funds committed, contract not yet signed -------------------------------------------
    social = propose(dic, press_second, PRESS_BODY, "Tuyên truyền cải cách thủ tục hành chính trên mạng xã hội",
                     "Cải cách hành chính",
                     [_line("Bài đăng trên trang mạng xã hội của Báo Gia Lai", "social_post", 60, 1_000_000,
                            ahead(25))],
                     proposed_on=ago(8))
    approve(social, ago(4))

    # --- IT monitoring, won by bidding: accepted, rejected (owed again, overdue), delivered, planned ---
    listening = propose(
        dic, monitoring, MONITORING_PROVIDER,
        "Thuê dịch vụ lắng nghe mạng xã hội, phân tích xu hướng, thăm dò dư luận và đánh giá hiệu quả truyền thông",
        "Nắm bắt dư luận về chính sách của tỉnh",
        [_line("Báo cáo lắng nghe mạng xã hội hằng quý (quý I–III)", "monitoring_report", 3, 40_000_000, ago(40)),
         _line("Báo cáo phân tích xu hướng thông tin 6 tháng", "trend_analysis", 1, 60_000_000, ago(30)),
         _line("Khảo sát dư luận xã hội về chính sách (2 đợt)", "opinion_poll", 2, 80_000_000, ago(3)),
         _line("Đánh giá hiệu quả truyền thông chính sách năm", "impact_assessment", 1, 90_000_000, ahead(25))],
        method="bidding", advance=20, proposed_on=on(2, 20))
    sign(dic, listening, f"21/{year}/HĐ-DV", on(3, 2), approved_on=on(2, 26))
    reports, trends, polls, _impact = listening.deliverables
    deliver(dic, reports, ago(45), evidence="bao-cao-lang-nghe-quy-1-3.pdf")
    accept(dic, reports, ago(42), "11/BB-NT")
    deliver(dic, trends, ago(35))
    with at(ago(33), 15):
        services.reject_delivery(dic, trends,
                                 reason="Chưa phân tích theo địa bàn phường, xã; thiếu nguồn báo chí địa phương.")
    deliver(dic, polls, ago(2), url="https://khaosat.gialai.gov.vn/ket-qua-dot-1-2")

    # --- a unit's training commission (Sở Tư pháp) -----------------------------------------------------
    course = propose(
        stp, training, TRAINING_SCHOOL, "Bồi dưỡng kỹ năng truyền thông chính sách pháp luật cho cán bộ các sở, ngành",
        "Kỹ năng truyền thông chính sách, phát ngôn và cung cấp thông tin",
        [_line("Lớp bồi dưỡng kỹ năng truyền thông chính sách (2 ngày)", "training_course", 2, 45_000_000, ago(20)),
         _line("Hội thảo chia sẻ kinh nghiệm phát ngôn", "workshop", 1, 25_000_000, ahead(15))],
        method="assignment", advance=50, price=TRAINING_PRICE_DECISION, proposed_on=on(3, 9))
    sign(stp, course, f"03/{year}/HĐ-ĐT", on(3, 20), approved_on=on(3, 16))
    classes, _workshop = course.deliverables
    deliver(stp, classes, ago(25), evidence="danh-sach-hoc-vien.pdf")
    accept(stp, classes, ago(22), "01/BB-NT")

    return {"signed": digital, "closed": radio, "rejected": duplicate, "cancelled": video, "approved": social,
            "bidding": listening, "training": course}
