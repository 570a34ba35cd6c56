"""What the money bought (issue 21 item 1): `GET /api/v1/reports/outputs` and `/reports/outputs`, per
topic, kind, unit and supplier, with the unit-price spread that makes an unusually high price stand out.

The `spending` world: the DIC's press commission (two tv segments of 2 × 5,000,000, both accepted,
20,000,000 paid against them), STP's training commission (two courses of 2 × 5,000,000, the first
accepted, its payment reversed), and a press commission finance has not approved (it bought nothing)."""
import re

import pytest

from app.core.money import format_vnd
from tests import support
from tests.commissions import builders
from tests.reports.builders import YEAR, entry, spend
from tests.support import ROLE_PEOPLE, Browser, text

PATH = f"/api/v1/reports/outputs?fiscal_year={YEAR}"


def report(client, query=""):
    return support.get(client, PATH + query)


def rows(body) -> dict:
    return {row["key"]: row for row in body["items"]}


def figures(row) -> tuple:
    return tuple(row[k] for k in ("commissions", "deliverables", "quantity", "accepted_quantity", "value", "paid"))


@pytest.fixture
def priced(roles, budget, spending):
    """Beside `spending`: two more tv-segment commissions of the DIC, from two other suppliers, one at
    the common price (5,000,000) and one at 12,000,000 a segment; and one cancelled after approval."""
    dic, finance = roles["dic"], roles["finance"]
    press = budget.allocation("dic", "press")
    common = builders.supplier(finance, kind="press", name="Báo Gia Lai điện tử")["id"]
    dear = builders.supplier(finance, kind="press", name="Công ty Truyền thông Đắt Đỏ")["id"]
    builders.signed_commission(finance, dic, press, common, builders.item("Phóng sự", quantity=3),
                               topic="Cải cách hành chính", title="Phóng sự cải cách hành chính")
    high = builders.signed_commission(finance, dic, press, dear,
                                      builders.item("Phóng sự", quantity=1, unit_price=12_000_000),
                                      topic="Cải cách hành chính", title="Phóng sự giá cao")
    cancelled = builders.propose(dic, press, common, topic="Đã hủy", title="Hủy sau khi duyệt")
    builders.approve(finance, cancelled["id"])
    support.ok(dic.post(f"/api/v1/commissions/{cancelled['id']}/cancel", json={"reason": "Đổi kế hoạch"}), 200)
    return {"high": high, "cancelled": cancelled}


def test_by_topic_counts_what_the_standing_commissions_bought(spending, roles):
    body = report(roles["finance"])
    # by the managed topic: its code, its name, the texts the commissions carry
    assert body["by"] == "topic" and list(rows(body)) == ["chuyen_doi_so"]  # the unapproved one bought nothing
    (row,) = body["items"]
    assert row["name"] == "Chuyển đổi số" and row["texts"] == ["Chuyển đổi số"]
    # press: 2 + 2 segments accepted, 20,000,000 paid; training: 2 of 4 places accepted, its payment reversed
    assert figures(row) == (2, 4, 8, 6, 40_000_000, 20_000_000)
    assert {k["kind"]: (k["quantity"], k["accepted_quantity"]) for k in row["kinds"]} == {
        "tv_segment": (4, 4), "training_course": (4, 2)}
    assert figures(body["totals"]) == figures(row)


def test_by_kind_unit_and_supplier(spending, roles):
    finance = roles["finance"]
    by_kind = rows(report(finance, "&by=kind"))
    assert by_kind["tv_segment"]["name"] == "Phóng sự, chương trình truyền hình"
    assert figures(by_kind["tv_segment"]) == (1, 2, 4, 4, 20_000_000, 20_000_000)
    assert figures(by_kind["training_course"]) == (1, 2, 4, 2, 20_000_000, 0)
    by_unit = rows(report(finance, "&by=unit"))
    assert set(by_unit) == {"SVHTTDL", "STP"} and by_unit["STP"]["name"] == "Sở Tư pháp"
    by_supplier = report(finance, "&by=supplier")
    assert {row["name"] for row in by_supplier["items"]} == {"Nhà cung cấp press", "Nhà cung cấp training"}
    assert all(re.fullmatch(r"\d{10}", row["key"]) for row in by_supplier["items"])  # the tax code
    for body in (by_kind, by_unit):
        assert sum(row["value"] for row in body.values()) == 40_000_000


def test_the_unit_price_spread_flags_the_unusually_high_price(priced, roles):
    body = report(roles["finance"])
    (tv,) = [p for p in body["prices"] if p["kind"] == "tv_segment"]
    # deliverables priced 5,000,000 (two + one) and 12,000,000 (one): median of four = 5,000,000
    assert (tv["deliverables"], tv["suppliers"], tv["lowest"], tv["median"], tv["highest"]) == (
        4, 3, 5_000_000, 5_000_000, 12_000_000)
    assert tv["highest_supplier"] == "Công ty Truyền thông Đắt Đỏ"
    assert [(h["supplier"], h["unit_price"], h["pct_of_median"]) for h in tv["high"]] == [
        ("Công ty Truyền thông Đắt Đỏ", 12_000_000, 240)]
    (course,) = [p for p in body["prices"] if p["kind"] == "training_course"]
    assert course["high"] == [] and course["median"] == 5_000_000
    # the cancelled commission is not counted; the new topic adds up
    topics = rows(body)
    assert "khac" not in topics  # "Đã hủy", a free text, was cancelled
    assert figures(topics["cai_cach_hanh_chinh"])[:3] == (2, 2, 4)
    assert topics["cai_cach_hanh_chinh"]["value"] == 3 * 5_000_000 + 12_000_000
    assert body["items"][0]["key"] == "chuyen_doi_so"  # largest value first


