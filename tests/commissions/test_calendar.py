"""Dates that follow the calendar (issue 15, item 1; DESIGN §11), with the clock moved by time-machine.

Today is read in Việt Nam (`app.core.clock`): at 23:30 UTC on 31/12 it is already 1 January there.
Nothing is signed, delivered, accepted, liquidated or paid after today, nor delivered, accepted,
liquidated or paid before the contract was signed; a deliverable may be due in the next year. The
money of a fiscal year Y moves from 01/01/Y; to 31/12/Y anything; in the correction period (to
31/01/Y+1) no advance, a payment only for work delivered by 31/12/Y, direct spending and recoveries
still; after it nothing. Every refusal is a 422 naming the field, from the API and the pages alike.

Tokens and web sessions live 12 hours (30 minutes idle): every test that travels issues its tokens
and logs in inside the travel (`People`, `Browser`), never with the saved `roles` world's tokens.
"""
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.core import clock
from tests import support
from tests.commissions import builders
from tests.support import Browser, text

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Y = support.YEAR
_vouchers = itertools.count(1)


def on(day: date, hour: int = 9):
    """Travel to `day` at `hour` o'clock in Việt Nam, the clock running."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=VN), tick=True)


class People:
    """API clients of the DIC, finance and STP with tokens issued now (inside the travel)."""

    def __init__(self, app):
        world = support.World(app)
        self.dic, self.finance, self.unit = (support.ApiClient(app.test_client(), world.token(username))
                                             for username in ("sotttt", "taichinh", "donvi"))


def iso(day: date) -> str:
    return day.isoformat()


def refused(response, field, *words):
    """A 422 naming `field`, its message holding each of `words`."""
    body = response.get_json()
    assert response.status_code == 422, (response.status_code, body)
    assert body["error"] == "validation_error" and field in body["details"], body
    for word in words:
        assert word in body["message"], (word, body["message"])
    return body


def spend(client, allocation_id, kind, amount, paid_on, *, commission_id=None, links=(), applied=0):
    number = next(_vouchers)
    body = {"allocation_id": allocation_id, "kind": kind, "amount": amount, "paid_on": iso(paid_on),
            "voucher_no": f"LICH-{number:04d}", "payee": "Báo và Phát thanh, Truyền hình Gia Lai",
            "description": "Theo hợp đồng đặt hàng"}
    if commission_id is not None:
        body["commission_id"] = commission_id
    if kind == "payment":
        body.update(advance_applied=applied, deliverables=[{"deliverable_id": d, "amount": a} for d, a in links])
    return client.post("/api/v1/expenditures", json=body, headers={"Idempotency-Key": f"lich-{number}"})


def budget_of(people, year, *, decided_on):
    """An envelope of `year` with the DIC's press and operations allocations, and a press supplier."""
    envelope = support.envelope(people.finance, 2_000_000_000, year=year, decision_date=f"{year}-01-01")

    def allocate(category):
        body = support.allocation_body(envelope["id"], "SVHTTDL", 500_000_000, category=category, year=year)
        return support.ok(people.finance.post("/api/v1/allocations", json={**body, "decision_date": iso(decided_on)}),
                          201)["id"]

    return {"press": allocate("press"), "operations": allocate("operations"),
            "supplier": builders.supplier(people.finance)["id"]}


def allocation(client, allocation_id):
    return support.get(client, f"/api/v1/allocations/{allocation_id}")


# --- the whole chain, on the days around the year's end ----------------------------------------

CHAIN_DAYS = [date(Y, 12, 2), date(Y, 12, 30), date(Y, 12, 31), date(Y + 1, 1, 2), date(Y + 1, 1, 31),
              date(Y + 1, 2, 1)]


