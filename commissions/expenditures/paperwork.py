"""The State Treasury's documents of a ledger entry, drawn from the records (Decree 347/2025/NĐ-CP,
appendix; the ký hiệu is the stable key, the numbers changed from Decree 11/2020):

- an advance, a payment or direct spending draws on the estimate: Giấy rút dự toán (Mẫu 13,
  C2-02a/NS; Tạm ứng or Thực chi ticked), or an Ủy nhiệm chi (Mẫu 17, C4-02a/KB) when the unit pays
  from its deposit account;
- a payment that settles an advance adds Giấy đề nghị thanh toán tạm ứng (Mẫu 10, C2-03/NS); settled
  wholly by the advance it is that form alone (art. 6 k2e);
- a recovery is a Giấy nộp trả kinh phí (Mẫu 08, C2-05a/NS, Tạm ứng ticked);
- a reversal gives back what its original drew: Mẫu 08 (Thực chi or Tạm ứng) for the cash, and a
  Giấy đề nghị điều chỉnh số liệu ngân sách (Mẫu 09, C2-10/NS) for an advance the payment had
  settled; the reversal of a recovery draws the advance again (Mẫu 13, Tạm ứng).

What the records lack is printed as missing, naming who fills it (`treasury_missing` lists the same
items for the entry's page); the Treasury's own part of each form is left blank.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from app.core.amount_words import amount_in_words
from app.core.i18n import N_
from app.core.pdf import Column, FormPdf, Missing, Signature, blank, vnd
from app.core.templating import format_date
from app.extensions import db
from commissions.expenditures.models import ADVANCE, DIRECT, PAYMENT, RECOVERY, Expenditure

BY_ADMIN_UNIT = N_("quản trị viên cập nhật ở trang Đơn vị")
BY_ADMIN_SUPPLIER = N_("quản trị viên cập nhật ở trang Nhà cung cấp")
BY_FINANCE = N_("Sở Tài chính ghi trên quyết định phân bổ")
BY_HAND = N_("kế toán đơn vị ghi tay trước khi nộp Kho bạc")

GIAY_RUT = ("13", "C2-02a/NS", "GIẤY RÚT DỰ TOÁN NGÂN SÁCH NHÀ NƯỚC")
UY_NHIEM_CHI = ("17", "C4-02a/KB", "ỦY NHIỆM CHI")
THANH_TOAN_TAM_UNG = ("10", "C2-03/NS", "GIẤY ĐỀ NGHỊ THANH TOÁN TẠM ỨNG")
NOP_TRA = ("08", "C2-05a/NS", "GIẤY NỘP TRẢ KINH PHÍ")
DIEU_CHINH = ("09", "C2-10/NS", "GIẤY ĐỀ NGHỊ ĐIỀU CHỈNH SỐ LIỆU NGÂN SÁCH")


@dataclass(frozen=True)
class Page:
    """One form of the entry's file: which form, and the amount it carries."""

    form: tuple[str, str, str]
    amount: int
    advance: bool = False   # the advance box ticked (Tạm ứng) rather than Thực chi

    @property
    def label(self) -> str:
        number, symbol, title = self.form
        return f"Mẫu {number} ({symbol}) {title.capitalize()}"


def forms_of(entry: Expenditure) -> list[Page]:
    """The forms the Treasury needs for the entry, in the order they are filed."""
    if entry.is_reversal:
        return _reversal_forms(entry)
    draw = UY_NHIEM_CHI if entry.unit.pays_from_deposit else GIAY_RUT
    if entry.kind == RECOVERY:
        return [Page(NOP_TRA, entry.amount, advance=True)]
    if entry.kind == ADVANCE:
        return [Page(draw, entry.amount, advance=True)]
    pages = []
    if entry.kind == PAYMENT and entry.advance_applied:
        pages.append(Page(THANH_TOAN_TAM_UNG, entry.advance_applied))
    if entry.amount:
        pages.append(Page(draw, entry.amount))
    return pages


