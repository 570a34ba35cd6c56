"""Who may do what: every route of `app.url_map` (API and pages) × every actor, from one table.

The table classifies each (endpoint, method); each class says what every actor hears (DESIGN §2):
anonymous 401 (API) or a redirect to /login (pages), a role without the right 403, another unit's
record 404, and an allowed actor anything but 401/403/404. The table gives every write a valid body,
so an allowed write must also go through (2xx/3xx); a route whose body cannot suit every allowed
actor says `must_succeed=False`. A route missing from the table fails, and so does a table row whose
route is gone: every route a domain adds is classified when it is written.

For every attempt the whole database is compared before and after: a refusal changes nothing, a
read changes nothing, a successful write adds exactly one audit entry. Refused writes are tried a
second time with a body that is wrong, and must be refused the same way (access before validation).

Records are built through the API once per module and saved (tests/support.py snapshots); web logins
go through /login and their cookies and CSRF tokens are kept with the snapshot. "Own" and "other"
are from the actor's point of view; every record another unit reads has been submitted (drafts are
the unit's own working papers), and the draft-only actions work on a request that was returned.
"""
import io
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests import support
from tests.commissions import builders
from tests.support import PASSWORD, ROLE_PEOPLE, ApiClient, database_fingerprint, restore_snapshot, take_snapshot

# --- what each actor hears ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    label: str
    status: int | None = None      # None: allowed (anything but 401/403/404, and no 5xx)
    to_login: bool = False         # a redirect to /login
    refused: bool = True

    def matches(self, response) -> bool:
        location = urlsplit(response.headers.get("Location", "")).path
        sent_to_login = response.status_code in (301, 302, 303) and location == "/login"
        if self.status is None:
            return response.status_code not in (401, 403, 404) and response.status_code < 500 \
                and not sent_to_login
        return response.status_code == self.status and (sent_to_login or not self.to_login)


ALLOWED = Expect("allowed", refused=False)
E401 = Expect("401", 401)
E403 = Expect("403", 403)
E404 = Expect("404", 404)
LOGIN = Expect("302 /login", 302, to_login=True)
LOGGED_OUT = Expect("302 /login (logged out)", 302, to_login=True, refused=False)
E422_UNKNOWN = Expect("422 (another unit's record named in the body reads as unknown)", 422)

# actor: (key of its credentials in the roles world, owner of the records it is given)
ACTORS = {
    "anonymous": (None, "unit"),
    "unit_own": ("unit", "unit"),
    "unit_other": ("other_unit", "unit"),
    "dic_own": ("dic", "dic"),
    "dic_other": ("dic", "unit"),
    "finance": ("finance", "unit"),
    "auditor": ("auditor", "unit"),
    "admin": ("admin", "unit"),
}
UNIT_ACTORS = ("unit_own", "unit_other", "dic_own", "dic_other")


def _klass(default, **by_actor):
    return {actor: by_actor.get(actor, default) for actor in ACTORS}


def _api_and_page(name, default, **by_actor):
    """One access rule, heard through the API (anonymous: 401) and the pages (anonymous: /login)."""
    return {name: _klass(default, anonymous=E401, **by_actor),
            f"page_{name}": _klass(default, anonymous=LOGIN, **by_actor)}


CLASSES = {
    "public": _klass(ALLOWED),
    "logout": _klass(LOGGED_OUT, anonymous=LOGIN),
    **_api_and_page("auth_any", ALLOWED),
    # money that every money role reads: envelopes and every list (scoped to the unit's own rows)
    **_api_and_page("read_all", ALLOWED, admin=E403),
    # one unit's record: another unit reads it as missing
    **_api_and_page("read_owned", ALLOWED, unit_other=E404, dic_other=E404, admin=E403),
    **_api_and_page("finance_write", E403, finance=ALLOWED),
    **_api_and_page("unit_create", E403, **{actor: ALLOWED for actor in UNIT_ACTORS}),
    # the owner unit's actions on its record: another unit hears 404, other roles 403
    **_api_and_page("owner_write", E403, unit_own=ALLOWED, dic_own=ALLOWED, unit_other=E404,
                    dic_other=E404),
    **_api_and_page("admin_only", E403, admin=ALLOWED),
    **_api_and_page("audit_read", ALLOWED, **{actor: E403 for actor in UNIT_ACTORS}),
    # the budget year (issue 15): finance and auditors read it, finance closes it
    **_api_and_page("year_read", E403, finance=ALLOWED, auditor=ALLOWED),
    # --- commissions (issue 9) ---------------------------------------------------------------
    # suppliers are added by admins, finance and the DIC (DESIGN §6)
    "supplier_write": _klass(E403, anonymous=E401, admin=ALLOWED, finance=ALLOWED, dic_own=ALLOWED,
                             dic_other=ALLOWED),
    # a unit proposes on its own allocation; another unit's allocation, named in the body, reads
    # exactly as one that does not exist: 422 naming `allocation_id`
    "propose": _klass(E403, anonymous=E401, unit_own=ALLOWED, dic_own=ALLOWED, unit_other=E422_UNKNOWN,
                      dic_other=E422_UNKNOWN),
    # --- accounts (issue 17) ---------------------------------------------------------------------
    "page_supplier_write": _klass(E403, anonymous=LOGIN, admin=ALLOWED, finance=ALLOWED, dic_own=ALLOWED,
                                  dic_other=ALLOWED),
    # the login's second step without a password checked first: back to the login form, whoever asks
    "login_code": _klass(LOGIN),
    # --- background exports (issue 19): the person who started the job, and nobody else ------------
    "page_chain_check": _klass(E403, anonymous=LOGIN, finance=ALLOWED, auditor=ALLOWED),
    "page_asker_only": _klass(E404, anonymous=LOGIN, unit_own=ALLOWED, dic_own=ALLOWED, admin=E403),
}
assert all(name in CLASSES for name in ("page_finance_write", "page_owner_write"))

# --- the table ---------------------------------------------------------------------------------

YEAR = support.YEAR
REASON = {"reason": "Lý do của Sở Tài chính"}
NEW_PASSWORD = "mot-mat-khau-moi-2026"
REQUEST_FORM = {"fiscal_year": str(YEAR), "title": "Đề nghị mới", "lines-0-category": "press",
                "lines-0-description": "Tin bài", "lines-0-quantity": "1", "lines-0-unit_cost": "1.000"}