@pytest.mark.parametrize("today", CHAIN_DAYS, ids=str)
def test_the_whole_chain_runs_today_and_refuses_tomorrow(app, roles, today):
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    not_after_today = f"không được sau hôm nay ({today:%d/%m/%Y})"
    with on(today):
        people = People(app)
        year = today.year  # the budget of the year that is running
        money = budget_of(people, year, decided_on=today)
        due = iso(today + timedelta(days=30))
        commission = builders.propose(people.dic, money["press"], money["supplier"],
                                      builders.item("Phóng sự", "tv_segment", 2, 5_000_000, due),
                                      builders.item("Tin bài", "online_article", 4, 1_000_000, due), year=year)
        builders.approve(people.finance, commission["id"])
        sign = f"/api/v1/commissions/{commission['id']}/sign"
        refused(people.dic.post(sign, json={"contract_no": "01/HĐ", "signed_on": iso(tomorrow)}), "signed_on",
                "Ngày ký hợp đồng", not_after_today)
        builders.sign(people.dic, commission["id"], signed_on=iso(today))
        first, second = (d["id"] for d in commission["deliverables"])

        def deliver(deliverable, day, quantity):
            return people.dic.post(f"/api/v1/deliverables/{deliverable}/deliver",
                                   json={"delivered_on": iso(day), "quantity": quantity})

        def accept(deliverable, day, quantity):
            return people.dic.post(f"/api/v1/deliverables/{deliverable}/accept",
                                   json={"accepted_on": iso(day), "accepted_quantity": quantity, "record_no": "NT-1"})

        refused(deliver(first, tomorrow, 2), "delivered_on", not_after_today)
        refused(deliver(first, yesterday, 2), "delivered_on", "trước ngày ký hợp đồng", f"{today:%d/%m/%Y}")
        support.ok(deliver(first, today, 2), 200)
        refused(accept(first, tomorrow, 2), "accepted_on", not_after_today)
        support.ok(accept(first, today, 2), 200)
        support.ok(deliver(second, today, 4), 200)
        refused(accept(second, yesterday, 4), "accepted_on", "Ngày nghiệm thu không trước ngày giao.")
        support.ok(accept(second, today, 4), 200)

        refused(spend(people.dic, money["press"], "payment", 10_000_000, tomorrow, commission_id=commission["id"],
                      links=[(first, 10_000_000)]), "paid_on", "Ngày chi", not_after_today)
        refused(spend(people.dic, money["press"], "advance", 1_000_000, yesterday, commission_id=commission["id"]),
                "paid_on", "trước ngày ký hợp đồng")
        support.ok(spend(people.dic, money["press"], "payment", 14_000_000, today, commission_id=commission["id"],
                         links=[(first, 10_000_000), (second, 4_000_000)]), 201)
        refused(spend(people.dic, money["operations"], "direct", 1_000_000, tomorrow), "paid_on", not_after_today)
        support.ok(spend(people.dic, money["operations"], "direct", 1_000_000, today), 201)

        close = f"/api/v1/commissions/{commission['id']}/close"
        refused(people.dic.post(close, json={"liquidation_no": "TL-1", "liquidated_on": iso(tomorrow)}),
                "liquidated_on", not_after_today)
        closed = support.ok(people.dic.post(close, json={"liquidation_no": "TL-1", "liquidated_on": iso(today)}), 200)
        assert (closed["status"], closed["paid"], closed["liquidated_on"]) == ("closed", 14_000_000, iso(today))
        press = allocation(people.finance, money["press"])
        assert (press["spent"], press["committed"]) == (14_000_000, 0)


# --- proposing in December with a deadline in the next year -------------------------------------