def _reversal_forms(entry: Expenditure) -> list[Page]:
    if entry.kind == RECOVERY:  # the advance brought back is drawn again
        draw = UY_NHIEM_CHI if entry.unit.pays_from_deposit else GIAY_RUT
        return [Page(draw, entry.amount, advance=True)]
    pages = []
    if entry.amount:
        pages.append(Page(NOP_TRA, entry.amount, advance=entry.kind == ADVANCE))
    if entry.advance_applied:
        pages.append(Page(DIEU_CHINH, entry.advance_applied))
    return pages


def form_symbols(entry: Expenditure) -> list[str]:
    return [page.form[1] for page in forms_of(entry)]


# --- what the records hold ----------------------------------------------------------------------

class _Facts:
    """Everything the forms print about the entry, read once, with what is missing."""

    def __init__(self, entry: Expenditure):
        self.entry, self.unit, self.allocation = entry, entry.unit, entry.allocation
        self.commission = entry.commission
        self.supplier = self.commission.supplier if self.commission else None
        self.year = self.allocation.envelope.fiscal_year
        self.missing: list[Missing] = []
        self.chapter = self._need(self.allocation.chapter_code or self.unit.chapter_code, N_("mã chương"),
                                  BY_ADMIN_UNIT)
        self.address = self._need(self.unit.address, N_("địa chỉ đơn vị"), BY_ADMIN_UNIT)
        self.account = self._need(self.unit.treasury_account, N_("tài khoản của đơn vị tại Kho bạc"), BY_ADMIN_UNIT)
        self.treasury = self._need(self.unit.treasury_name, N_("Kho bạc nơi giao dịch"), BY_ADMIN_UNIT)
        self.economic = self._need(entry.economic_code, N_("tiểu mục (mã nội dung kinh tế)"), BY_FINANCE)
        codes = [code for code in (self.allocation.type_code, self.allocation.item_code) if code]
        self.sector = self._need("-".join(codes) if len(codes) == 2 else None,
                                 N_("mã ngành kinh tế (loại-khoản)"), BY_FINANCE)
        self.source = self._need(self.allocation.source_code, N_("mã nguồn ngân sách"), BY_FINANCE)
        self.head = self.unit.head_name
        self.accountant = self.unit.accountant_name
        for name, what in ((self.head, N_("tên thủ trưởng đơn vị")), (self.accountant, N_("tên kế toán trưởng"))):
            self._need(name, what, BY_ADMIN_UNIT)
        if self.supplier is not None:
            self.tax_code = self.supplier.tax_code
            self.payee_account = self._need(self.supplier.bank_account, N_("tài khoản của nhà cung cấp"),
                                            BY_ADMIN_SUPPLIER)
            self.payee_bank = self._need(self.supplier.bank_name, N_("ngân hàng của nhà cung cấp"), BY_ADMIN_SUPPLIER)
        else:  # direct spending: the payee is free text on the entry
            self.tax_code = self._need(None, N_("mã số thuế người nhận"), BY_HAND)
            self.payee_account = self._need(None, N_("tài khoản người nhận"), BY_HAND)
            self.payee_bank = self._need(None, N_("ngân hàng người nhận"), BY_HAND)

    def _need(self, value, what: str, who: str):
        if blank(value):
            missing = Missing(what, who)
            if missing not in self.missing:
                self.missing.append(missing)
            return missing
        return value


def treasury_missing(entry: Expenditure) -> list[Missing]:
    """What the entry's Treasury forms print as missing, and who fills each."""
    return _Facts(entry).missing


def _advance_balance_before(entry: Expenditure) -> int:
    """The commission's advance outstanding just before the entry was posted (entries in id order)."""
    moved = sa.case((Expenditure.kind == ADVANCE, Expenditure.amount),
                    (Expenditure.kind == RECOVERY, -Expenditure.amount),
                    else_=-Expenditure.advance_applied)
    return int(db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Expenditure.sign * moved), 0)).where(
        Expenditure.commission_id == entry.commission_id, Expenditure.id < entry.id)).scalar_one())


# --- drawing ------------------------------------------------------------------------------------