@dataclass(frozen=True)
class Route:
    klass: str
    body: object = None            # a dict, or a function of the records; a valid body
    request: str = "submitted"     # which request a <request_id> names: "submitted" or "returned"
    commission: str = "proposed"   # which commission a <commission_id> names (see _add_commissions)
    deliverable: str = "planned"   # which deliverable a <deliverable_id> names: "planned" or "delivered"
    upload: bool = False           # a multipart body with a file
    headers: object = None         # extra headers: a dict, or a function of nothing (a fresh value per call)
    must_succeed: bool = True      # an allowed actor's valid body goes through (2xx/3xx, one audit entry)
    path: dict | None = None       # path arguments taken from other records: {argument: key of the records}

    def values(self, records) -> dict | None:
        return self.body(records) if callable(self.body) else self.body

    def extra_headers(self) -> dict:
        return (self.headers() if callable(self.headers) else self.headers) or {}


SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}  # static files

ROUTES = {
    # --- kernel: health, OpenAPI, tokens, users, units, audit -----------------------------------
    ("core.healthz", "GET"): Route("public"),
    ("api-docs.openapi_json", "GET"): Route("public"),
    ("auth_api.issue_token", "POST"): Route("public", {"username": "kiemtoan", "password": PASSWORD}),
    ("auth_api.revoke_token", "DELETE"): Route("auth_any"),
    ("auth_api.me", "GET"): Route("auth_any"),
    ("auth_api.create_user", "POST"): Route("admin_only", {
        "username": "moi", "password": "mat-khau-bi-mat-123", "full_name": "Mới", "role": "auditor"}),
    ("units_api.list_units", "GET"): Route("auth_any"),
    ("units_api.create_unit", "POST"): Route("admin_only", {"code": "SYT", "name": "Sở Y tế",
                                                            "kind": "department"}),
    ("audit_api.list_audit", "GET"): Route("audit_read"),
    # --- budgets API --------------------------------------------------------------------------
    ("envelopes_api.list_envelopes", "GET"): Route("read_all"),
    ("envelopes_api.create_envelope", "POST"): Route("finance_write", {
        "fiscal_year": YEAR, "code": "MOI", "name": "Nguồn mới", "amount": 10, "decision_no": "1/QĐ",
        "decision_date": f"{YEAR}-02-01"}),
    ("envelopes_api.get_envelope", "GET"): Route("read_all"),
    ("envelopes_api.add_supplement", "POST"): Route("finance_write", {
        "amount": 10, "decision_no": "2/QĐ", "decision_date": f"{YEAR}-02-01"}),
    ("requests_api.list_requests", "GET"): Route("read_all"),
    ("requests_api.create_request", "POST"): Route("unit_create", {
        "fiscal_year": YEAR, "title": "Đề nghị mới", "lines": [support.line(1000)]}),
    ("requests_api.get_request", "GET"): Route("read_owned"),
    ("requests_api.update_request", "PATCH"): Route("owner_write", {"title": "Tiêu đề sửa"},
                                                    request="returned"),
    ("requests_api.submit_request", "POST"): Route("owner_write", request="returned"),
    ("requests_api.withdraw_request", "POST"): Route("owner_write", request="returned"),
    ("requests_api.return_request", "POST"): Route("finance_write", REASON),
    ("requests_api.reject_request", "POST"): Route("finance_write", REASON),
    ("requests_api.list_request_documents", "GET"): Route("read_owned"),
    ("requests_api.request_pdf", "GET"): Route("read_owned"),  # the request as sent (issue 18)
    ("requests_api.upload_request_document", "POST"): Route("owner_write", upload=True),
    ("allocations_api.list_allocations", "GET"): Route("read_all"),
    ("allocations_api.create_allocation", "POST"): Route(
        "finance_write", lambda r: support.allocation_body(r["envelope"], r["unit_code"], 5)),
    ("allocations_api.get_allocation", "GET"): Route("read_owned"),
    ("allocations_api.adjust_allocation", "POST"): Route("finance_write", {
        "amount": -5, "reason": "Giảm dự toán", "decision_no": "3/QĐ"}),
    ("documents_api.download_document", "GET"): Route("read_owned"),
    # --- pages: kernel ------------------------------------------------------------------------
    ("auth.login", "GET"): Route("public"),
    ("auth.login", "POST"): Route("public", {"username": "kiemtoan", "password": PASSWORD}),
    ("auth.logout", "POST"): Route("logout", {}),
    ("auth.home", "GET"): Route("page_auth_any"),
    ("work.index", "GET"): Route("page_auth_any"),  # Việc cần làm: each role its own work (app/work)
    ("core.set_language", "GET"): Route("public"),
    ("core.audit_csv", "GET"): Route("page_audit_read"),
    ("core.audit_xlsx", "GET"): Route("page_audit_read"),
    ("core.verify_audit_chain", "POST"): Route("page_chain_check", {}),
    ("core.audit_trail", "GET"): Route("page_audit_read"),
    ("units.list_units", "GET"): Route("page_admin_only"),
    ("units.create_unit", "POST"): Route("page_admin_only", {"code": "SYT", "name": "Sở Y tế",
                                                             "kind": "department"}),
    # --- pages: budgets -----------------------------------------------------------------------
    ("budgets.dashboard", "GET"): Route("page_read_all"),
    ("budgets.list_requests", "GET"): Route("page_read_all"),
    ("budgets.list_requests_csv", "GET"): Route("page_read_all"),   # the list's downloads (issue 20)
    ("budgets.list_requests_xlsx", "GET"): Route("page_read_all"),
    ("budgets.list_allocations", "GET"): Route("page_read_all"),   # the allocation list (issue 20) and its downloads
    ("budgets.list_allocations_csv", "GET"): Route("page_read_all"),
    ("budgets.list_allocations_xlsx", "GET"): Route("page_read_all"),
    ("budgets.new_request", "GET"): Route("page_unit_create"),
    ("budgets.new_request", "POST"): Route("page_unit_create", REQUEST_FORM),
    ("budgets.show_request", "GET"): Route("page_read_owned"),
    ("budgets.request_pdf", "GET"): Route("page_read_owned"),
    ("budgets.edit_request", "GET"): Route("page_owner_write", request="returned"),
    ("budgets.edit_request", "POST"): Route(
        "page_owner_write", {k: v for k, v in REQUEST_FORM.items() if k != "fiscal_year"}, request="returned"),
    ("budgets.submit_request", "POST"): Route("page_owner_write", {}, request="returned"),
    ("budgets.withdraw_request", "POST"): Route("page_owner_write", {}, request="returned"),
    ("budgets.return_request", "POST"): Route("page_finance_write", REASON),
    ("budgets.reject_request", "POST"): Route("page_finance_write", REASON),
    ("budgets.allocate_request", "POST"): Route("page_finance_write", lambda r: {
        "envelope_id": str(r["envelope"]), "category": "press", "amount": "5", "decision_no": "9/QĐ-STC",
        "decision_date": f"{YEAR}-03-15"}),
    ("budgets.upload_request_document", "POST"): Route("page_owner_write", {}, upload=True),
    ("core.download_document", "GET"): Route("page_read_owned"),
    ("budgets.finance_queue", "GET"): Route("page_finance_write"),
    ("budgets.list_envelopes", "GET"): Route("page_read_all"),
    ("budgets.create_envelope", "POST"): Route("page_finance_write", {
        "fiscal_year": str(YEAR), "code": "MOI", "name": "Nguồn mới", "amount": "10", "decision_no": "1/QĐ",
        "decision_date": f"{YEAR}-02-01"}),
    ("budgets.show_envelope", "GET"): Route("page_read_all"),
    ("budgets.add_supplement", "POST"): Route("page_finance_write", {
        "amount": "10", "decision_no": "2/QĐ", "decision_date": f"{YEAR}-02-01"}),
    ("budgets.show_allocation", "GET"): Route("page_read_owned"),
    ("budgets.adjust_allocation", "POST"): Route("page_finance_write", {
        "amount": "-5", "reason": "Giảm dự toán", "decision_no": "3/QĐ"}),
    # --- commissions API (issue 9): suppliers, commissions, deliverables ------------------------
    ("suppliers_api.list_suppliers", "GET"): Route("auth_any"),
    ("suppliers_api.get_supplier", "GET"): Route("auth_any"),
    ("suppliers_api.create_supplier", "POST"): Route("supplier_write", {
        "name": "Báo Nhân Dân", "kind": "press", "tax_code": "0100111111"}),
    ("commissions_api.list_commissions", "GET"): Route("read_all"),
    ("commissions_api.create_commission", "POST"): Route("propose", lambda r: builders.commission_body(
        r["commission_allocation"], r["supplier"], category=r["category"])),
    ("commissions_api.get_commission", "GET"): Route("read_owned"),
    ("commissions_api.approve_commission", "POST"): Route("finance_write"),
    ("commissions_api.reject_commission", "POST"): Route("finance_write", REASON),
    ("commissions_api.sign_commission", "POST"): Route("owner_write", {
        "contract_no": "05/2026/HĐ", "signed_on": f"{YEAR}-02-01"}, commission="approved"),
    ("commissions_api.cancel_commission", "POST"): Route("owner_write", REASON, commission="approved"),
    ("commissions_api.close_commission", "POST"): Route("owner_write", {
        "liquidation_no": "TL-01", "liquidated_on": f"{YEAR}-09-30"}, commission="closable"),
    ("commissions_api.list_commission_documents", "GET"): Route("read_owned"),
    ("commissions_api.upload_commission_document", "POST"): Route("owner_write", upload=True),
    ("deliverables_api.list_deliverables", "GET"): Route("read_all"),
    ("deliverables_api.get_deliverable", "GET"): Route("read_owned"),
    ("deliverables_api.deliver", "POST"): Route("owner_write", {
        "delivered_on": f"{YEAR}-05-01", "quantity": 1, "evidence_url": "https://baogialai.com.vn/a"}),
    ("deliverables_api.accept", "POST"): Route("owner_write", {
        "accepted_on": f"{YEAR}-05-06", "accepted_quantity": 1, "record_no": "BB-NT-01"}, deliverable="delivered"),
    ("deliverables_api.reject", "POST"): Route("owner_write", REASON, deliverable="delivered"),
    ("deliverables_api.list_deliverable_documents", "GET"): Route("read_owned"),
    ("deliverables_api.upload_deliverable_document", "POST"): Route("owner_write", upload=True),
    # the minutes as PDF (issue 18), read as the record is
    ("deliverables_api.acceptance_pdf", "GET"): Route("read_owned", deliverable="accepted"),
    ("commissions_api.liquidation_pdf", "GET"): Route("read_owned", commission="closed"),
    # --- expenditures API (issue 10; records from _add_expenditures) ----------------------------
    ("expenditures_api.list_expenditures", "GET"): Route("read_all"),
    # direct spending on the owner's training allocation; another unit's allocation reads as unknown
    ("expenditures_api.create_expenditure", "POST"): Route("propose", lambda r: {
        "allocation_id": r["training_allocation"], "kind": "direct", "amount": 1_000_000,
        "paid_on": f"{YEAR}-04-01", "voucher_no": "PC-MOI", "payee": "Trường Chính trị tỉnh",
        "description": "Lớp bồi dưỡng phát ngôn"}, headers=lambda: {"Idempotency-Key": _fresh_key()}),
    ("expenditures_api.get_expenditure", "GET"): Route("read_owned"),
    ("expenditures_api.treasury_pdf", "GET"): Route("read_owned"),
    ("expenditures_api.reverse_expenditure", "POST"): Route("finance_write", REASON),
    ("expenditures_api.list_expenditure_documents", "GET"): Route("read_owned"),
    ("expenditures_api.upload_expenditure_document", "POST"): Route("owner_write", upload=True),
    # --- end of the commissions API block ---------------------------------------------------------
    # --- pages: commissions (issue 9; records from _commission_records) ------------------------
    ("commissions.list_commissions", "GET"): Route("page_read_all"),
    ("commissions.list_commissions_csv", "GET"): Route("page_read_all"),   # the list's downloads (issue 20)
    ("commissions.list_commissions_xlsx", "GET"): Route("page_read_all"),
    ("commissions.new_commission", "GET"): Route("page_unit_create"),
    # another unit's allocation is not among the form's choices: 422 for it, so no must_succeed
    ("commissions.new_commission", "POST"): Route("page_unit_create", lambda r: {
        "allocation_id": str(r["training_allocation"]), "supplier_id": str(r["supplier"]),
        "title": "Lớp bồi dưỡng", "topic": "Truyền thông chính sách", "method": "bidding",
        "deliverables-0-title": "Lớp học", "deliverables-0-kind": "training_course",
        "deliverables-0-quantity": "1", "deliverables-0-unit_price": "1.000.000",
        "deliverables-0-due_date": f"{YEAR}-11-30"}, must_succeed=False),
    ("commissions.approval_queue", "GET"): Route("page_finance_write"),
    ("commissions.overdue_deliverables", "GET"): Route("page_read_all"),
    ("commissions.overdue_deliverables_csv", "GET"): Route("page_read_all"),   # the list's downloads (issue 20)
    ("commissions.overdue_deliverables_xlsx", "GET"): Route("page_read_all"),
    ("commissions.show_commission", "GET"): Route("page_read_owned"),
    ("commissions.approve_commission", "POST"): Route("page_finance_write", {}),
    ("commissions.reject_commission", "POST"): Route("page_finance_write", REASON),
    ("commissions.sign_commission", "POST"): Route("page_owner_write", {
        "contract_no": "9/HĐ", "signed_on": f"{YEAR}-02-01"}, commission="approved"),
    ("commissions.cancel_commission", "POST"): Route("page_owner_write", REASON, commission="approved"),
    ("commissions.close_commission", "POST"): Route("page_owner_write", {
        "liquidation_no": "1/BB-TL", "liquidated_on": f"{YEAR}-06-30"}, commission="closable"),
    ("commissions.upload_commission_document", "POST"): Route("page_owner_write", {}, upload=True),
    ("commissions.deliver", "POST"): Route("page_owner_write", {"delivered_on": f"{YEAR}-03-01", "quantity": "1"}),
    ("commissions.accept", "POST"): Route("page_owner_write", {
        "accepted_on": f"{YEAR}-06-20", "accepted_quantity": "1", "record_no": "1/BB-NT"}, deliverable="delivered"),
    ("commissions.reject_delivery", "POST"): Route("page_owner_write", REASON, deliverable="delivered"),
    ("commissions.upload_deliverable_document", "POST"): Route("page_owner_write", {}, upload=True),
    ("commissions.acceptance_pdf", "GET"): Route("page_read_owned", deliverable="accepted"),
    ("commissions.liquidation_pdf", "GET"): Route("page_read_owned", commission="closed"),
    # --- end of pages: commissions -------------------------------------------------------------
    # --- pages: expenditures (issue 10; records from _add_expenditures) --------------------------
    ("expenditures.list_expenditures", "GET"): Route("page_read_all"),
    ("expenditures.list_expenditures_csv", "GET"): Route("page_read_all"),   # the list's downloads (issue 20)
    ("expenditures.list_expenditures_xlsx", "GET"): Route("page_read_all"),
    ("expenditures.show_expenditure", "GET"): Route("page_read_owned"),
    ("expenditures.treasury_pdf", "GET"): Route("page_read_owned"),
    ("expenditures.upload_document", "POST"): Route("page_owner_write", {}, upload=True),
    ("expenditures.show_deliverable", "GET"): Route("page_read_owned"),
    ("expenditures.reverse", "POST"): Route("page_finance_write", REASON),
    ("expenditures.record_on_commission", "POST"): Route("page_owner_write", {
        "kind": "advance", "amount": "1.000", "paid_on": f"{YEAR}-04-01", "voucher_no": "TU-TRANG",
        "payee": "Trung tâm Truyền thông tỉnh", "description": "Tạm ứng theo hợp đồng"}, commission="signed"),
    ("expenditures.new_direct", "GET"): Route("page_unit_create"),
    # another unit's allocation is not among the form's choices: 422 for it, so no must_succeed
    ("expenditures.new_direct", "POST"): Route("page_unit_create", lambda r: {
        "allocation_id": str(r["training_allocation"]), "amount": "1.000", "paid_on": f"{YEAR}-04-01",
        "voucher_no": "PC-TRANG", "payee": "Trường Chính trị tỉnh", "description": "Lớp bồi dưỡng"},
        must_succeed=False),
    # --- end of pages: expenditures ------------------------------------------------------------
    # --- reports (issue 11): every money reader, scoped to its unit; admins read no money ---------
    ("reports_api.execution_report", "GET"): Route("read_all"),
    ("reports_api.ledger_xlsx", "GET"): Route("read_all"),
    ("reports_api.ledger_csv", "GET"): Route("read_all"),
    ("reports_api.ocds_package", "GET"): Route("read_all"),
    ("reports_api.list_flags", "GET"): Route("read_all"),
    ("reports_api.outputs_report", "GET"): Route("read_all"),
    ("reports.outputs_page", "GET"): Route("page_read_all"),
    ("reports_api.periodic_report", "GET"): Route("read_all"),  # the DIC's periodic report (issue 21)
    ("periodic.periodic_page", "GET"): Route("page_read_all"),
    ("periodic.periodic_xlsx", "GET"): Route("page_read_all"),
    ("periodic.periodic_pdf", "GET"): Route("page_read_all"),
    ("public_api.public_disclosure", "GET"): Route("public"),
    ("public_api.public_disclosure_commissions", "GET"): Route("public"),  # its lists a page at a time (issue 22)
    ("public_api.public_disclosure_deliverables", "GET"): Route("public"),
    ("disclosure.disclosure_page", "GET"): Route("public"),
    ("disclosure.disclosure_csv", "GET"): Route("public"),
    ("disclosure.disclosure_ocds", "GET"): Route("public"),
    ("reports.dashboard", "GET"): Route("page_read_all"),
    ("reports.flags_page", "GET"): Route("page_read_all"),
    ("flag_reviews.flags_csv", "GET"): Route("page_read_all"),
    # a flag that does not stand in the world: finance and auditors hear 409 (must_succeed=False)
    ("flag_reviews.handle_flag", "POST"): Route("page_chain_check", {
        "fiscal_year": str(YEAR), "code": "deliverable_overdue", "entity": "deliverable", "entity_id": "1",
        "note": "Đã nhắc nhà cung cấp"}, must_succeed=False),
    ("reports.ledger_xlsx", "GET"): Route("page_read_all"),
    ("reports.ledger_csv", "GET"): Route("page_read_all"),
    # --- end of reports ------------------------------------------------------------------------
    # --- transfers between allocations (issue 15; records from _add_transfers) --------------------
    ("transfers_api.list_transfers", "GET"): Route("read_all"),
    ("transfers_api.get_transfer", "GET"): Route("read_owned"),
    ("transfers_api.create_transfer", "POST"): Route("finance_write", lambda r: {
        "from_allocation_id": r["training_allocation"], "to_allocation_id": r["allocation"], "amount": 5,
        "decision_no": "4/QĐ-UBND", "decision_date": f"{YEAR}-06-01", "reason": "Điều chỉnh dự toán"},
        headers=lambda: {"Idempotency-Key": _fresh_key()}),
    ("budgets.transfers", "GET"): Route("page_finance_write"),
    ("budgets.create_transfer", "POST"): Route("page_finance_write", lambda r: {
        "from_allocation_id": str(r["training_allocation"]), "to_allocation_id": str(r["allocation"]),
        "amount": "1.000", "decision_no": "5/QĐ-UBND", "decision_date": f"{YEAR}-06-01",
        "reason": "Điều chỉnh dự toán"}),
    # --- end of transfers ----------------------------------------------------------------------
    # --- the budget year (issue 15) -------------------------------------------------------------
    ("years_api.get_year", "GET"): Route("year_read"),
    ("years_api.close_preview", "GET"): Route("year_read"),
    ("years_api.settlement", "GET"): Route("year_read"),
    ("years_api.close_year", "POST"): Route("finance_write", {
        "decision_no": "15/STC-QLNS", "decision_date": f"{YEAR}-02-06"}),
    ("years.list_years", "GET"): Route("page_year_read"),
    ("years.show_year", "GET"): Route("page_year_read"),
    ("years.settlement", "GET"): Route("page_year_read"),
    ("years.close_year", "POST"): Route("page_finance_write", {
        "decision_no": "15/STC-QLNS", "decision_date": f"{YEAR}-02-06"}),
    # --- end of the budget year -------------------------------------------------------------------
    # --- accounts (issue 17; records from _add_accounts) -------------------------------------------
    ("auth_api.change_own_password", "POST"): Route("auth_any", {"current_password": PASSWORD,
                                                                 "new_password": NEW_PASSWORD}),
    ("auth_api.start_totp", "POST"): Route("auth_any"),
    # nobody of the roles world has started an enrolment: 409, nothing changes
    ("auth_api.confirm_totp", "POST"): Route("auth_any", {"code": "123456"}, must_succeed=False),
    ("auth_api.list_users", "GET"): Route("admin_only"),
    ("auth_api.get_user", "GET"): Route("admin_only"),
    ("auth_api.update_user", "PATCH"): Route("admin_only", {"full_name": "Tên đã sửa"}),
    ("auth_api.set_user_password", "POST"): Route("admin_only", {"password": NEW_PASSWORD}),
    ("auth_api.unlock_user", "POST"): Route("admin_only"),
    ("auth_api.revoke_user_sessions", "POST"): Route("admin_only"),
    ("auth_api.reset_user_totp", "POST"): Route("admin_only"),
    ("auth_api.confirm_user_role", "POST"): Route("finance_write", path={"user_id": "grantee"}),
    ("units_api.get_unit", "GET"): Route("auth_any", path={"code": "unit_code"}),
    ("units_api.update_unit", "PATCH"): Route("admin_only", {"name": "Tên đơn vị đã sửa"}, path={"code": "unit_code"}),
    ("suppliers_api.update_supplier", "PATCH"): Route("supplier_write", {"name": "Tên nhà cung cấp đã sửa"}),
    ("auth.login_code", "GET"): Route("login_code"),
    ("auth.login_code", "POST"): Route("login_code", {"code": "123456"}),
    ("auth.account", "GET"): Route("page_auth_any"),
    # --- pages: background exports (issue 19; jobs from _add_export_jobs) ---------------------------
    ("exports.start_export", "POST"): Route("page_read_all", {"kind": "ledger_csv", "fiscal_year": str(YEAR)}),
    ("exports.show_export", "GET"): Route("page_asker_only", path={"job_id": "export_job"}),
    ("exports.export_status", "GET"): Route("page_asker_only", path={"job_id": "export_job"}),
    ("exports.export_file", "GET"): Route("page_asker_only", path={"job_id": "export_job"}),
    # --- pages: notices (issue 19) -----------------------------------------------------------------
    ("notices.inbox", "GET"): Route("page_auth_any"),
    ("notices.mark_read", "POST"): Route("page_auth_any", {}),
    ("notices.settings", "GET"): Route("page_auth_any"),
    ("notices.settings", "POST"): Route("page_auth_any", {"email": "thong.bao@gialai.gov.vn"}),
    ("auth.change_password", "GET"): Route("page_auth_any"),
    ("auth.change_password", "POST"): Route("page_auth_any", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}),
    ("auth.totp_setup", "GET"): Route("page_auth_any"),
    ("auth.totp_start", "POST"): Route("page_auth_any", {}),
    ("auth.totp_confirm", "POST"): Route("page_auth_any", {"code": "123456"}, must_succeed=False),
    ("users.list_users", "GET"): Route("page_admin_only"),
    ("users.list_users_csv", "GET"): Route("page_admin_only"),   # the list's downloads (issue 20)
    ("users.list_users_xlsx", "GET"): Route("page_admin_only"),
    ("users.new_user", "GET"): Route("page_admin_only"),
    ("users.create_user", "POST"): Route("page_admin_only", {
        "username": "canbo.moi", "full_name": "Người Mới", "role": "auditor", "password": NEW_PASSWORD}),
    ("users.show_user", "GET"): Route("page_admin_only"),
    ("users.update_user", "POST"): Route("page_admin_only", {"full_name": "Tên đã sửa", "role": "unit_officer",
                                                            "unit_code": "STP"}),
    ("users.deactivate_user", "POST"): Route("page_admin_only", {}),
    # the account is active: reactivating it is refused (409), nothing changes
    ("users.reactivate_user", "POST"): Route("page_admin_only", {}, must_succeed=False),
    ("users.set_password", "POST"): Route("page_admin_only", {"password": NEW_PASSWORD}),
    ("users.unlock_user", "POST"): Route("page_admin_only", {}),
    ("users.revoke_sessions", "POST"): Route("page_admin_only", {}),
    ("users.reset_totp", "POST"): Route("page_admin_only", {}),
    ("users.role_grants", "GET"): Route("page_finance_write"),
    ("users.confirm_role", "POST"): Route("page_finance_write", {}, path={"user_id": "grantee"}),
    ("units.edit_unit", "GET"): Route("page_admin_only", path={"code": "unit_code"}),
    ("units.update_unit", "POST"): Route("page_admin_only", {"name": "Tên đơn vị đã sửa"}, path={"code": "unit_code"}),
    ("units.deactivate_unit", "POST"): Route("page_admin_only", {}, path={"code": "idle_unit"}),
    ("units.reactivate_unit", "POST"): Route("page_admin_only", {}, path={"code": "idle_unit"}, must_succeed=False),
    ("suppliers.list_suppliers", "GET"): Route("page_supplier_write"),
    ("suppliers.list_suppliers_csv", "GET"): Route("page_supplier_write"),   # the list's downloads (issue 20)
    ("suppliers.list_suppliers_xlsx", "GET"): Route("page_supplier_write"),
    ("suppliers.create_supplier", "POST"): Route("page_supplier_write", {
        "name": "Báo Nhân Dân", "kind": "press", "tax_code": "0100111111"}),
    ("suppliers.edit_supplier", "GET"): Route("page_supplier_write"),
    ("suppliers.update_supplier", "POST"): Route("page_supplier_write", {
        "name": "Tên nhà cung cấp đã sửa", "kind": "other", "tax_code": "0100222222",
        "bank_account": "0123456789", "bank_name": "Ngân hàng Nông nghiệp, chi nhánh Gia Lai"}),
    # --- the managed list of policy topics (issue 21): everyone reads it, admins change it ---------
    ("topics_api.list_topics", "GET"): Route("auth_any"),
    ("topics_api.get_topic", "GET"): Route("auth_any", path={"code": "topic"}),
    ("topics_api.create_topic", "POST"): Route("admin_only", {"name": "An toàn giao thông"}),
    ("topics_api.update_topic", "PATCH"): Route("admin_only", {"name": "Y tế, giáo dục, đào tạo"},
                                                path={"code": "topic"}),
    ("topics.list_topics", "GET"): Route("page_admin_only"),
    ("topics.create_topic", "POST"): Route("page_admin_only", {"name": "An toàn giao thông"}),
    ("topics.edit_topic", "GET"): Route("page_admin_only", path={"code": "topic"}),
    ("topics.update_topic", "POST"): Route("page_admin_only", {"name": "Y tế, giáo dục, đào tạo", "position": "75"},
                                           path={"code": "topic"}),
    ("topics.deactivate_topic", "POST"): Route("page_admin_only", {}, path={"code": "topic"}),
    # the topic is in use: reactivating it is refused (409), nothing changes
    ("topics.reactivate_topic", "POST"): Route("page_admin_only", {}, path={"code": "topic"}, must_succeed=False),
    # --- end of accounts ---------------------------------------------------------------------------
}