def test_the_dic_proposes_on_2_december_with_a_30_day_deadline_through_the_api(app, roles):
    with on(date(Y, 12, 2)):
        people = People(app)
        money = budget_of(people, Y, decided_on=date(Y, 3, 15))
        deadline = f"{Y + 1}-01-01"  # 30 days after 2 December
        commission = builders.propose(people.dic, money["press"], money["supplier"],
                                      builders.item("Phóng sự tết", "tv_segment", 2, 5_000_000, deadline),
                                      builders.item("Tin bài cuối năm", "online_article", 4, 1_000_000, f"{Y}-12-20"))
        assert (commission["fiscal_year"], commission["status"]) == (Y, "proposed")
        assert [(d["due_date"], d["overdue"]) for d in commission["deliverables"]] == [
            (deadline, False), (f"{Y}-12-20", False)]
        builders.approve(people.finance, commission["id"])
        signed = builders.sign(people.dic, commission["id"], signed_on=f"{Y}-12-02")
        assert (signed["status"], signed["signed_on"]) == ("signed", f"{Y}-12-02")
        # the due date is still a plausible day
        body = builders.commission_body(money["press"], money["supplier"],
                                        builders.item("Phóng sự", "tv_segment", 2, 5_000_000, "2101-01-01"))
        response = people.dic.post("/api/v1/commissions", json=body)
        assert response.status_code == 422
        assert response.get_json()["details"]["deliverables"]["0"]["due_date"] == [
            "Ngày phải từ 01/01/2000 đến 31/12/2100."]


def test_the_dic_proposes_on_2_december_with_a_30_day_deadline_through_the_page(app, roles):
    with on(date(Y, 12, 2)):
        people = People(app)
        money = budget_of(people, Y, decided_on=date(Y, 3, 15))
        dic = Browser(app, "sotttt")
        form = text(dic.get("/commissions/new"))
        assert "Hạn giao sản phẩm có thể sang năm sau" in form
        assert "hợp đồng phải được ký chậm nhất ngày 31/12 của năm ngân sách" in form
        assert "chuyển nguồn sang năm sau" in form
        data = {
            "allocation_id": str(money["press"]), "supplier_id": str(money["supplier"]),
            "title": "Tuyên truyền đón Tết", "topic": "Chuyển đổi số", "method": "order", "advance_limit_pct": "30",
            "price_decision_no": "25/QĐ-UBND", "price_decision_date": f"{Y}-01-05",
            "deliverables-0-title": "Phóng sự tết", "deliverables-0-kind": "tv_segment",
            "deliverables-0-quantity": "2", "deliverables-0-unit_price": "5.000.000",
            "deliverables-0-due_date": f"{Y + 1}-01-01",
        }
        response = dic.submit("/commissions/new", "/commissions/new", data)
        assert response.status_code == 302, text(response)[:2000]
        page = text(dic.get(response.headers["Location"]))
        assert "Đã đề xuất đặt hàng" in page and "01/01/" + str(Y + 1) in page
        (created,) = support.get(people.dic, f"/api/v1/commissions?fiscal_year={Y}")["items"]
        assert [d["due_date"] for d in created["deliverables"]] == [f"{Y + 1}-01-01"]
        # a price decision dated tomorrow is refused beside its field, what was typed kept
        response = dic.submit("/commissions/new", "/commissions/new",
                              {**data, "price_decision_date": f"{Y}-12-03"})
        assert response.status_code == 422
        page = text(response)
        assert 'data-field-error="price_decision_date"' in page
        assert "Ngày quyết định phê duyệt đơn giá không được sau hôm nay (02/12/" + str(Y) + ")." in page
        assert 'value="Tuyên truyền đón Tết"' in page


# --- the correction period of year Y, and after it ----------------------------------------------

