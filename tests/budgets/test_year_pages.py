"""The budget year's pages: finance sees the preview, closes through the form (a bad decision date is
shown beside the field with what was typed), and reads the close report in the shape of Mẫu 31."""
from tests import support
from tests.budgets.builders import PAST


def test_finance_previews_and_closes_the_year_from_the_page(app, roles, past_year):
    browser = support.Browser(app, "taichinh")
    listing = support.text(browser.get("/years"))
    assert f'data-year="{PAST}"' in listing and "Đang thực hiện" in listing
    page = support.text(browser.get(f"/years/{PAST}"))
    assert past_year["carried"]["number"] in page and past_year["unsigned"]["number"] in page
    assert 'data-testid="close-form"' in page

    bad = browser.submit(f"/years/{PAST}", f"/years/{PAST}/close",
                         {"decision_no": "215/STC-QLNS", "decision_date": f"{PAST}-12-31"})
    assert bad.status_code == 422
    assert "215/STC-QLNS" in support.text(bad) and "decision_date" in support.text(bad)
    assert support.get(roles["finance"], f"/api/v1/years/{PAST}")["status"] == "open"

    done = browser.submit(f"/years/{PAST}", f"/years/{PAST}/close",
                          {"decision_no": "215/STC-QLNS", "decision_date": f"{PAST + 1}-02-06"}, follow_redirects=True)
    shown = support.text(done)
    assert done.status_code == 200 and "Đã khóa sổ năm 2025" in shown and 'data-testid="carry-envelope"' in shown
    report = support.text(browser.get(f"/years/{PAST}/settlement"))
    assert "04-SDKP/ĐVDT" in report and 'data-unit="SVHTTDL"' in report
    # (12) = (5) − (10) − (11): the press allocation carries 80.000.000 of commitment and 20.000.000 of advance
    assert 'data-col="carried_balance">80.000.000' in report and 'data-col="carried_advance">20.000.000' in report


def test_the_current_year_cannot_be_closed_yet_and_says_when(app, roles):
    page = support.text(support.Browser(app, "taichinh").get(f"/years/{support.YEAR}"))
    assert 'data-testid="close-refusal"' in page and f"31/01/{support.YEAR + 1}" in page
    assert 'data-testid="close-form"' not in page


def test_the_auditor_reads_without_the_form_and_units_are_refused(app, roles, past_year):
    page = support.text(support.Browser(app, "kiemtoan").get(f"/years/{PAST}"))
    assert past_year["carried"]["number"] in page and 'data-testid="close-form"' not in page
    assert support.Browser(app, "donvi").get(f"/years/{PAST}").status_code == 403


def test_the_years_page_reads_a_fixed_number_of_statements(app, roles):
    browser = support.Browser(app, "taichinh")

    def counted():
        with support.CountedStatements(app) as statements:
            assert browser.get("/years").status_code == 200
        return len(statements)
    few = counted()
    for year in (2021, 2022, 2023, 2024):  # more years listed, no more statements
        support.envelope(roles["finance"], 1_000_000, year=year)
    assert counted() == few