# A body every write route refuses (a field no schema knows, a missing file): a caller without
# the right must hear the same refusal with it, before any validation.
WRONG_JSON = {"amount": "nhiều", "unknown_field": True}
WRONG_FORM = {"amount": "nhiều", "fiscal_year": "abc"}

# Refusals that today come after the body is validated (reported; not fixed here). A wrong body
# from a caller without the right gets 422, where the rule is 403 (or 404 for another unit's
# record) whatever was sent. The main matrix skips only the wrong-body pass for these routes;
# test_refusal_before_validation_known_gaps keeps them visible.
VALIDATION_BEFORE_REFUSAL: dict = {}  # routes that validate the body before refusing: none left

# --- the saved world ---------------------------------------------------------------------------

_keys = itertools.count(1)


def _fresh_key() -> str:
    return f"matrix-{next(_keys)}"


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Login:
    cookie: str
    csrf: str


@dataclass
class MatrixWorld:
    app: object
    snapshot: object
    tokens: dict
    logins: dict
    records: dict                  # owner key -> {envelope, submitted, returned, allocation, document, unit_code}
    pristine: dict = field(default_factory=dict)
    dirty: bool = True

    def reset(self):
        """Back to the saved world, unless the last attempt left it as it was."""
        if self.dirty:
            restore_snapshot(self.app, self.snapshot)
            self.dirty = False

    def call(self, endpoint, method, route, actor, *, wrong_body=False):
        who, owner = ACTORS[actor]
        records = self.records[owner]
        rule = next(r for r in self.app.url_map.iter_rules(endpoint) if method in r.methods)
        values = {"request_id": records[route.request], "allocation_id": records["allocation"],
                  "envelope_id": records["envelope"], "document_id": records["document"], "code": "en",
                  "commission_id": records["commissions"][route.commission],
                  "deliverable_id": records["deliverables"][route.deliverable],
                  "supplier_id": records["supplier"], "expenditure_id": records["expenditure"],
                  "year": YEAR - 1}  # a past year: its correction period is over, it may be closed
        values["transfer_id"] = records["transfer"]
        values["user_id"] = records["account"]
        values.update({argument: records[key] for argument, key in (route.path or {}).items()})
        path = self.app.url_map.bind("localhost").build(
            endpoint, {k: v for k, v in values.items() if k in rule.arguments}, method=method)
        client = self.app.test_client()
        if rule.rule.startswith("/api/"):
            api = ApiClient(client, self.tokens.get(who))
            headers = route.extra_headers()
            if method == "GET":
                return api.get(path, headers=headers)
            if route.upload:
                files = {} if wrong_body else {"file": (io.BytesIO(support.PDF_BYTES), "bien-ban.pdf")}
                return api.post(path, data=files, content_type="multipart/form-data", headers=headers)
            body = WRONG_JSON if wrong_body else route.values(records)
            return {"POST": api.post, "PATCH": api.patch, "DELETE": api.delete}[method](
                path, headers=headers, **({"json": body} if method != "DELETE" else {}))
        login = self.logins[who]
        client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], login.cookie)
        if method == "GET":
            return client.get(path)
        data = {"csrf_token": login.csrf, **(WRONG_FORM if wrong_body else route.values(records))}
        if route.upload:
            if not wrong_body:
                data["file"] = (io.BytesIO(support.PDF_BYTES), "bien-ban.pdf")
            return client.post(path, data=data, content_type="multipart/form-data")
        return client.post(path, data=data)