@pytest.fixture
def year_end_work(app, roles):
    """Built on 30 and 31 December Y: the DIC's press commission of Y (two deliverables of
    10.000.000 due in January, advance limit 30 %) signed on 30/12 with an advance of 3.000.000;
    its first deliverable delivered and accepted on 31/12, the second still planned."""
    with on(date(Y, 12, 30)):
        people = People(app)
        money = budget_of(people, Y, decided_on=date(Y, 3, 15))
        commission = builders.propose(people.dic, money["press"], money["supplier"],
                                      builders.item("Phóng sự", "tv_segment", 2, 5_000_000, f"{Y + 1}-01-10"),
                                      builders.item("Phóng sự tết", "tv_segment", 2, 5_000_000, f"{Y + 1}-01-20"))
        builders.approve(people.finance, commission["id"])
        builders.sign(people.dic, commission["id"], signed_on=f"{Y}-12-30")
        support.ok(spend(people.dic, money["press"], "advance", 3_000_000, date(Y, 12, 30),
                         commission_id=commission["id"]), 201)
    first, second = (d["id"] for d in commission["deliverables"])
    with on(date(Y, 12, 31), hour=16):
        people = People(app)
        builders.deliver(people.dic, first, 2, delivered_on=f"{Y}-12-31")
        builders.accept(people.dic, first, 2, accepted_on=f"{Y}-12-31")
    return {**money, "commission": commission["id"], "done": first, "late": second}


@pytest.mark.parametrize("today", [date(Y + 1, 1, 2), date(Y + 1, 1, 31)], ids=str)
def test_the_correction_period_pays_work_done_by_31_december_and_takes_no_advance(app, roles, year_end_work,
                                                                                   today):
    work = year_end_work
    with on(today):
        people = People(app)
        commission = work["commission"]
        body = refused(spend(people.dic, work["press"], "advance", 1_000_000, today, commission_id=commission),
                       "paid_on", f"Tạm ứng của năm ngân sách {Y} chỉ đến 31/12/{Y}", f"đến 31/01/{Y + 1}")
        assert "sau hôm nay" not in body["message"]
        # an advance paid on 31/12 and entered late is still the year's
        support.ok(spend(people.dic, work["press"], "advance", 1_000_000, date(Y, 12, 31), commission_id=commission),
                   201)
        # the second deliverable arrives in January: done after 31/12, it cannot be paid from year Y
        builders.deliver(people.dic, work["late"], 2, delivered_on=iso(today))
        builders.accept(people.dic, work["late"], 2, accepted_on=iso(today))
        body = refused(spend(people.dic, work["press"], "payment", 10_000_000, today, commission_id=commission,
                             links=[(work["done"], 5_000_000), (work["late"], 5_000_000)]),
                       "paid_on", f"khối lượng hoàn thành đến 31/12/{Y}", f"chuyển nguồn sang năm {Y + 1}")
        assert body["details"]["deliverables"] == {"1": {"deliverable_id": [
            f"Giao ngày {today:%d/%m/%Y}, sau 31/12/{Y}."]}}
        # work delivered on 31/12 is paid in the correction period, applying the advance
        paid = support.ok(spend(people.dic, work["press"], "payment", 6_000_000, today, commission_id=commission,
                                links=[(work["done"], 10_000_000)], applied=4_000_000), 201)
        assert paid["paid_on"] == iso(today)
        support.ok(spend(people.dic, work["operations"], "direct", 2_000_000, today), 201)
        support.ok(spend(people.dic, work["press"], "advance", 1_000_000, date(Y, 12, 31), commission_id=commission),
                   201)
        support.ok(spend(people.dic, work["press"], "recovery", 1_000_000, today, commission_id=commission), 201)
        # a contract of year Y is no longer signed in the new year (the carry-over needs it by 31/12)
        late = builders.propose(people.dic, work["press"], work["supplier"])
        builders.approve(people.finance, late["id"])
        refused(people.dic.post(f"/api/v1/commissions/{late['id']}/sign",
                                json={"contract_no": "02/HĐ", "signed_on": iso(today)}),
                "signed_on", f"Ngày ký phải trong năm ngân sách {Y}.")
        # finance's reversal is dated today, in Việt Nam
        reversal = support.ok(people.finance.post(f"/api/v1/expenditures/{paid['id']}/reverse",
                                                  json={"reason": "Nhập sai số chứng từ"}), 200)
        assert reversal["paid_on"] == iso(today)
        press = allocation(people.finance, work["press"])
        state = support.get(people.finance, f"/api/v1/commissions/{commission}")
    # spent: 3 + 1 + 1 advances - 1 recovered + 6 paid - 6 reversed
    assert (press["spent"], state["outstanding_advance"], state["paid"]) == (4_000_000, 4_000_000, 0)


