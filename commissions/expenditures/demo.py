"""Demo ledger: advances, payments, a recovery, direct spending and reversals on the commissions the
commissions' demo made (DESIGN §1, issue 10), through the services by the demo's own people.

Runs after the commissions' loader; called inside app.demo.load_demo()'s transaction. Then the other
units' year of activity (commissions/expenditures/demo_province.py).
"""
import io
from datetime import timedelta

import sqlalchemy as sa

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.documents import save_document
from app.core.timeutil import business_day
from app.extensions import db
from commissions.demo import DEMO_PDF, allocation_of, contracts_signed_by
from commissions.expenditures.demo_province import load_province
from commissions.expenditures.services import post_expenditure, reverse_expenditure
from commissions.models import Commission


def load_expenditures() -> dict:
    """Advances, payments, a recovery, direct spending and a reversal on the demo's commissions, by
    their units' own officers (finance reverses), each with its voucher (issue 10)."""
    today = clock.today()
    year = today.year
    under_way = contracts_signed_by(year, today)

    def ago(days):
        return max(under_way, today - timedelta(days=days))

    finance = get_user_by_username("taichinh")
    dic = get_user_by_username("sovhttdl")
    stp = get_user_by_username("donvi")

    def contract(no):
        return db.session.execute(sa.select(Commission).where(Commission.contract_no == no)).scalar_one()

    # each entry's history is stamped on its payment date, a reversal on the day it was caught
    def post(actor, commission, kind, amount, voucher_no, paid_on, description, *, applied=0, links=()):
        with business_day(paid_on, 10):
            return post_expenditure(
                actor, allocation_id=commission.allocation_id, commission_id=commission.id, kind=kind, amount=amount,
                advance_applied=applied, paid_on=paid_on, voucher_no=voucher_no, payee=commission.supplier.name,
                description=description, deliverables=[{"deliverable_id": d.id, "amount": a} for d, a in links])

    def reverse(entry, reason, caught_on):
        with business_day(caught_on, 9):
            reverse_expenditure(finance, entry, reason=reason)

    # --- a settled advance: advance on the press contract, then the accepted articles paid applying it
    digital = contract(f"12/{year}/HĐ-ĐH")
    articles = digital.deliverables[0]
    advance = post(dic, digital, "advance", 40_000_000, "TU-01/STTTT", ago(100),
                   "Tạm ứng 40.000.000 đồng theo điều 5 hợp đồng đặt hàng")
    payment = post(dic, digital, "payment", articles.accepted_value - 40_000_000, "TT-02/STTTT", ago(60),
                   "Thanh toán 40 tin, bài đã nghiệm thu theo biên bản 07/BB-NT, trừ tạm ứng",
                   applied=40_000_000, links=[(articles, articles.accepted_value)])

    # --- a wrong payment reversed by finance, then the right one -------------------------------------
    listening = contract(f"21/{year}/HĐ-DV")
    reports = listening.deliverables[0]
    wrong = post(dic, listening, "payment", 12_000_000, "TT-05/STTTT", ago(40),
                 "Thanh toán báo cáo lắng nghe mạng xã hội quý I–III",
                 links=[(reports, 12_000_000)])
    reverse(wrong, "Nhập sai số tiền: giá trị nghiệm thu là 120.000.000 đồng.", ago(39))
    right = post(dic, listening, "payment", reports.accepted_value, "TT-06/STTTT", ago(39),
                 "Thanh toán báo cáo lắng nghe mạng xã hội quý I–III theo biên bản 11/BB-NT",
                 links=[(reports, reports.accepted_value)])

    # --- training: an advance, part recovered, the rest applied to the accepted course ---------------
    course = contract(f"03/{year}/HĐ-ĐT")
    classes = course.deliverables[0]
    post(stp, course, "advance", 30_000_000, "TU-01/STP", ago(30), "Tạm ứng tổ chức lớp bồi dưỡng")
    post(stp, course, "recovery", 5_000_000, "TH-01/STP", ago(21), "Thu hồi phần tạm ứng không sử dụng")
    post(stp, course, "payment", classes.accepted_value - 25_000_000, "TT-01/STP", ago(20),
         "Thanh toán 02 lớp bồi dưỡng theo biên bản 01/BB-NT, trừ tạm ứng còn lại",
         applied=25_000_000, links=[(classes, classes.accepted_value)])

    # --- direct spending: the DIC's operations, STP's training materials; one reversed -----------------
    operations = allocation_of("SVHTTDL", "operations")
    training = allocation_of("STP", "training")

    def direct(actor, allocation, amount, voucher_no, paid_on, description, payee):
        with business_day(paid_on, 14):
            return post_expenditure(actor, allocation_id=allocation.id, kind="direct", amount=amount,
                                    paid_on=paid_on, voucher_no=voucher_no, payee=payee, description=description)

    banners = direct(dic, operations, 90_000_000, "PC-03/STTTT", ago(50),
                     "Pano, áp phích tuyên truyền tại 15 phường, xã: 15 pano đã lắp (biên bản bàn giao kèm theo)",
                     "Công ty Cổ phần In Quy Nhơn - Chi nhánh Pleiku")
    with business_day(ago(50), 14, 15):
        save_document(dic, "expenditure", banners.id, filename="bien-ban-ban-giao-pano.pdf",
                      stream=io.BytesIO(DEMO_PDF))
    twice = direct(dic, operations, 90_000_000, "PC-04/STTTT", ago(49), "Pano, áp phích tuyên truyền (ghi trùng)",
                   "Công ty Cổ phần In Quy Nhơn - Chi nhánh Pleiku")
    reverse(twice, "Ghi trùng chứng từ PC-03/STTTT.", ago(48))
    direct(stp, training, 8_500_000, "PC-01/STP", ago(18),
           "In 300 bộ tài liệu tập huấn kỹ năng truyền thông chính sách (đã phát cho học viên)",
           "Công ty Cổ phần In Quy Nhơn - Chi nhánh Pleiku")
    load_province()  # the other units' year, on the same suppliers and people
    return {"advance": advance, "payment": payment, "reversed": wrong, "right": right, "direct": banners}