def _log_in(app, username) -> Login:
    """A web login through the form, as a browser does it; the cookie and a CSRF token are kept."""
    client = app.test_client()
    page = client.get("/login")
    if username is None:
        csrf = CSRF.search(page.get_data(as_text=True)).group(1)
        return Login(client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, csrf)
    response = client.post("/login", data={"csrf_token": CSRF.search(page.get_data(as_text=True)).group(1),
                                           "username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    home = client.get("/", follow_redirects=True)  # every page carries the logout form and its token
    assert home.status_code == 200
    return Login(client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value,
                 CSRF.search(home.get_data(as_text=True)).group(1))


def _commission_records(clients, records):
    """A training allocation for STP and for the DIC, for the proposal page's row (its commissions
    are superseded in `records` by `_add_commissions`, which the API and page rows both use)."""
    finance = clients["finance"]
    supplier = support.ok(finance.post("/api/v1/suppliers", json={
        "name": "Trường Chính trị tỉnh Gia Lai", "kind": "training", "tax_code": "5902258479"}), 201)["id"]
    for owner in ("unit", "dic"):
        officer, mine = clients[owner], records[owner]
        allocation = support.allocation(finance, mine["envelope"], mine["unit_code"], 200_000_000,
                                        category="training")["id"]

        def propose(lines=1):
            created = support.ok(officer.post("/api/v1/commissions", json={
                "allocation_id": allocation, "supplier_id": supplier, "title": "Bồi dưỡng kỹ năng",
                "method": "bidding", "topic": "Truyền thông chính sách", "deliverables": [
                    {"title": f"Lớp {i}", "kind": "training_course", "quantity": 2, "unit_price": 1_000_000,
                     "due_date": f"{YEAR}-10-30"} for i in range(lines)]}), 201)
            return created["id"], [d["id"] for d in created["deliverables"]]

        def approve_and_sign(commission_id):
            support.ok(finance.post(f"/api/v1/commissions/{commission_id}/approve"), 200)
            support.ok(officer.post(f"/api/v1/commissions/{commission_id}/sign", json={
                "contract_no": "1/HĐ", "signed_on": f"{YEAR}-02-01"}), 200)

        def deliver(deliverable_id):
            support.ok(officer.post(f"/api/v1/deliverables/{deliverable_id}/deliver", json={
                "delivered_on": f"{YEAR}-03-10", "quantity": 2}), 200)

        proposed, _ = propose()
        approved, _ = propose()
        support.ok(finance.post(f"/api/v1/commissions/{approved}/approve"), 200)
        signed, (planned, delivered) = propose(lines=2)
        approve_and_sign(signed)
        deliver(delivered)
        closable, (accepted,) = propose()
        approve_and_sign(closable)
        deliver(accepted)
        support.ok(officer.post(f"/api/v1/deliverables/{accepted}/accept", json={
            "accepted_on": f"{YEAR}-03-15", "accepted_quantity": 2, "record_no": "1/BB-NT"}), 200)
        mine.update(supplier=supplier, training_allocation=allocation,
                    commissions={"proposed": proposed, "approved": approved, "signed": signed,
                                 "closable": closable},
                    deliverables={"planned": planned, "delivered": delivered})


@pytest.fixture(scope="module")
def _matrix_world(app, _roles_world):
    """An envelope; for STP and for the DIC each: a submitted request with a document, a request
    returned to the unit, an allocation; a request and an allocation of An Nhơn; one web login per
    person. Built once per module through the API and /login, then saved."""
    restore_snapshot(app, _roles_world.snapshot)
    clients = {key: ApiClient(app.test_client(), token) for key, token in _roles_world.tokens.items()}
    finance = clients["finance"]
    envelope = support.envelope(finance, 1_000_000_000)["id"]
    records = {}
    for owner, unit_code in (("unit", ROLE_PEOPLE["unit"][2]), ("dic", ROLE_PEOPLE["dic"][2])):
        officer = clients[owner]
        submitted = support.submitted_request(officer, title="Đề nghị đã gửi")["id"]
        returned = support.submitted_request(officer, title="Đề nghị bị trả lại")["id"]
        support.ok(finance.post(f"/api/v1/requests/{returned}/return", json={"reason": "Bổ sung thuyết minh"}), 200)
        records[owner] = {
            "envelope": envelope, "submitted": submitted, "returned": returned, "unit_code": unit_code,
            "allocation": support.allocation(finance, envelope, unit_code, 100_000_000)["id"],
            "document": support.ok(support.upload(officer, submitted), 201)["id"],
        }
    _commission_records(clients, records)
    # a third unit's records, which neither STP nor the DIC may see in a list
    support.submitted_request(clients["other_unit"], title="Đề nghị của phường")
    support.allocation(finance, envelope, ROLE_PEOPLE["other_unit"][2], 50_000_000)
    _add_commissions(clients, envelope, records)
    _add_expenditures(clients, records)
    _add_transfers(clients, records)
    _add_accounts(app, clients, records)
    _add_export_jobs(app, records)
    for mine in records.values():
        mine["topic"] = "y_te_giao_duc"  # a seeded topic the topics' routes name (issue 21)
    logins = {key: _log_in(app, username) for key, (username, _role, _unit) in ROLE_PEOPLE.items()}
    logins[None] = _log_in(app, None)
    world = MatrixWorld(app, take_snapshot(app, "access_matrix"), dict(_roles_world.tokens), logins, records)
    world.pristine = database_fingerprint(app)
    return world


def _add_commissions(clients, envelope, records):
    """Commissions (issue 9): one supplier; for STP a training allocation, for the DIC its press
    allocation, each with a commission proposed, one approved, one signed (its first deliverable
    planned, the second delivered) and one signed with every deliverable judged (ready to close);
    and a training commission of An Nhơn, which neither may see."""
    finance = clients["finance"]
    supplier = builders.supplier(finance, kind="other", name="Trung tâm Truyền thông tỉnh")["id"]
    for owner in ("unit", "dic"):
        officer, category = clients[owner], builders.OWNER_CATEGORY[owner]
        allocation = (records[owner]["allocation"] if category == "press" else support.allocation(
            finance, envelope, records[owner]["unit_code"], 100_000_000, category=category)["id"])
        propose = lambda: builders.propose(officer, allocation, supplier, category=category)  # noqa: E731
        proposed, approved = propose(), propose()
        builders.approve(finance, approved["id"])
        signed = builders.signed_commission(finance, officer, allocation, supplier, category=category)
        planned, delivered = (d["id"] for d in signed["deliverables"])
        builders.deliver(officer, delivered, quantity=2)
        closable = builders.signed_commission(finance, officer, allocation, supplier, category=category)
        builders.resolve_all(officer, closable)
        closed = builders.signed_commission(finance, officer, allocation, supplier, category=category)  # issue 18
        builders.resolve_all(officer, closed)
        support.ok(officer.post(f"/api/v1/commissions/{closed['id']}/close", json={
            "liquidation_no": "2/BB-TL", "liquidated_on": f"{YEAR}-06-30"}), 200)
        records[owner].update(
            supplier=supplier, category=category, commission_allocation=allocation,
            commissions={"proposed": proposed["id"], "approved": approved["id"], "signed": signed["id"],
                         "closable": closable["id"], "closed": closed["id"]},
            deliverables={"planned": planned, "delivered": delivered,
                          "accepted": closable["deliverables"][1]["id"]})
    other = ROLE_PEOPLE["other_unit"][2]
    theirs = support.allocation(finance, envelope, other, 50_000_000, category="training")["id"]
    builders.propose(clients["other_unit"], theirs, supplier, category="training")


def _add_accounts(app, clients, records):
    """Accounts (issue 17): the <user_id> the admin's routes name, a unit officer of STP made on the
    server who enrolled TOTP; a user whose auditor role an admin granted, waiting for confirmation
    (the grantee of confirm-role); and STC, a unit with no user, for deactivating."""
    import pyotp
    account = support.World(app).user("matrix.account", "unit_officer", "STP")
    own = ApiClient(app.test_client(), support.World(app).token("matrix.account"))
    secret = support.ok(own.post("/api/v1/me/totp"), 201)["secret"]
    support.ok(own.post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()}), 200)
    grantee = support.ok(clients["admin"].post("/api/v1/users", json={
        "username": "matrix.grantee", "password": NEW_PASSWORD, "full_name": "Người Được Cấp", "role": "auditor"}),
        201)["id"]
    for mine in records.values():
        mine.update(account=account, grantee=grantee, idle_unit="STC")


