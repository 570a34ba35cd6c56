"""The demo province's year of activity: the ~26 units beside finance, the DIC, Sở Tư pháp and An Nhơn
(whose hand-made stories are budgets/demo.py, commissions/demo.py and commissions/expenditures/demo.py)
each request, receive, commission and spend through the services, by their own officer (app/demo.py's
`unit_officers`), so that the lists, dashboards and charts of a first visit look like a real province:
requests in every status, allocations for most units with adjustments and transfers, commissions in
every status with deliverables planned, delivered, accepted, rejected and overdue, and direct spending
every month from January to the last day before today.

The plan follows benchmarks/generate_province.py's idea (a fixed plan, spread over the year), but on
the days that have passed: every date is a fraction of the way from 1 January to yesterday (`day`),
so the order of the steps holds on 15 January as on 2 December, and nothing is dated after today.
Called at the end of `load_expenditures`, inside app.demo.load_demo()'s transaction.
"""
import io
from datetime import date, timedelta
from fractions import Fraction

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.documents import save_document
from app.core.timeutil import business_day
from app.demo import CENTRAL_AGENCIES, DEPARTMENTS, LOCAL_GOVERNMENTS, unit_officers
from app.extensions import db
from budgets import services as budgets
from commissions import services as commissions
from commissions.demo import DEMO_PDF
from commissions.expenditures.services import post_expenditure, reverse_expenditure

UNIT_NAMES = dict(DEPARTMENTS + LOCAL_GOVERNMENTS + CENTRAL_AGENCIES)

# What each department and agency communicates; the communes and wards share LOCAL_TOPICS.
TOPICS = {
    "SKHCN": "chuyển đổi số và đổi mới sáng tạo",
    "SNV": "sắp xếp tổ chức bộ máy và chính quyền địa phương hai cấp",
    "SYT": "bảo hiểm y tế toàn dân và phòng, chống dịch bệnh",
    "SGDDT": "chương trình giáo dục phổ thông và tuyển sinh",
    "SNNMT": "phát triển cà phê, hồ tiêu bền vững và bảo vệ rừng",
    "SXD": "nhà ở xã hội và quy hoạch đô thị",
    "SCT": "xúc tiến thương mại và phòng, chống hàng giả",
    "SDTTG": "chính sách dân tộc và tín ngưỡng, tôn giáo",
    "VPUBND": "cải cách thủ tục hành chính và Cổng dịch vụ công",
    "THUE": "hóa đơn điện tử và kê khai thuế của hộ kinh doanh",
    "KBNN": "dịch vụ công trực tuyến của Kho bạc",
    "BHXH": "bảo hiểm xã hội tự nguyện",
    "CAT": "phòng, chống lừa đảo trực tuyến và an toàn giao thông",
}
LOCAL_TOPICS = ("chính quyền địa phương hai cấp gần dân", "xây dựng nông thôn mới",
                "chuyển đổi số ở cơ sở", "phòng, chống thiên tai", "giảm nghèo bền vững",
                "bảo vệ môi trường và phân loại rác tại nguồn")

# Suppliers the units commission their `other` work from (kind `other` fits every category).
LOCAL_SUPPLIERS = [
    ("other", "Trung tâm Văn hóa - Điện ảnh tỉnh Gia Lai", "5900234561"),
    ("other", "Công ty Cổ phần Quảng cáo và Truyền thông Quy Nhơn", "4101456782"),
    ("other", "Trường Đại học Quy Nhơn", "4100256703"),
    ("other", "Công ty TNHH Sự kiện Cao Nguyên Xanh", "5901334455"),
]
VENDORS = ("Công ty Cổ phần In Quy Nhơn - Chi nhánh Pleiku", "Hộ kinh doanh Quảng cáo Minh Phát",
           "Công ty TNHH Thương mại Dịch vụ Hoàng Anh Gia Lai", "Nhà văn hóa phường",
           "Công ty TNHH Âm thanh Ánh sáng Phố Núi")
DIRECT_WORK = ("In tờ gấp, áp phích tuyên truyền về {topic}",
               "Hội nghị phổ biến, đối thoại chính sách về {topic}",
               "Thuê âm thanh, phông, bục phục vụ tuyên truyền lưu động",
               "Làm mới pano tuyên truyền về {topic}",
               "Viết, biên tập tin bài cho trang thông tin điện tử của đơn vị",
               "Xe tuyên truyền lưu động đến các thôn, làng, tổ dân phố")