def test_a_unit_reads_its_own_outputs_only_and_admin_none(spending, roles):
    stp = report(roles["unit"], "&by=unit")
    assert list(rows(stp)) == ["STP"] and stp["totals"]["value"] == 20_000_000
    assert all(p["kind"] == "training_course" for p in stp["prices"])
    assert report(roles["other_unit"])["items"] == []
    assert roles["admin"].get(PATH).status_code == 403
    assert roles["anonymous"].get(PATH).status_code == 401


@pytest.mark.parametrize("query, field", [("&by=everything", "by"), ("&fiscal_year=1999", "fiscal_year"),
                                          ("&fiscal_year=abc", "fiscal_year"),
                                          ("&fiscal_year=99999999999999999999999", "fiscal_year")])
def test_bad_input_is_a_422_naming_the_field(spending, roles, query, field):
    response = roles["finance"].get(f"/api/v1/reports/outputs?{query.lstrip('&')}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_error" and field in body["details"]


def test_a_year_without_commissions_is_empty(spending, roles):
    body = support.get(roles["finance"], f"/api/v1/reports/outputs?fiscal_year={YEAR + 3}&by=supplier")
    assert body["items"] == [] and body["prices"] == []
    assert figures(body["totals"]) == (0, 0, 0, 0, 0, 0)


def test_the_statements_are_the_same_for_one_commission_or_many(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    press = budget.allocation("dic", "press")

    def bought(n):
        supplier = builders.supplier(finance, kind="press", name=f"Báo số {n}")["id"]
        commission = builders.signed_commission(finance, dic, press, supplier, topic=f"Chủ đề {n}")
        first = commission["deliverables"][0]["id"]
        builders.deliver(dic, first)
        builders.accept(dic, first, record_no=f"BB-O-{n}")
        spend(dic, entry(press, commission["id"], "payment", 10_000_000, f"TT-O-{n}",
                         deliverables=[{"deliverable_id": first, "amount": 10_000_000}]))

    bought(1)
    counts = {}
    for by in ("topic", "kind", "unit", "supplier"):
        support.get(finance, f"{PATH}&by={by}")
        counts[by] = support.statements_for(app, finance, f"{PATH}&by={by}")[0]
    for n in range(2, 7):
        bought(n)
    for by, one in counts.items():
        many, body = support.statements_for(app, finance, f"{PATH}&by={by}")
        assert many == one, by
    assert len(rows(report(finance, "&by=supplier"))) == 6


# --- the page ----------------------------------------------------------------------------------

class Reader(Browser):
    def __init__(self, app, who):
        super().__init__(app, ROLE_PEOPLE[who][0])

    def page(self, path, status=200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        return text(response)


def test_the_page_shows_the_api_figures_a_chart_and_the_high_price(app, priced, roles):
    page = Reader(app, "finance").page(f"/reports/outputs?fiscal_year={YEAR}")
    body = report(roles["finance"])
    assert re.findall(r'data-testid="report-row" data-key="([^"]+)"', page) == [r["key"] for r in body["items"]]
    assert format_vnd(body["totals"]["value"]) in page and format_vnd(body["totals"]["paid"]) in page
    # the chart: one SVG bar pair per row, the largest value full width, no style attribute anywhere
    widths = re.findall(r'<rect x="0" y="0" width="(\d+)%" height="10"', page)
    assert widths[0] == "100" and len(widths) == len(body["items"])
    assert "style=" not in page and "<script>" not in page
    assert 'class="table-warning"' in page and "Công ty Truyền thông Đắt Đỏ" in page and "240 %" in page


def test_the_page_for_a_unit_its_grouping_and_a_bad_filter(app, spending):
    reader = Reader(app, "unit")
    page = reader.page(f"/reports/outputs?fiscal_year={YEAR}&by=kind")
    assert "Sở Tư pháp (STP)" in page and 'data-key="training_course"' in page and 'data-key="tv_segment"' not in page
    bad = reader.page(f"/reports/outputs?fiscal_year={YEAR}&by=nonsense", status=422)
    assert 'data-field-error="by"' in bad and 'data-key="chuyen_doi_so"' in bad  # read as the default, by topic
    empty = reader.page(f"/reports/outputs?fiscal_year={YEAR + 3}")
    assert 'data-testid="empty-report"' in empty
    assert Reader(app, "admin").client.get("/reports/outputs").status_code == 403