def _day(value) -> str:
    return format_date(value) if value else ""


def _contract_lines(doc: FormPdf, facts: _Facts, *, with_advance_rule=True, with_records=True):
    commission = facts.commission
    if commission is None:
        doc.field("Hợp đồng/Quyết định đặt hàng", "không có (chi trực tiếp, không qua đặt hàng)")
        return
    doc.field("Hợp đồng/Quyết định đặt hàng", f"số {commission.contract_no}, ngày {_day(commission.signed_on)}, "
              f"tổng số tiền {vnd(commission.value)} đồng, ký với {facts.supplier.name} "
              f"(đặt hàng {commission.number})")
    if with_advance_rule:
        doc.field("Quy định về mức tạm ứng", f"{commission.advance_limit_pct}% giá trị hợp đồng")
    records = _acceptance_records(facts.entry) if with_records else ""
    if records:
        doc.field("Biên bản nghiệm thu", records)


def _acceptance_records(entry: Expenditure) -> str:
    shown = []
    for link in entry.links[:5]:
        d = link.deliverable
        shown.append(f"số {d.record_no}, ngày {_day(d.accepted_on)}, giá trị {vnd(d.accepted_value)} đồng")
    more = len(entry.links) - len(shown)
    return "; ".join(shown) + (f"; và {more} biên bản khác ở bảng dưới" if more > 0 else "")


def _unit_block(doc: FormPdf, facts: _Facts, label="Đơn vị rút dự toán"):
    doc.fields([(label, facts.unit.name), ("Mã chương", facts.chapter)], columns=2)
    doc.fields([("Địa chỉ", facts.address)])
    doc.fields([("Tài khoản", facts.account), ("Tại KBNN", facts.treasury)], columns=2)


def _payee_block(doc: FormPdf, facts: _Facts):
    doc.fields([("Đơn vị/cá nhân nhận tiền", facts.entry.payee), ("Mã số thuế", facts.tax_code)], columns=2)
    doc.fields([("Tài khoản", facts.payee_account), ("Tại KBNN/ngân hàng", facts.payee_bank)], columns=2)


def _words(doc: FormPdf, amount: int, label="Tổng số tiền ghi bằng chữ"):
    doc.field(label, amount_in_words(amount))


def _treasury_part(doc: FormPdf, roles=("Thủ quỹ", "Kế toán", "Kiểm soát", "Lãnh đạo KBNN"), ticks=()):
    if doc.will_page_break(38):  # the Treasury's part stays whole on one page
        doc.add_page()
    doc.heading("PHẦN KHO BẠC NHÀ NƯỚC GHI")
    if ticks:
        doc.ticks(ticks)
    doc.paragraph("Nợ TK: ........................   Có TK: ........................   "
                      "Nợ TK: ........................   Có TK: ........................")
    doc.signatures([Signature(role, note="(Ký, ghi họ tên)") for role in roles], space=10)


def _unit_signatures(doc: FormPdf, facts: _Facts, first: str | None = "Người nhận tiền"):
    blocks = [Signature(first, date_line="Ngày … tháng … năm …")] if first else []
    blocks += [Signature("Kế toán trưởng", name=facts.accountant),
               Signature("Thủ trưởng đơn vị", note="(Ký, ghi họ tên, đóng dấu)", name=facts.head,
                         date_line=f"Ngày {_day(facts.entry.paid_on)}")]
    doc.signatures(blocks, space=15)


def _lines(facts: _Facts, amount: int) -> list[tuple[str, int]]:
    """(content, amount) rows: one per deliverable a payment settles in cash, else one for the entry."""
    entry = facts.entry
    if entry.kind == PAYMENT and not entry.advance_applied and not entry.is_reversal and entry.links:
        return [(f"Thanh toán {link.deliverable.title} (biên bản {link.deliverable.record_no})", link.amount)
                for link in entry.links]
    return [(entry.description, amount)]