def test_after_the_correction_period_the_year_spends_nothing(app, roles, year_end_work):
    work = year_end_work
    with on(date(Y + 1, 2, 1)):
        people = People(app)
        commission = work["commission"]
        ends = f"Chi của năm ngân sách {Y} kết thúc cùng thời gian chỉnh lý quyết toán (31/01/{Y + 1})"
        refused(spend(people.dic, work["press"], "payment", 10_000_000, date(Y + 1, 2, 1), commission_id=commission,
                      links=[(work["done"], 10_000_000)]),
                "paid_on", ends, f"công việc sau đó được thanh toán từ đặt hàng chuyển nguồn sang năm {Y + 1}")
        refused(spend(people.dic, work["operations"], "direct", 1_000_000, date(Y + 1, 2, 1)),
                "paid_on", ends, f"thuộc dự toán năm {Y + 1}")
        refused(spend(people.dic, work["press"], "recovery", 1_000_000, date(Y + 1, 2, 1), commission_id=commission),
                "paid_on", ends)
        # an entry of the correction period made late keeps its day: the close, not the calendar, shuts a year
        paid = support.ok(spend(people.dic, work["press"], "payment", 10_000_000, date(Y + 1, 1, 31),
                                commission_id=commission, links=[(work["done"], 10_000_000)]), 201)
        assert paid["paid_on"] == f"{Y + 1}-01-31"
        refused(spend(people.dic, work["press"], "advance", 1_000_000, date(Y - 1, 12, 31), commission_id=commission),
                "paid_on", f"Ngày chi không được trước 01/01/{Y}")


def test_the_pages_show_the_calendar_refusals_beside_their_fields(app, roles, year_end_work):
    work = year_end_work
    with on(date(Y + 1, 1, 2)):
        people = People(app)
        builders.deliver(people.dic, work["late"], 2, delivered_on=f"{Y + 1}-01-02")
        builders.accept(people.dic, work["late"], 2, accepted_on=f"{Y + 1}-01-02")
        before = allocation(people.finance, work["press"])
        dic = Browser(app, "sotttt")
        detail = f"/commissions/{work['commission']}"
        page = text(dic.get(detail))
        assert f'value="02/01/{Y + 1}"' in page  # the forms' default date: today in Việt Nam, dd/mm/yyyy
        response = dic.submit(detail, f"{detail}/expenditures", {
            "kind": "payment", "amount": "10.000.000", "advance_applied": "0", "paid_on": f"{Y + 1}-01-02",
            "voucher_no": "TT-LICH-01", "payee": "Báo Gia Lai", "description": "Thanh toán phóng sự tết",
            "deliverables-0-deliverable_id": str(work["late"]), "deliverables-0-amount": "10.000.000"})
        assert response.status_code == 422
        page = text(response)
        assert 'data-field-error="paid_on"' in page and f"khối lượng hoàn thành đến 31/12/{Y}" in page
        assert 'value="TT-LICH-01"' in page
        response = dic.submit(detail, f"{detail}/expenditures", {
            "kind": "advance", "amount": "1.000.000", "paid_on": f"{Y + 1}-01-02", "voucher_no": "TU-LICH-01",
            "payee": "Báo Gia Lai", "description": "Tạm ứng thêm"})
        assert response.status_code == 422
        page = text(response)
        assert 'data-field-error="paid_on"' in page and f"Tạm ứng của năm ngân sách {Y} chỉ đến 31/12/{Y}" in page
        assert allocation(people.finance, work["press"]) == before


