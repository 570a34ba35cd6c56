"""Việc cần làm (issue 19 item 1): every role lands on the work waiting for it, each record a link,
counted in the navigation; the counts take a fixed number of statements whatever the data."""
import re

import pytest

from app.core.registry import DEFAULT_GROUP, Registry
from app.work.counts import counts_for
from tests import support
from tests.auth.helpers import token_response
from tests.commissions import builders
from tests.reports.builders import entry, spend

USERS = ("donvi", "sotttt", "huyen", "taichinh", "kiemtoan", "quantri")


def _sections(page: str) -> dict[str, int]:
    """item key -> the count the work page shows for it."""
    found = re.findall(r'data-testid="work-item" data-key="([a-z_]+)".*?data-testid="work-count">(\d+)<', page, re.S)
    return {key: int(count) for key, count in found}


def _returned_request(roles, title="Đề nghị cần sửa"):
    created = support.submitted_request(roles["unit"], support.line(40_000_000, "training"), title=title)
    support.ok(roles["finance"].post(f"/api/v1/requests/{created['id']}/return",
                                     json={"reason": "Bổ sung dự toán chi tiết"}), 200)
    return created


@pytest.mark.parametrize("username", USERS)
def test_every_role_lands_on_its_work(app, roles, username):
    browser = support.Browser(app, username)
    home = browser.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/work")
    page = support.text(browser.get("/work"))
    assert "<h1" in page and "Việc cần làm" in page
    assert 'data-testid="nav-work.index"' in page  # the menu's first entry


def test_nothing_waiting_says_so(app, roles):
    page = support.text(support.Browser(app, "huyen").get("/work"))
    assert 'data-testid="work-empty"' in page and "Không có việc nào đang chờ." in page
    assert 'data-testid="nav-badge"' not in page


def test_a_unit_sees_its_own_work_as_links(app, roles, spending):
    returned = _returned_request(roles)
    budget = spending.budget
    to_sign = builders.propose(roles["unit"], budget.allocation("unit", "training"), budget.suppliers["training"],
                               category="training", title="Lớp tập huấn chờ ký")
    builders.approve(roles["finance"], to_sign["id"])

    page = support.text(support.Browser(app, "donvi").get("/work"))
    sections = _sections(page)
    assert sections["requests_returned"] == 1 and sections["commissions_to_sign"] == 1
    # STP's training payment was reversed: its accepted lesson is unpaid again; its second lesson is overdue
    assert sections["deliverables_accepted_unpaid"] == 1 and sections["deliverables_due"] >= 1
    assert f'href="/requests/{returned["id"]}"' in page and "Bổ sung dự toán chi tiết" in page
    assert f'href="/commissions/{to_sign["id"]}"' in page
    assert "quá hạn" in page and "chưa thanh toán" in page
    total = sum(sections.values())
    assert re.search(rf'data-testid="nav-work.index"[^>]*>Việc cần làm <span class="badge nav-badge" '
                     rf'data-testid="nav-badge">{total}</span>', page)

    # another unit sees none of it; the DIC sees its own paid press commission as nothing waiting
    other = support.text(support.Browser(app, "huyen").get("/work"))
    assert returned["number"] not in other and to_sign["number"] not in other
    dic = _sections(support.text(support.Browser(app, "sotttt").get("/work")))
    assert "requests_returned" not in dic and "deliverables_accepted_unpaid" not in dic


def test_a_unit_sees_advances_to_settle(app, roles, budget):
    commission = builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                                            budget.suppliers["press"], advance_limit_pct=50)
    spend(roles["dic"], entry(budget.allocation("dic", "press"), commission["id"], "advance", 2_000_000, "TU-WORK-01"))
    page = support.text(support.Browser(app, "sotttt").get("/work"))
    assert _sections(page)["advances_to_settle"] == 1 and "2.000.000" in page


def test_finance_is_told_what_awaits_it(app, roles, spending):
    submitted = support.submitted_request(roles["unit"], support.line(60_000_000, "training"), title="Chờ xử lý")
    partly = support.submitted_request(roles["unit"], support.line(80_000_000, "training"), title="Một phần")
    support.allocation(roles["finance"], spending.budget.envelope, "STP", 30_000_000, category="training",
                       request_id=partly["id"])
    page = support.text(support.Browser(app, "taichinh").get("/work"))
    sections = _sections(page)
    assert sections["requests_submitted"] == 1 and f'href="/requests/{submitted["id"]}"' in page
    assert sections["commissions_proposed"] == 1 and f'href="/commissions/{spending.proposed["id"]}"' in page
    assert sections["requests_partly_allocated"] == 1 and "còn 50.000.000" in page
    assert "year_close_due" not in sections  # the world has no year before this one
    assert 'data-testid="nav-commissions.approval_queue"' in page