# The second requests, filed late in the year by the first six units, in the states the first keep out of.
SECOND_STATES = ("draft", "submitted", "returned", "rejected", "withdrawn", "submitted")
# First requests of the units from 20 on: the queues of finance and the units' pages.
LATE_STATES = ("submitted", "returned", "rejected", "draft", "submitted", "returned")
APPROVED_UNITS = 20     # units 0..19 receive allocations
COMMISSIONING_UNITS = 14  # units 0..13 commission their `other` work
# commission plan by unit index: signed, closed, proposed, approved, rejected
COMMISSION_PLAN = ("signed",) * 7 + ("closed", "closed", "proposed", "proposed", "approved", "rejected", "signed")


def _millions(value: Fraction | int) -> int:
    """A demo amount in whole millions of đồng, rounded half to even, in exact arithmetic."""
    return round(Fraction(value) / 1_000_000) * 1_000_000


def load_province() -> dict:
    today = clock.today()
    year = today.year
    first = date(year, 1, 1)
    last = max(first, today - timedelta(days=1))  # nothing on the day it is loaded (but on 1 January)
    span = (last - first).days
    finance = get_user_by_username("taichinh")
    officers = [(code, get_user_by_username(username)) for username, _, _, code in unit_officers()]
    at = business_day

    def day(fraction: float) -> date:
        """The day `fraction` of the way from 1 January to yesterday."""
        return first + timedelta(days=round(span * min(max(fraction, 0.0), 1.0)))

    def topic_of(index, code):
        return TOPICS.get(code) or LOCAL_TOPICS[index % len(LOCAL_TOPICS)]

    made = {"requests": {}, "allocations": {}, "commissions": {}, "expenditures": []}

    # --- the envelope of the units' communication, with a supplement mid-year ----------------------
    with at(date(year - 1, 12, 12), 10):
        envelope = budgets.create_envelope(
            finance, fiscal_year=year, code="TTCS-DV",
            name="Kinh phí truyền thông chính sách của các sở, ngành, địa phương",
            amount=9_000_000_000, decision_no="3460/QĐ-UBND", decision_date=date(year - 1, 12, 10))
    with at(day(0.5), 14):
        budgets.add_supplement(finance, envelope.id, amount=2_500_000_000, decision_no="1785/QĐ-UBND",
                               decision_date=day(0.5))
    suppliers = []
    for position, (kind, name, tax_code) in enumerate(LOCAL_SUPPLIERS):
        with at(first + timedelta(days=min(span, 4)), 10, 10 * position):
            suppliers.append(commissions.create_supplier(None, name=name, kind=kind, tax_code=tax_code))

    # --- the first request of every unit --------------------------------------------------------------
    def lines_for(index, topic, scale):
        return [
            {"category": "operations", "description": f"In tờ gấp, áp phích, pano tuyên truyền về {topic}",
             "quantity": 10 + index % 7, "unit_cost": _millions(6_000_000 * scale)},
            {"category": "operations", "description": "Hội nghị phổ biến, đối thoại chính sách với người dân",
             "quantity": 4, "unit_cost": _millions(30_000_000 * scale)},
            {"category": "other", "description": f"Sản xuất video, ấn phẩm truyền thông về {topic}",
             "quantity": 1, "unit_cost": _millions(260_000_000 * scale)},
        ]

    def request(index, code, actor, title, lines, letter_no, drafted_on):
        with at(drafted_on, 8, 30 + index % 25):
            return budgets.create_request(actor, fiscal_year=year, title=title, lines=lines, letter_no=letter_no,
                                          justification=f"Thực hiện Kế hoạch truyền thông chính sách năm {year} "
                                                        f"của UBND tỉnh Gia Lai; {UNIT_NAMES[code]}.")

    def settle(index, actor, req, state, decided_on):
        """Moves a filed request to `state` (draft, submitted, returned, rejected, withdrawn)."""
        if state == "draft":
            return
        if state == "withdrawn":
            with at(decided_on, 11):
                budgets.withdraw_request(actor, req)
            return
        with at(decided_on, 9, 15):
            budgets.submit_request(actor, req)
        if state == "returned":
            with at(decided_on, 15, 30):
                budgets.return_request(finance, req, reason="Đề nghị bổ sung kế hoạch truyền thông được phê duyệt "
                                                            "và thuyết minh định mức chi hội nghị.")
        elif state == "rejected":
            with at(decided_on, 16):
                budgets.reject_request(finance, req, reason="Nội dung đã được bố trí trong dự toán chi thường "
                                                            "xuyên của đơn vị; không bổ sung kinh phí.")

    plans = []
    for index, (code, actor) in enumerate(officers):
        topic = topic_of(index, code)
        scale = 1 if code in TOPICS else Fraction(4, 5)
        lines = lines_for(index, topic, scale)
        drafted = day(0.01 + 0.001 * index)
        req = request(index, code, actor, f"Truyền thông chính sách về {topic} năm {year}", lines,
                      f"{20 + index}/{code}-VP", drafted)
        made["requests"][code] = req
        plans.append({"index": index, "code": code, "actor": actor, "topic": topic, "request": req, "lines": lines})
        if index >= APPROVED_UNITS:
            settle(index, actor, req, LATE_STATES[(index - APPROVED_UNITS) % len(LATE_STATES)],
                   day(0.8 + 0.01 * index / 2))
            continue
        with at(day(0.02 + 0.001 * index), 9, 15):
            budgets.submit_request(actor, req)

    # --- allocations: most in full, every fourth in part -----------------------------------------
    for plan in plans[:APPROVED_UNITS]:
        index, code = plan["index"], plan["code"]
        part = Fraction(3, 4) if index % 4 == 1 else 1
        operations = sum(ln["quantity"] * ln["unit_cost"] for ln in plan["lines"] if ln["category"] == "operations")
        other = sum(ln["quantity"] * ln["unit_cost"] for ln in plan["lines"] if ln["category"] == "other")
        decided = day(0.05 + 0.002 * index)
        allocated = {}
        for n, (category, amount) in enumerate((("operations", operations), ("other", other))):
            with at(decided, 10, 10 * n + index % 10):
                allocated[category] = budgets.create_allocation(
                    finance, envelope_id=envelope.id, unit_code=code, request_id=plan["request"].id,
                    category=category, amount=_millions(amount * part), decision_no=f"{400 + 2 * index + n}/QĐ-STC",
                    decision_date=decided, source_code="12")
        plan["allocations"] = allocated
        made["allocations"][code] = allocated

    # --- adjustments and transfers (điều chỉnh dự toán), before anything is spent -----------------
    with at(day(0.45), 15):
        budgets.adjust_allocation(finance, plans[1]["allocations"]["operations"].id, amount=20_000_000,
                                  reason="Bổ sung kinh phí hội nghị đối thoại theo kết luận của UBND tỉnh",
                                  decision_no="612/QĐ-STC")
    with at(day(0.55), 15):
        budgets.adjust_allocation(finance, plans[3]["allocations"]["operations"].id, amount=-30_000_000,
                                  reason="Giảm do lồng ghép hội nghị với chương trình của tỉnh",
                                  decision_no="688/QĐ-STC")
    for n, (source, target) in enumerate(((2, 5), (7, 9))):
        moved_on = day(0.6 + 0.1 * n)
        with at(moved_on, 10):
            budgets.transfer_between_allocations(
                finance, from_allocation_id=plans[source]["allocations"]["operations"].id,
                to_allocation_id=plans[target]["allocations"]["operations"].id, amount=25_000_000,
                decision_no=f"{700 + n}/QĐ-STC", decision_date=moved_on,
                reason="Điều chuyển kinh phí tuyên truyền lưu động giữa các đơn vị theo tiến độ thực hiện")

    # --- second requests late in the year, in the states the first do not show ---------------------
    for n, state in enumerate(SECOND_STATES):
        plan = plans[n]
        filed = day(0.86 + 0.01 * n)
        req = request(n, plan["code"], plan["actor"], f"Bổ sung kinh phí tuyên truyền {plan['topic']} cuối năm",
                      lines_for(n, plan["topic"], Fraction(3, 10))[:2], f"{120 + n}/{plan['code']}-VP", filed)
        settle(n, plan["actor"], req, state, day(0.9 + 0.01 * n))

    # --- direct spending on the operations allocations, month by month --------------------------------
    documents = 0
    for plan in plans[:APPROVED_UNITS]:
        index, code, actor = plan["index"], plan["code"], plan["actor"]
        allocation = plan["allocations"]["operations"]
        db.session.refresh(allocation)  # adjusted and transferred by guarded UPDATEs above
        base = allocation.amount // 13  # twelve months at most of at most one base each: never over the amount
        start = allocation.decision_date
        for month in range(1, last.month + 1):
            paid_on = max(date(year, month, 2 + (index * 7 + month * 3) % 26), start)
            if paid_on > last or paid_on.month != month:
                continue
            amount = _millions(base * Fraction(5 + (index + month) % 6, 10))
            work = DIRECT_WORK[(index + month) % len(DIRECT_WORK)].format(topic=plan["topic"])
            with at(paid_on, 14, (index * 2) % 50):
                entry = post_expenditure(actor, allocation_id=allocation.id, kind="direct", amount=amount,
                                         paid_on=paid_on, voucher_no=f"C{month:02d}-{index:02d}/{code}",
                                         payee=VENDORS[(index + month) % len(VENDORS)], description=work)
                if (index + month) % 5 == 0:  # one in five with its voucher scanned
                    save_document(actor, "expenditure", entry.id, filename=f"chung-tu-{entry.voucher_no}.pdf"
                                  .replace("/", "-"), stream=io.BytesIO(DEMO_PDF))
                    documents += 1
            made["expenditures"].append(entry)
    # one entered twice and reversed by finance the next day
    twice_unit = plans[4]
    twice_on = day(0.7)
    with at(twice_on, 16):
        twice = post_expenditure(twice_unit["actor"], allocation_id=twice_unit["allocations"]["operations"].id,
                                 kind="direct", amount=5_000_000, paid_on=twice_on,
                                 voucher_no=f"C-TRUNG/{twice_unit['code']}", payee=VENDORS[0],
                                 description="In tờ gấp tuyên truyền (ghi trùng chứng từ)")
    with at(min(last, twice_on + timedelta(days=1)), 9, 30):
        reverse_expenditure(finance, twice, reason="Ghi trùng chứng từ đã hạch toán trong tháng.")
    made["expenditures"].append(twice)

    # --- commissions of the units' `other` work -----------------------------------------------------
    for plan in plans[:COMMISSIONING_UNITS]:
        index, code, actor = plan["index"], plan["code"], plan["actor"]
        state = COMMISSION_PLAN[index]
        allocation = plan["allocations"]["other"]
        value = _millions(allocation.amount * Fraction(9, 10))
        a, b = _millions(value * Fraction(2, 5)), _millions(value * Fraction(7, 20))
        c = value - a - b
        late = state in ("proposed", "approved", "rejected")
        proposed_on = day(0.85 + 0.01 * index) if late else day(0.08 + 0.01 * index)
        early = state == "closed"
        due_c = today + timedelta(days=30) if index % 2 == 0 or early else day(0.9)
        lines = [
            {"title": f"Video ngắn tuyên truyền về {plan['topic']}", "kind": "other", "quantity": 4,
             "unit_price": a // 4, "due_date": day(0.35 if not early else 0.25)},
            {"title": "Chuyên trang, ấn phẩm in phát hành đến thôn, làng, tổ dân phố", "kind": "other",
             "quantity": 1, "unit_price": b, "due_date": day(0.6 if not early else 0.3)},
            {"title": f"Chương trình văn nghệ lưu động tuyên truyền về {plan['topic']}", "kind": "other",
             "quantity": 1, "unit_price": c, "due_date": due_c},
        ]
        if early:
            lines = lines[:2]
        supplier = suppliers[index % len(suppliers)]
        with at(proposed_on, 9, 30):
            commission = commissions.propose_commission(
                actor, allocation_id=allocation.id, supplier_id=supplier.id, method="order",
                title=f"Đặt hàng sản phẩm truyền thông về {plan['topic']}",
                topic=plan["topic"][:1].upper() + plan["topic"][1:], advance_limit_pct=20, deliverables=lines,
                price_decision_no="25/QĐ-UBND", price_decision_date=first + timedelta(days=min(span, 14)))
        made["commissions"][code] = commission
        if state == "proposed":
            continue
        if state == "rejected":
            with at(day(0.9 + 0.005 * index), 14):
                commissions.reject_commission(finance, commission, reason="Đơn giá chương trình văn nghệ lưu động "
                                                                          "cao hơn đơn giá được phê duyệt.")
            continue
        approved_on = day(0.1 + 0.01 * index) if not late else day(0.9 + 0.005 * index)
        with at(approved_on, 14):
            commissions.approve_commission(finance, commission)
        if state == "approved":
            continue
        signed_on = day(0.12 + 0.01 * index)
        with at(signed_on, 10):
            commissions.sign_commission(actor, commission, contract_no=f"{index + 1:02d}/{year}/HĐ-{code}",
                                        signed_on=signed_on)
        video, printed, *rest = commission.deliverables
        payee = supplier.name
        advance = commission.value * (20 if index != 2 else 15) // 100 // 1_000_000 * 1_000_000  # within 20%
        advanced_on = day(0.14 + 0.01 * index)
        outstanding = advance

        def post(kind, amount, voucher, paid_on, description, applied=0, links=(), *,  # bound to this commission
                 actor=actor, allocation=allocation, commission=commission, payee=payee):
            with at(paid_on, 10, 20):
                entry = post_expenditure(
                    actor, allocation_id=allocation.id, commission_id=commission.id, kind=kind, amount=amount,
                    advance_applied=applied, paid_on=paid_on, voucher_no=voucher, payee=payee,
                    description=description, deliverables=[{"deliverable_id": d.id, "amount": v} for d, v in links])
            made["expenditures"].append(entry)
            return entry

        post("advance", advance, f"TU-{index:02d}/{code}", advanced_on, "Tạm ứng theo hợp đồng đặt hàng")
        if index == 2:  # part of the advance returned
            post("recovery", 5_000_000, f"TH-{index:02d}/{code}", day(0.2), "Thu hồi tạm ứng không sử dụng hết")
            outstanding -= 5_000_000
        first_done = day((0.25 if early else 0.3) + 0.002 * index)
        with at(first_done, 11):
            commissions.deliver(actor, video, delivered_on=first_done, quantity=video.quantity)
        first_accepted = day((0.26 if early else 0.31) + 0.002 * index)
        with at(first_accepted, 15):
            commissions.accept(actor, video, accepted_on=first_accepted, accepted_quantity=video.quantity,
                               record_no=f"{index + 1:02d}/BB-NT")
        video_value = video.quantity * video.unit_price
        applied = min(outstanding, video_value)
        post("payment", video_value - applied, f"TT-{index:02d}A/{code}",
             day((0.28 if early else 0.33) + 0.002 * index),
             "Thanh toán video ngắn đã nghiệm thu, trừ tạm ứng", applied=applied, links=[(video, video_value)])
        second_done = day((0.3 if early else 0.55) + 0.002 * index)
        with at(second_done, 11):
            commissions.deliver(actor, printed, delivered_on=second_done, quantity=1)
        if early or index % 3 == 1:
            accepted_on = day((0.31 if early else 0.57) + 0.002 * index)
            with at(accepted_on, 15):
                commissions.accept(actor, printed, accepted_on=accepted_on, accepted_quantity=1,
                                   record_no=f"{index + 1:02d}/BB-NT2")
            post("payment", printed.unit_price, f"TT-{index:02d}B/{code}",
                 day((0.33 if early else 0.6) + 0.002 * index),
                 "Thanh toán ấn phẩm in đã nghiệm thu", links=[(printed, printed.unit_price)])
        elif index % 3 == 0:
            with at(day(0.57 + 0.002 * index), 15):
                commissions.reject_delivery(actor, printed, reason="Ấn phẩm in sai thông tin đầu mối liên hệ; "
                                                                   "đề nghị in lại.")
        if early:
            closed_on = day(0.4 + 0.002 * index)
            with at(closed_on, 16):
                commissions.close_commission(actor, commission, liquidation_no=f"{index + 1:02d}/BB-TL",
                                             liquidated_on=closed_on)
    made["documents"] = documents
    return made
