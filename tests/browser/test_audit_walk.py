"""Issue 20's "done when", walked in a browser on the `spending` world (made through the API):

1. an auditor goes down from the envelope's page to the allocation, to the commission, to a payment
   and to every document of that payment (each download answered 200 with the file that was
   uploaded), then back up by the links on each page;
2. a unit officer attaches an invoice (a PDF) to its direct spending from the expenditure's page,
   sees it listed, and the 'direct spending without a document' flag clears.
"""
import io
import re

import pytest

from tests import support
from tests.browser.pages import by_testid, login
from tests.support import PDF_BYTES

pytestmark = pytest.mark.browser


def _pdf(label: str) -> bytes:
    """A small PDF of its own: a comment line makes each file's bytes different."""
    return PDF_BYTES.replace(b"%%EOF", f"% {label}\n%%EOF".encode())


def _attach(client, path: str, name: str, data: bytes) -> dict:
    response = client.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return support.ok(response, 201)


def _follow(page, link):
    """Click a link as a person does and wait for the page it opens."""
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    return href


def test_an_auditor_walks_from_the_envelope_to_every_document_of_a_payment_and_back(spending, roles, browsing,
                                                                                    artifacts):
    dic = roles["dic"]
    payment = spending.payment
    allocation_id = spending.budget.allocation("dic", "press")
    commission = spending.press
    # the payment's vouchers: the invoice on the entry, an acceptance record scan on each deliverable it pays
    files = {"hoa-don-TT-01.pdf": _pdf("hoa don TT-01/2026")}
    _attach(dic, f"/api/v1/expenditures/{payment['id']}/documents", "hoa-don-TT-01.pdf",
            files["hoa-don-TT-01.pdf"])
    for deliverable in commission["deliverables"]:
        name = f"bien-ban-nghiem-thu-{deliverable['id']}.pdf"
        files[name] = _pdf(f"bien ban {deliverable['id']}")
        _attach(dic, f"/api/v1/deliverables/{deliverable['id']}/documents", name, files[name])

    auditor = browsing.page()
    login(auditor, "kiemtoan")

    # --- down: the envelope lists its allocations
    auditor.goto(f"/envelopes/{spending.budget.envelope}")
    envelope_url = auditor.url
    _follow(auditor, by_testid(auditor, "envelope-allocations").locator(f"a[href='/allocations/{allocation_id}']"))
    assert auditor.url.endswith(f"/allocations/{allocation_id}")
    allocation_url = auditor.url

    # the allocation lists the commissions drawn on it
    row = auditor.locator(f"[data-testid=allocation-commission][data-id='{commission['id']}']")
    _follow(auditor, row.locator(f"a[href='/commissions/{commission['id']}']"))
    assert by_testid(auditor, "commission-number").inner_text() == commission["number"]
    commission_url = auditor.url
    # each deliverable's card names the payment that settled it
    by_testid(auditor, "tab-deliverables").click()
    for deliverable in commission["deliverables"]:
        card = auditor.locator(f"[data-testid=deliverable][data-id='{deliverable['id']}']")
        assert card.is_visible()
        assert "TT-01/2026" in card.locator("[data-testid=deliverable-payments]").inner_text()
    # the commission's payments are on its money tab
    by_testid(auditor, "tab-money").click()
    entry = auditor.locator("[data-testid=commission-expenditure][data-voucher='TT-01/2026']")
    assert entry.is_visible()
    auditor.screenshot(path=str(artifacts / "audit-walk-commission-money.png"), full_page=True)
    _follow(auditor, entry.locator(f"a[href='/expenditures/{payment['id']}']"))
    assert by_testid(auditor, "voucher-no").inner_text() == "TT-01/2026"

    # --- every document of the payment opens, and is the file that was attached
    links = auditor.locator("[data-testid=document-link]")
    assert sorted(links.all_inner_texts()) == sorted(files)
    assert by_testid(auditor, "expenditure-documents").locator("[data-testid=document-link]").inner_text() \
        == "hoa-don-TT-01.pdf"
    for link in links.all():
        name, href = link.inner_text(), link.get_attribute("href")
        answer = auditor.request.get(href)
        assert answer.status == 200, (name, answer.status)
        assert answer.body() == files[name], name
        assert answer.headers["content-type"].startswith("application/pdf"), name
    # and the Treasury's voucher drawn from the entry opens as a PDF
    treasury = by_testid(auditor, "treasury-pdf-open")
    if treasury.count():
        answer = auditor.request.get(treasury.get_attribute("href"))
        assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    auditor.screenshot(path=str(artifacts / "audit-walk-payment.png"), full_page=True)

    # --- back up, by the links each page offers
    trail = by_testid(auditor, "trail")
    assert trail.locator(f"[data-testid=trail-allocation] a[href='/allocations/{allocation_id}']").count() == 1
    assert trail.locator(f"[data-testid=trail-envelope] a[href='/envelopes/{spending.budget.envelope}']").count() == 1
    _follow(auditor, by_testid(auditor, "commission-link"))
    assert auditor.url == commission_url
    _follow(auditor, by_testid(auditor, "allocation-link"))
    assert auditor.url == allocation_url
    _follow(auditor, auditor.locator(f"main a[href='/envelopes/{spending.budget.envelope}']").first)
    assert auditor.url == envelope_url
    _follow(auditor, auditor.locator("main a[href='/envelopes']").first)
    assert re.search(r"/envelopes$", auditor.url)


def _direct_flags(page, expenditure_id):
    page.goto("/reports/flags")
    return page.locator(f"[data-testid=flag-row][data-code=direct_without_document]:has("
                        f"[data-testid=flag-link][href='/expenditures/{expenditure_id}'])")


def test_a_unit_officer_attaches_an_invoice_and_the_flag_clears(spending, browsing, artifacts):
    direct = spending.direct
    officer = browsing.page()
    login(officer, "donvi")
    assert _direct_flags(officer, direct["id"]).count() == 1  # direct spending without a document

    officer.goto(f"/expenditures/{direct['id']}")
    assert by_testid(officer, "expenditure-documents").count() == 0
    invoice = _pdf("hoa don +CT-03")
    form = by_testid(officer, "expenditure-upload-form")
    form.locator("[name=file]").set_input_files(
        files=[{"name": "hoa-don-CT-03.pdf", "mimeType": "application/pdf", "buffer": invoice}])
    with officer.expect_navigation():
        by_testid(officer, "expenditure-upload-form-submit").click()
    assert officer.url.endswith(f"/expenditures/{direct['id']}")
    assert "Đã đính kèm hoa-don-CT-03.pdf" in officer.content()
    listed = by_testid(officer, "expenditure-documents").locator("[data-testid=document-link]")
    assert listed.all_inner_texts() == ["hoa-don-CT-03.pdf"]
    answer = officer.request.get(listed.get_attribute("href"))
    assert answer.status == 200 and answer.body() == invoice
    officer.screenshot(path=str(artifacts / "audit-walk-invoice-attached.png"), full_page=True)

    assert _direct_flags(officer, direct["id"]).count() == 0  # the flag has cleared