def test_finance_is_told_a_year_is_to_close(app, roles, past_year):
    page = support.text(support.Browser(app, "taichinh").get("/work"))
    # 2025's correction period ended on 31/01/2026 and the year is not closed
    assert _sections(page)["year_close_due"] == 1 and 'href="/years/2025"' in page and "31/01/2026" in page
    support.ok(roles["finance"].post("/api/v1/years/2025/close",
                                     json={"decision_no": "215/STC-QLNS", "decision_date": "2026-02-06"}), 200)
    assert "year_close_due" not in _sections(support.text(support.Browser(app, "taichinh").get("/work")))


def test_the_auditor_sees_red_flags_and_the_newest_entries(app, roles, spending):
    page = support.text(support.Browser(app, "kiemtoan").get("/work"))
    sections = _sections(page)
    assert sections["red_flags"] >= 1 and "Chi trực tiếp chưa có chứng từ" in page
    assert f'href="/expenditures/{spending.direct["id"]}"' in page
    assert sections["audit_recent"] >= 1


def test_the_admin_sees_locked_accounts_and_missing_second_factors(app, roles, monkeypatch):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        token_response(app.test_client(), "huyen", "sai-mat-khau-roi")
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_ROLES", "finance_officer,auditor")
    page = support.text(support.Browser(app, "quantri").get("/work"))
    sections = _sections(page)
    assert sections["users_locked"] == 1 and "(huyen)" in page
    assert sections["users_without_second_factor"] == 2 and "(taichinh)" in page and "(kiemtoan)" in page
    assert 'href="/users?state=locked"' in page


@pytest.mark.parametrize("username", ("donvi", "taichinh", "kiemtoan", "quantri"))
def test_counting_takes_a_fixed_number_of_statements(app, roles, budget, username):
    browser = support.Browser(app, username)

    def counted(path):
        with support.CountedStatements(app) as statements:
            assert browser.get(path).status_code == 200
        return len(statements)

    def more_work(index):
        _returned_request(roles, title=f"Trả lại {index}")
        support.submitted_request(roles["unit"], support.line(10_000_000, "training"), title=f"Gửi {index}")
        commission = builders.propose(roles["unit"], budget.allocation("unit", "training"),
                                      budget.suppliers["training"], category="training", title=f"Ký {index}")
        builders.approve(roles["finance"], commission["id"])
        builders.propose(roles["unit"], budget.allocation("unit", "training"), budget.suppliers["training"],
                         category="training", title=f"Duyệt {index}")
        token_response(app.test_client(), "huyen", "sai-mat-khau-roi")

    more_work(0)  # one of each kind: every item of the role lists its rows
    before = counted("/work"), counted("/account")
    for index in range(1, 4):  # more of every kind of work: no more statements
        more_work(index)
    after = counted("/work"), counted("/account")
    assert after == before


def test_the_counts_are_one_statement_for_the_sql_items(app, roles):
    from app.auth.models import User
    from app.extensions import db
    with app.test_request_context():
        for username in ("donvi", "taichinh", "quantri"):
            user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
            with support.CountedStatements(app) as statements:
                counts_for(user)
            assert len(statements) == 1, username


def test_an_entry_without_a_group_joins_its_neighbours_or_the_default_menu():
    registry = Registry()
    registry.add_nav("somewhere.page", "Một trang", ("auditor", "admin"), 64)  # the old four-argument form
    registry.add_nav("work.index", "Việc cần làm", ("auditor", "admin"), 0, group="work")
    registry.add_nav("reports.page", "Báo cáo", ("auditor",), 63, group="reports")
    registry.add_nav("users.page", "Người dùng", ("auditor",), 5, group="admin")
    menus = registry.menus_for("auditor")
    assert [menu.group.key for menu in menus] == ["work", "reports", "admin"]
    assert [entry.endpoint for entry in menus[1].entries] == ["reports.page", "somewhere.page"]
    # the admin has no grouped entry beside it: the entry goes to the default menu ("Khác")
    assert [menu.group.key for menu in registry.menus_for("admin")] == ["work", DEFAULT_GROUP]
    assert registry.menus_for("unit_officer") == []
    with pytest.raises(ValueError):
        registry.add_nav("x.y", "X", ("admin",), group="no-such-group")
