"""The demo's previous year: a small 2025 (the year before today's) of the same province, closed
after its correction period with two signed commissions carried into this year, one unsigned
commission cancelled and the rest of its estimates cancelled. Runs after every other demo loader,
inside app.demo.load_demo()'s transaction; made through the services by the demo's own people."""
from datetime import date

import sqlalchemy as sa

from app.auth.services import get_user_by_username
from app.core import clock
from app.core.timeutil import business_day
from app.extensions import db
from budgets import services as budgets
from budgets.years import services as years
from commissions import services as commissions
from commissions.expenditures import services as expenditures
from commissions.models import Supplier

PRICE_DECISION = ("31/QĐ-UBND", date(2025, 1, 20))


def _supplier(kind: str) -> Supplier:
    return db.session.execute(sa.select(Supplier).where(Supplier.kind == kind).order_by(Supplier.id)).scalars().first()


def _line(title, kind, quantity, unit_price, due_date):
    return {"title": title, "kind": kind, "quantity": quantity, "unit_price": unit_price, "due_date": due_date}


def _propose(actor, allocation, supplier, title, topic, lines, advance_limit_pct=30):
    return commissions.propose_commission(
        actor, allocation_id=allocation.id, supplier_id=supplier.id, title=title, method="order", topic=topic,
        advance_limit_pct=advance_limit_pct, deliverables=lines, price_decision_no=PRICE_DECISION[0],
        price_decision_date=PRICE_DECISION[1].replace(year=allocation.envelope.fiscal_year))


def load_closed_year() -> None:
    today = clock.today()
    year = today.year - 1
    finance = get_user_by_username("taichinh")
    dic = get_user_by_username("sovhttdl")
    stp = get_user_by_username("donvi")

    at = business_day  # each step's history on its business date, Việt Nam office hours

    with at(date(year - 1, 12, 13), 9):
        envelope = budgets.create_envelope(
            finance, fiscal_year=year, code="TTCS", name=f"Kinh phí truyền thông chính sách năm {year}",
            amount=1_500_000_000, decision_no="2890/QĐ-UBND", decision_date=date(year - 1, 12, 12))
    with at(date(year, 1, 15), 10):
        press = budgets.create_allocation(finance, envelope_id=envelope.id, unit_code="SVHTTDL", category="press",
                                          amount=900_000_000, decision_no="45/QĐ-STC",
                                          decision_date=date(year, 1, 15))
    with at(date(year, 1, 15), 10, 30):
        training = budgets.create_allocation(finance, envelope_id=envelope.id, unit_code="STP", category="training",
                                             amount=200_000_000, decision_no="46/QĐ-STC",
                                             decision_date=date(year, 1, 15))
    press_body, training_school = _supplier("press"), _supplier("training")

    # Signed in November with broadcasts due in the new year: carried over with its advance.
    with at(date(year, 11, 3), 9, 30):
        series = _propose(dic, press, press_body, "Chuyên mục “Chính quyền hai cấp gần dân”",
                          "Chính quyền địa phương hai cấp",
                          [_line("Phóng sự truyền hình", "tv_segment", 6, 25_000_000, date(year + 1, 2, 28)),
                           _line("Tin, bài báo điện tử", "online_article", 20, 3_000_000, date(year, 12, 20))])
    with at(date(year, 11, 7), 14):
        commissions.approve_commission(finance, series)
    with at(date(year, 11, 12), 10):
        commissions.sign_commission(dic, series, contract_no=f"18/{year}/HĐ-ĐH", signed_on=date(year, 11, 12))
    with at(date(year, 11, 20), 10):
        expenditures.post_expenditure(dic, allocation_id=press.id, commission_id=series.id, kind="advance",
                                      amount=60_000_000, paid_on=date(year, 11, 20), voucher_no=f"TU-{year}-018",
                                      payee=press_body.name, description="Tạm ứng 30% hợp đồng chuyên mục")
    articles = series.deliverables[1]
    with at(date(year, 12, 18), 11):
        commissions.deliver(dic, articles, delivered_on=date(year, 12, 18), quantity=20)
    with at(date(year, 12, 22), 15):
        commissions.accept(dic, articles, accepted_on=date(year, 12, 22), accepted_quantity=20,
                           record_no=f"NT-{year}-041")
    settled_on = min(date(year + 1, 1, 20), today)  # in the correction period, never after today
    with at(settled_on, 10):
        expenditures.post_expenditure(dic, allocation_id=press.id, commission_id=series.id, kind="payment",
                                      amount=40_000_000, advance_applied=20_000_000, paid_on=settled_on,
                                      voucher_no=f"TT-{year}-102", payee=press_body.name,
                                      description="Thanh toán 20 tin, bài (chỉnh lý quyết toán)",
                                      deliverables=[{"deliverable_id": articles.id, "amount": 60_000_000}])

    # Approved in December but never signed: cancelled by the close.
    with at(date(year, 12, 1), 9, 30):
        late = _propose(dic, press, press_body, "Tọa đàm cuối năm về cải cách hành chính", "Cải cách hành chính",
                        [_line("Chương trình phát thanh", "radio_segment", 4, 12_000_000, date(year + 1, 1, 15))])
    with at(date(year, 12, 4), 14):
        commissions.approve_commission(finance, late)

    # Training commissioned and paid in full, and direct spending on the rest.
    with at(date(year, 5, 19), 9, 30):
        course = _propose(stp, training, training_school, "Bồi dưỡng kỹ năng truyền thông chính sách",
                          "Phổ biến pháp luật",
                          [_line("Lớp bồi dưỡng cho báo cáo viên", "training_course", 2, 35_000_000,
                                 date(year, 9, 30))],
                          advance_limit_pct=0)
    with at(date(year, 5, 26), 14):
        commissions.approve_commission(finance, course)
    with at(date(year, 6, 2), 10):
        commissions.sign_commission(stp, course, contract_no=f"07/{year}/HĐ-ĐT", signed_on=date(year, 6, 2))
    classes = course.deliverables[0]
    with at(date(year, 9, 25), 11):
        commissions.deliver(stp, classes, delivered_on=date(year, 9, 25), quantity=2)
    with at(date(year, 9, 26), 15):
        commissions.accept(stp, classes, accepted_on=date(year, 9, 26), accepted_quantity=2,
                           record_no=f"NT-{year}-017")
    with at(date(year, 10, 5), 10):
        expenditures.post_expenditure(stp, allocation_id=training.id, commission_id=course.id, kind="payment",
                                      amount=70_000_000, paid_on=date(year, 10, 5), voucher_no=f"TT-{year}-055",
                                      payee=training_school.name, description="Thanh toán hai lớp bồi dưỡng",
                                      deliverables=[{"deliverable_id": classes.id, "amount": 70_000_000}])
    with at(date(year, 10, 20), 16):
        commissions.close_commission(stp, course, liquidation_no=f"TL-{year}-07", liquidated_on=date(year, 10, 20))
    with at(date(year, 11, 8), 14):
        expenditures.post_expenditure(stp, allocation_id=training.id, kind="direct", amount=18_500_000,
                                      paid_on=date(year, 11, 8), voucher_no=f"C-{year}-233", payee="Nhà in Quy Nhơn",
                                      description="In 2.000 tờ gấp phổ biến Luật Ngân sách nhà nước 2025")

    if today > clock.correction_period_end(year):
        closed_on = min(date(year + 1, 2, 6), today)  # from 01/02, never after today
        with at(closed_on, 15):
            years.close_year(finance, year, decision_no="215/STC-QLNS", decision_date=closed_on)