def _draw_estimate(doc: FormPdf, facts: _Facts, page: Page, form=GIAY_RUT):
    entry = facts.entry
    doc.form_header(form_no=form[0], symbol=form[1], doc_no=entry.number, budget_year=facts.year)
    doc.doc_title(form[2])
    doc.ticks([("Dự toán tạm cấp", False), ("Dự toán chính thức", True), ("Thực chi", not page.advance),
               ("Tạm ứng", page.advance), ("Chuyển khoản", True), ("Tiền mặt", False)])
    _unit_block(doc, facts)
    _contract_lines(doc, facts)
    doc.field("Nội dung thanh toán chung", entry.description)
    columns = [Column("Nội dung thanh toán", 37), Column("Hóa đơn số", 16), Column("Ngày", 19, "C"),
               Column("Chứng từ số", 20), Column("Ngày", 19, "C"), Column("Mã NDKT", 12, "C"),
               Column("Mã ngành KT", 17, "C"), Column("Mã nguồn", 13, "C"), Column("Số tiền", 27, "R")]
    rows = [(content, entry.invoice_no or "", _day(entry.invoice_date), entry.voucher_no, _day(entry.paid_on),
             facts.economic, facts.sector, facts.source, amount) for content, amount in _lines(facts, page.amount)]
    _table(doc, columns, rows, total=("Tổng cộng", "", "", "", "", "", "", "", page.amount))
    _codes_note(doc, facts, facts.economic, facts.sector, facts.source)
    _words(doc, page.amount)
    _payee_block(doc, facts)
    _unit_signatures(doc, facts)
    _treasury_part(doc)


def _draw_deposit_order(doc: FormPdf, facts: _Facts, page: Page):
    entry = facts.entry
    doc.form_header(form_no=UY_NHIEM_CHI[0], symbol=UY_NHIEM_CHI[1], doc_no=entry.number, budget_year=facts.year)
    doc.doc_title(UY_NHIEM_CHI[2], subtitle=f"Lập ngày {_day(entry.paid_on)}")
    doc.ticks([("Chuyển khoản", True), ("Tiền mặt", False), ("Tạm ứng", page.advance)])
    _unit_block(doc, facts, label="Đơn vị trả tiền")
    _contract_lines(doc, facts)
    columns = [Column("Nội dung thanh toán", 48), Column("Hóa đơn số", 18), Column("Ngày", 19, "C"),
               Column("Chứng từ số", 21), Column("Ngày", 19, "C"), Column("Mã nguồn", 13, "C"),
               Column("Niên độ", 14, "C"), Column("Số tiền", 28, "R")]
    rows = [(content, entry.invoice_no or "", _day(entry.invoice_date), entry.voucher_no, _day(entry.paid_on),
             facts.source, str(facts.year), amount) for content, amount in _lines(facts, page.amount)]
    _table(doc, columns, rows, total=("Tổng cộng", "", "", "", "", "", "", page.amount))
    _codes_note(doc, facts, facts.source)
    _words(doc, page.amount)
    _payee_block(doc, facts)
    doc.signatures([Signature("Người nhận tiền", date_line="Ngày … tháng … năm …"),
                    Signature("Kế toán trưởng", name=facts.accountant),
                    Signature("Chủ tài khoản", note="(Ký, ghi họ tên, đóng dấu)", name=facts.head)])
    _treasury_part(doc)