def _add_export_jobs(app, records):
    """Background exports (issue 19): for STP's officer and for the DIC's each, one queued CSV job of
    their unit; each owner's is the <job_id> its rows name (anyone else's reads as missing)."""
    from app.auth.services import get_user_by_username
    from app.extensions import db
    from reports import jobs
    from reports.filters import LedgerFilter
    for owner in ("unit", "dic"):
        with app.app_context():
            person = get_user_by_username(ROLE_PEOPLE[owner][0])
            job = jobs.start_export(person, "ledger_csv", LedgerFilter(fiscal_year=YEAR, unit_id=person.unit_id),
                                    "vi")
            records[owner]["export_job"] = job.id
            db.session.commit()
            db.session.remove()


def _add_transfers(clients, records):
    """Transfers (issue 15): for STP and for the DIC each, one from its training allocation to its
    <allocation_id> allocation; each owner's is the <transfer_id> its rows name (another unit's
    reads as missing: it touches none of that unit's allocations)."""
    for owner in ("unit", "dic"):
        mine = records[owner]
        mine["transfer"] = support.ok(clients["finance"].post("/api/v1/transfers", json={
            "from_allocation_id": mine["training_allocation"], "to_allocation_id": mine["allocation"],
            "amount": 1_000_000, "decision_no": "3/QĐ-UBND", "decision_date": f"{YEAR}-05-01",
            "reason": "Điều chỉnh dự toán"}), 201)["id"]