def test_a_delivery_dated_tomorrow_is_refused_on_the_page(app, roles):
    with on(date(Y, 12, 2)):
        people = People(app)
        money = budget_of(people, Y, decided_on=date(Y, 3, 15))
        commission = builders.propose(people.dic, money["press"], money["supplier"])
        builders.approve(people.finance, commission["id"])
        builders.sign(people.dic, commission["id"], signed_on=f"{Y}-11-20")
        deliverable = commission["deliverables"][0]["id"]
        dic = Browser(app, "sotttt")
        detail = f"/commissions/{commission['id']}"
        response = dic.submit(detail, f"/deliverables/{deliverable}/deliver",
                              {"delivered_on": f"{Y}-12-03", "quantity": "2"})
        assert response.status_code == 422
        page = text(response)
        assert 'data-field-error="delivered_on"' in page
        assert f"Ngày giao sản phẩm không được sau hôm nay (02/12/{Y})." in page
        response = dic.submit(detail, f"/deliverables/{deliverable}/deliver",
                              {"delivered_on": f"{Y}-11-19", "quantity": "2"})
        assert response.status_code == 422
        assert f"Ngày giao không được trước ngày ký hợp đồng (20/11/{Y})." in text(response)
        assert support.get(people.dic,
                           f"/api/v1/commissions/{commission['id']}")["deliverables"][0]["status"] == "planned"
        response = dic.submit(detail, f"/deliverables/{deliverable}/deliver",
                              {"delivered_on": f"{Y}-12-02", "quantity": "2"})
        assert response.status_code == 302


# --- 23:30 UTC on 31 December: already 1 January in Việt Nam ------------------------------------

def test_at_23_30_utc_on_31_december_it_is_already_the_new_year(app, roles):
    with on(date(Y, 12, 30)):
        people = People(app)
        old = budget_of(people, Y, decided_on=date(Y, 3, 15))
        running = builders.propose(people.dic, old["press"], old["supplier"],
                                   builders.item("Phóng sự", "tv_segment", 2, 5_000_000, f"{Y}-12-31"))
        builders.approve(people.finance, running["id"])
        builders.sign(people.dic, running["id"], signed_on=f"{Y}-12-30")
    with time_machine.travel(datetime(Y, 12, 31, 23, 30, tzinfo=UTC), tick=True):
        assert clock.today() == date(Y + 1, 1, 1)
        people = People(app)
        new_year = f"{Y + 1}-01-01"
        # the new year's budget: a contract signed on 1 January is not "in the future"
        new = budget_of(people, Y + 1, decided_on=date(Y + 1, 1, 1))
        commission = builders.propose(people.dic, new["press"], new["supplier"], year=Y + 1)
        builders.approve(people.finance, commission["id"])
        assert builders.sign(people.dic, commission["id"], signed_on=new_year)["signed_on"] == new_year
        # the old year is in its correction period: no advance, direct spending still
        refused(spend(people.dic, old["press"], "advance", 1_000_000, date(Y + 1, 1, 1), commission_id=running["id"]),
                "paid_on", f"Tạm ứng của năm ngân sách {Y} chỉ đến 31/12/{Y}")
        direct = support.ok(spend(people.dic, old["operations"], "direct", 1_000_000, date(Y + 1, 1, 1)), 201)
        reversal = support.ok(people.finance.post(f"/api/v1/expenditures/{direct['id']}/reverse",
                                                  json={"reason": "Ghi nhầm phân bổ"}), 200)
        assert reversal["paid_on"] == new_year
        # the deliverable due on 31/12 is overdue; the reports open on the new year
        assert support.get(people.dic, f"/api/v1/commissions/{running['id']}")["deliverables"][0]["overdue"] is True
        assert support.get(people.finance, "/api/v1/reports/execution")["fiscal_year"] == Y + 1
        refused(spend(people.dic, new["operations"], "direct", 1_000_000, date(Y + 1, 1, 2)), "paid_on",
                f"không được sau hôm nay (01/01/{Y + 1})")