def _draw_advance_settlement(doc: FormPdf, facts: _Facts, page: Page):
    entry = facts.entry
    doc.form_header(form_no=THANH_TOAN_TAM_UNG[0], symbol=THANH_TOAN_TAM_UNG[1], doc_no=entry.number,
                    budget_year=facts.year)
    doc.doc_title(THANH_TOAN_TAM_UNG[2])
    _unit_block(doc, facts, label="Đơn vị")
    balance = _advance_balance_before(entry)
    doc.paragraph(f"Căn cứ số dư tạm ứng đến ngày {_day(entry.paid_on)}: {vnd(balance)} đồng; "
                  f"Biên bản nghiệm thu: {_acceptance_records(entry) or 'không có'}; đề nghị Kho bạc Nhà nước "
                  "thanh toán số tiền đã tạm ứng thành thực chi như sau:")
    _contract_lines(doc, facts, with_advance_rule=False, with_records=False)
    columns = [Column("Nội dung thanh toán", 38), Column("Hóa đơn số, ngày", 21), Column("Chứng từ số, ngày", 21),
               Column("NDKT đã tạm ứng", 15, "C"), Column("NDKT đề nghị TT", 15, "C"),
               Column("Mã ngành KT", 17, "C"), Column("Mã nguồn", 13, "C"), Column("Số dư tạm ứng", 20, "R"),
               Column("Số đề nghị thanh toán", 20, "R")]
    invoice = f"{entry.invoice_no} {_day(entry.invoice_date)}" if entry.invoice_no else ""
    advanced_code = _advance_code(entry) or facts.economic
    rows = [(entry.description, invoice, f"{entry.voucher_no} {_day(entry.paid_on)}", advanced_code, facts.economic,
             facts.sector, facts.source, balance, page.amount)]
    _table(doc, columns, rows, total=("Tổng cộng", "", "", "", "", "", "", balance, page.amount))
    _codes_note(doc, facts, facts.economic, facts.sector, facts.source)
    _words(doc, page.amount, "Tổng số đề nghị thanh toán ghi bằng chữ")
    if entry.amount:
        doc.paragraph(f"Phần còn lại {vnd(entry.amount)} đồng rút dự toán bằng chứng từ chuyển tiền kèm theo "
                      f"(số {entry.number}).", italic=True)
    _unit_signatures(doc, facts, first=None)
    _treasury_part(doc, roles=("Kế toán", "Kiểm soát", "Lãnh đạo KBNN"))


def _advance_code(entry: Expenditure):
    """The economic code the commission's first advance was drawn under ("đã tạm ứng")."""
    return db.session.execute(sa.select(Expenditure.economic_code).where(
        Expenditure.commission_id == entry.commission_id, Expenditure.kind == ADVANCE,
        Expenditure.reversal_of_id.is_(None), Expenditure.id < entry.id).order_by(Expenditure.id).limit(1)
    ).scalar_one_or_none()


def _draw_refund(doc: FormPdf, facts: _Facts, page: Page):
    entry = facts.entry
    doc.form_header(form_no=NOP_TRA[0], symbol=NOP_TRA[1], doc_no=entry.number, budget_year=facts.year)
    doc.doc_title(NOP_TRA[2])
    doc.ticks([("Chuyển khoản", True), ("Tiền mặt", False)])
    doc.fields([("Đơn vị nộp", facts.unit.name), ("Địa chỉ", facts.address)])
    doc.paragraph(f"Đề nghị {_text(facts.treasury)} trích tài khoản {_text(facts.account)} "
                  "để nộp trả kinh phí đã:")
    doc.ticks([("Tạm ứng", page.advance), ("Thực chi", not page.advance)])
    doc.fields([("Đơn vị rút dự toán", facts.unit.name),
                ("Mã ĐVQHNS", Missing(N_("mã đơn vị quan hệ ngân sách"), BY_HAND))])
    doc.fields([("Tài khoản", facts.account), ("Tại KBNN", facts.treasury)], columns=2)
    _contract_lines(doc, facts, with_advance_rule=False)
    if entry.is_reversal:
        doc.field("Lý do", f"đảo khoản chi {entry.reversal_of.number} (chứng từ {entry.reversal_of.voucher_no}): "
                  f"{entry.reverse_reason}")
    columns = [Column("Nội dung", 55), Column("Mã NDKT", 15, "C"), Column("Mã chương", 15, "C"),
               Column("Mã ngành KT", 18, "C"), Column("Mã nguồn", 15, "C"), Column("Năm dự toán", 18, "C"),
               Column("Số tiền", 44, "R")]
    rows = [(entry.description, facts.economic, facts.chapter, facts.sector, facts.source, str(facts.year),
             page.amount)]
    _table(doc, columns, rows, total=("Tổng cộng", "", "", "", "", "", page.amount))
    _codes_note(doc, facts, facts.economic, facts.chapter, facts.sector, facts.source)
    _words(doc, page.amount)
    _unit_signatures(doc, facts, first="Người nộp tiền")
    _treasury_part(doc, ticks=[("1. Nộp giảm chi ngân sách nhà nước", False),
                               ("2. Nộp trả kinh phí khi đã quyết toán", False)])