def _add_expenditures(clients, records):
    """Expenditures (issue 10): for STP a direct spending on its training allocation, for the DIC an
    advance on its signed commission; each owner's is the <expenditure_id> its rows name."""
    bodies = {
        "unit": {"allocation_id": records["unit"]["training_allocation"], "kind": "direct",
                 "amount": 2_000_000, "voucher_no": "PC-01", "description": "Thuê hội trường tập huấn"},
        "dic": {"allocation_id": records["dic"]["commission_allocation"], "kind": "advance",
                "commission_id": records["dic"]["commissions"]["signed"], "amount": 1_000_000,
                "voucher_no": "TU-01", "description": "Tạm ứng theo hợp đồng"},
    }
    for owner, body in bodies.items():
        records[owner]["expenditure"] = support.ok(clients[owner].post("/api/v1/expenditures", json={
            **body, "paid_on": f"{YEAR}-03-20", "payee": "Trung tâm Truyền thông tỉnh"},
            headers={"Idempotency-Key": f"world-{owner}"}), 201)["id"]


@pytest.fixture
def matrix(_matrix_world):
    _matrix_world.dirty = True  # every test starts from the per-test reset of conftest: restore
    return _matrix_world


# --- the tests ---------------------------------------------------------------------------------

def _url_map_routes(app):
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint not in SKIPPED_ENDPOINTS
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app):
    routes = _url_map_routes(app)
    missing = sorted(routes - set(ROUTES))
    gone = sorted(set(ROUTES) - routes)
    assert not missing and not gone, (
        f"routes the access table does not classify (add them to ROUTES): {missing}; "
        f"routes the table names that no longer exist: {gone}")
    assert {route.klass for route in ROUTES.values()} <= set(CLASSES)
    twice = sum(1 for (endpoint, method), route in ROUTES.items()
                if method != "GET" and (endpoint, method) not in VALIDATION_BEFORE_REFUSAL
                for want in CLASSES[route.klass].values() if want.refused)
    print(f"\n[access matrix] {len(ROUTES)} routes × {len(ACTORS)} actors = {len(ROUTES) * len(ACTORS)} "
          f"checks, and {twice} refused writes tried again with a wrong body")