def _draw_adjustment(doc: FormPdf, facts: _Facts, page: Page):
    entry = facts.entry
    doc.form_header(form_no=DIEU_CHINH[0], symbol=DIEU_CHINH[1], doc_no=entry.number, budget_year=facts.year)
    doc.doc_title(DIEU_CHINH[2])
    doc.fields([("Tên đơn vị đề nghị điều chỉnh", facts.unit.name),
                ("Mã ĐVQHNS", Missing(N_("mã đơn vị quan hệ ngân sách"), BY_HAND)), ("Địa chỉ", facts.address)])
    doc.field("Lý do điều chỉnh", f"đảo khoản chi {entry.reversal_of.number}: {entry.reverse_reason}; số đã thanh "
              "toán từ tạm ứng trở lại thành tạm ứng")
    columns = [Column("Số liệu", 34), Column("Số chứng từ", 26), Column("Năm dự toán", 16, "C"),
               Column("Tạm ứng", 26, "R"), Column("Thực chi", 26, "R"), Column("Mã NDKT", 16, "C"),
               Column("Mã chương", 18, "C"), Column("Mã ngành KT", 18, "C")]
    original = entry.reversal_of
    rows = [("Đã hạch toán", original.voucher_no, str(facts.year), "", page.amount, facts.economic, facts.chapter,
             facts.sector),
            ("Đề nghị điều chỉnh", entry.voucher_no, str(facts.year), page.amount, "", facts.economic, facts.chapter,
             facts.sector)]
    _table(doc, columns, rows)
    _codes_note(doc, facts, facts.economic, facts.chapter, facts.sector)
    _words(doc, page.amount, "Số tiền điều chỉnh ghi bằng chữ")
    _unit_signatures(doc, facts, first=None)
    _treasury_part(doc, roles=("Kế toán", "Kiểm soát", "Lãnh đạo KBNN"))


def _text(value) -> str:
    return value.printed if isinstance(value, Missing) else str(value)


def _cell(value):
    """A table cell is narrow: a missing code prints "(chưa có)", and `_codes_note` says what and who."""
    return "(chưa có)" if isinstance(value, Missing) else value


def _table(doc: FormPdf, columns, rows, total=None):
    rows = [[_cell(value) for value in row] for row in rows]
    doc.table(columns, rows, total=total, size=8)


def _codes_note(doc: FormPdf, facts: "_Facts", *codes):
    by_who: dict[str, list[str]] = {}
    for code in codes:
        if isinstance(code, Missing):
            by_who.setdefault(code.who, []).append(code.what)
    if by_who:
        doc.paragraph("Bảng còn thiếu: " + "; ".join(f"{', '.join(whats)} — {who}" for who, whats in by_who.items())
                      + ".", italic=True)


DRAWERS = {GIAY_RUT: _draw_estimate, UY_NHIEM_CHI: _draw_deposit_order, THANH_TOAN_TAM_UNG: _draw_advance_settlement,
           NOP_TRA: _draw_refund, DIEU_CHINH: _draw_adjustment}


def treasury_pdf(entry: Expenditure) -> bytes:
    """The entry's Treasury file: each of its forms from a new page, in one PDF."""
    facts = _Facts(entry)
    kind_names = {ADVANCE: "tạm ứng", PAYMENT: "thanh toán", RECOVERY: "thu hồi tạm ứng", DIRECT: "chi trực tiếp"}
    doc = FormPdf(title=f"Chứng từ Kho bạc {entry.number}",
                  footer_note=f"{entry.number} · {kind_names[entry.kind]}{' (đảo)' if entry.is_reversal else ''}")
    for index, page in enumerate(forms_of(entry)):
        if index:
            doc.add_page()
        DRAWERS[page.form](doc, facts, page)
    return doc.render()