def _describe(response) -> str:
    if response.is_json:
        body = response.get_json()
        return f"{response.status_code} {body.get('error') if isinstance(body, dict) else ''}".strip()
    return f"{response.status_code} {response.headers.get('Location', '')}".strip()


@pytest.mark.parametrize("endpoint,method", sorted(ROUTES), ids=lambda v: v)
def test_access(app, matrix, endpoint, method):
    route = ROUTES[(endpoint, method)]
    expected = CLASSES[route.klass]
    failures = []
    for actor in ACTORS:
        matrix.reset()
        response = matrix.call(endpoint, method, route, actor)
        after = database_fingerprint(app)
        matrix.dirty = after != matrix.pristine
        want = expected[actor]
        if not want.matches(response):
            failures.append((actor, want.label, _describe(response)))
            continue
        if response.status_code in (401, 403, 404):  # the refusal's own body: JSON or an error page
            if response.is_json:
                body = response.get_json()
                assert set(body) == {"error", "message", "details"}, body
                assert body["error"] == {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[
                    response.status_code]
            else:
                assert 'data-testid="error-message"' in response.get_data(as_text=True), (endpoint, actor)
        written = method != "GET" and not want.refused and response.status_code < 400
        if method != "GET" and not want.refused and not written and route.must_succeed:
            failures.append((actor, "success with a valid body", _describe(response)))
        if written:
            added = len(after["audit_entries"]) - len(matrix.pristine["audit_entries"])
            if added != 1:
                failures.append((actor, "one audit entry", f"{added} entries"))
        elif matrix.dirty:
            failures.append((actor, "nothing changed", _describe(response)))
        if method != "GET" and want.refused and (endpoint, method) not in VALIDATION_BEFORE_REFUSAL:
            again = matrix.call(endpoint, method, route, actor, wrong_body=True)
            if not want.matches(again):
                failures.append((actor, f"{want.label} with a wrong body", _describe(again)))
            elif database_fingerprint(app) != matrix.pristine:
                matrix.dirty = True
                failures.append((actor, "nothing changed (wrong body)", _describe(again)))
    assert not failures, "\n".join(f"{endpoint} {method} as {a}: expected {w}, got {g}"
                                   for a, w, g in failures)


# --- scope of lists (kept from the former budget access tests) ----------------------------------

@pytest.mark.parametrize("path,key", [("/api/v1/requests", "submitted"), ("/api/v1/allocations", "allocation"),
                                      ("/api/v1/commissions", "proposed"), ("/api/v1/expenditures", "expenditure")])
def test_lists_show_only_the_units_own_records(app, matrix, roles, path, key):
    matrix.reset()

    def record(owner):
        records = matrix.records[owner]
        return records["commissions"][key] if path.endswith("commissions") else records[key]

    stp_record, dic_record = record("unit"), record("dic")

    def ids(who):
        return {item["id"] for item in support.get(roles[who], path + "?per_page=200")["items"]}

    assert stp_record in ids("unit") and dic_record not in ids("unit")
    assert {stp_record, dic_record} <= ids("finance") and {stp_record, dic_record} <= ids("auditor")
    assert stp_record not in ids("other_unit") and stp_record not in ids("dic")
    every = support.get(roles["finance"], path + "?per_page=200")["items"]
    for who in ("unit", "other_unit", "dic"):
        code = ROLE_PEOPLE[who][2]
        seen = support.get(roles[who], path + "?per_page=200")["items"]
        assert all(item["unit"]["code"] == code for item in seen)
        assert len(seen) == sum(1 for item in every if item["unit"]["code"] == code)


def test_refused_writes_are_checked_before_the_body(roles):
    """A caller without the role hears 403 even when the body (or the query) is wrong."""
    assert roles["auditor"].post("/api/v1/allocations", json={"amount": "x"}).status_code == 403
    assert roles["unit"].post("/api/v1/envelopes", json={}).status_code == 403
    assert roles["finance"].post("/api/v1/requests", json={}).status_code == 403
    assert roles["admin"].get("/api/v1/requests?status=nope").status_code == 403
    assert roles["anonymous"].post("/api/v1/allocations", json={}).status_code == 401
