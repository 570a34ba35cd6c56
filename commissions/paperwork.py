"""The commission's paperwork, drawn from the records (issue 18): the acceptance minutes of an
accepted deliverable (biên bản nghiệm thu) and the liquidation minutes of a closed contract (biên bản
thanh lý hợp đồng). Plain functions of the record: no request, no session, nothing written.

`*_missing(record)` lists what the record lacks for its document, and who must fill it in; the
document prints the same items in their place and the record's page lists them. A document that
does not exist yet (a deliverable not accepted, a contract not liquidated) is refused with
`InvalidTransition` (409).
"""
from app.core.amount_words import amount_in_words
from app.core.dates import vn
from app.core.exceptions import InvalidTransition
from app.core.i18n import N_
from app.core.pdf import Column, FormPdf, Missing, Signature, blank, vnd
from commissions.models import ACCEPTED, CLOSED, DELIVERABLE_KIND_LABELS, DELIVERY_REJECTED

UNIT_PAGE = N_("quản trị viên cập nhật ở trang Đơn vị")
SUPPLIER_PAGE = N_("quản trị viên, Sở Tài chính hoặc cán bộ quản lý báo chí cập nhật ở trang Nhà cung cấp")
NOT_RECORDED = N_("không được ghi khi vào sổ: ghi tay vào bản in")

NOT_ACCEPTED = "Sản phẩm chưa được nghiệm thu: chưa có biên bản nghiệm thu để in."
NOT_CLOSED = "Hợp đồng chưa được thanh lý: chưa có biên bản thanh lý để in."


class _Gaps(list):
    """The Missing items met while reading a record, each once, in the order met."""

    def need(self, value, what: str, who: str):
        """The value, or (when blank) its Missing, which is also noted."""
        if not blank(value):
            return value
        missing = Missing(what, who)
        if missing not in self:
            self.append(missing)
        return missing


def _date(day):
    return vn(day) if day else None


def _in_figures_and_words(amount: int) -> str:
    return f"{vnd(amount)} đồng (bằng chữ: {amount_in_words(amount)})"


def _dated_line(day) -> str:
    if not day:
        return "Ngày ..... tháng ..... năm ......"
    return f"Ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# --- what both minutes say of the contract and its parties ------------------------------------

def _contract(commission, gaps: _Gaps) -> dict:
    unit, supplier = commission.unit, commission.supplier
    return {
        "contract_no": gaps.need(commission.contract_no, N_("số hợp đồng"), NOT_RECORDED),
        "signed_on": gaps.need(_date(commission.signed_on), N_("ngày ký hợp đồng"), NOT_RECORDED),
        "unit_address": gaps.need(unit.address, N_("địa chỉ đơn vị"), UNIT_PAGE),
        "head_name": gaps.need(unit.head_name, N_("họ tên thủ trưởng đơn vị"), UNIT_PAGE),
        "bank_account": gaps.need(supplier.bank_account, N_("số tài khoản của nhà cung cấp"), SUPPLIER_PAGE),
        "bank_name": gaps.need(supplier.bank_name, N_("ngân hàng nơi nhà cung cấp mở tài khoản"), SUPPLIER_PAGE),
    }


def _text(value) -> str:
    return value.printed if isinstance(value, Missing) else str(value)


def _grounds(doc: FormPdf, commission, facts: dict, extra: list[str] = ()):
    doc.heading("Căn cứ:")
    doc.paragraph(f"- Hợp đồng số {_text(facts['contract_no'])} ký ngày {_text(facts['signed_on'])} giữa "
                  f"{commission.unit.name} và {commission.supplier.name} về việc {commission.title} "
                  f"(đặt hàng số {commission.number}, năm ngân sách {commission.fiscal_year});")
    if commission.price_decision_no:
        dated = f" ngày {vn(commission.price_decision_date)}" if commission.price_decision_date else ""
        doc.paragraph(f"- Quyết định phê duyệt đơn giá số {commission.price_decision_no}{dated};")
    for line in extra:
        doc.paragraph(f"- {line}")


def _parties(doc: FormPdf, commission, facts: dict):
    unit, supplier = commission.unit, commission.supplier
    doc.heading(f"BÊN A (bên đặt hàng): {unit.name}")
    doc.fields([("Địa chỉ", facts["unit_address"]),
                ("Đại diện", facts["head_name"]),
                ("Chức vụ", "Thủ trưởng đơn vị")])
    doc.heading(f"BÊN B (bên cung cấp): {supplier.name}")
    doc.fields([("Mã số thuế", supplier.tax_code),
                ("Số tài khoản", facts["bank_account"]),
                ("Tại", facts["bank_name"])])


def _signatures(doc: FormPdf, facts: dict):
    doc.signatures([Signature("ĐẠI DIỆN BÊN A", name=facts["head_name"]), Signature("ĐẠI DIỆN BÊN B")])


def acceptance_filename(deliverable) -> str:
    return f"bien-ban-nghiem-thu-{deliverable.commission.number}-sp{deliverable.position + 1}.pdf"


def liquidation_filename(commission) -> str:
    return f"bien-ban-thanh-ly-{commission.number}.pdf"


# --- biên bản nghiệm thu -------------------------------------------------------------------------

def _acceptance_facts(deliverable, gaps: _Gaps) -> dict:
    facts = _contract(deliverable.commission, gaps)
    facts["record_no"] = gaps.need(deliverable.record_no, N_("số biên bản nghiệm thu"), NOT_RECORDED)
    facts["accepted_on"] = gaps.need(_date(deliverable.accepted_on), N_("ngày nghiệm thu"), NOT_RECORDED)
    return facts


def acceptance_missing(deliverable) -> list[Missing]:
    """What the acceptance minutes of the deliverable would print as missing."""
    gaps = _Gaps()
    _acceptance_facts(deliverable, gaps)
    return list(gaps)


def acceptance_pdf(deliverable) -> bytes:
    """BIÊN BẢN NGHIỆM THU of an accepted deliverable."""
    if deliverable.status != ACCEPTED:
        raise InvalidTransition(NOT_ACCEPTED)
    commission = deliverable.commission
    facts = _acceptance_facts(deliverable, _Gaps())
    record_no = facts["record_no"]
    doc = FormPdf(title=f"Biên bản nghiệm thu {_text(record_no)}",
                  footer_note=f"Biên bản nghiệm thu · đặt hàng {commission.number}")
    doc.national_motto(left_lines=(commission.unit.name.upper(),), doc_no=record_no,
                       place_date=_dated_line(deliverable.accepted_on))
    doc.doc_title("BIÊN BẢN NGHIỆM THU", subtitle=f"Sản phẩm “{deliverable.title}”")
    _grounds(doc, commission, facts)
    doc.paragraph(f"Hôm nay, {_dated_line(deliverable.accepted_on).lower()}, chúng tôi gồm:")
    _parties(doc, commission, facts)
    doc.heading("Cùng nghiệm thu sản phẩm sau:")
    delivered = (f"{vnd(deliverable.delivered_quantity)} ({vn(deliverable.delivered_on)})"
                 if deliverable.delivered_quantity and deliverable.delivered_on else deliverable.delivered_quantity)
    doc.table(
        [Column("Sản phẩm", 40), Column("Loại", 28), Column("Số lượng đặt", 16, "R"),
         Column("Đã giao (ngày)", 24, "R"), Column("Nghiệm thu", 18, "R"), Column("Đơn giá (đồng)", 26, "R"),
         Column("Giá trị nghiệm thu (đồng)", 28, "R")],
        [(deliverable.title, DELIVERABLE_KIND_LABELS.get(deliverable.kind, deliverable.kind), deliverable.quantity,
          delivered, deliverable.accepted_quantity, deliverable.unit_price, deliverable.accepted_value)])
    doc.paragraph(f"Giá trị nghiệm thu: {_in_figures_and_words(deliverable.accepted_value)}.", bold=True)
    doc.paragraph(f"Kết luận: Bên A nghiệm thu {vnd(deliverable.accepted_quantity or 0)}/"
                  f"{vnd(deliverable.quantity)} sản phẩm đạt yêu cầu theo hợp đồng, ngày nghiệm thu "
                  f"{_text(facts['accepted_on'])}. "
                  "Biên bản lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.")
    _signatures(doc, facts)
    return doc.render()


# --- biên bản thanh lý hợp đồng --------------------------------------------------------------------

def _liquidation_facts(commission, gaps: _Gaps) -> dict:
    facts = _contract(commission, gaps)
    facts["liquidation_no"] = gaps.need(commission.liquidation_no, N_("số biên bản thanh lý"), NOT_RECORDED)
    facts["liquidated_on"] = gaps.need(_date(commission.liquidated_on), N_("ngày thanh lý"), NOT_RECORDED)
    return facts


def liquidation_missing(commission) -> list[Missing]:
    """What the liquidation minutes of the commission would print as missing."""
    gaps = _Gaps()
    _liquidation_facts(commission, gaps)
    return list(gaps)


def _line_title(deliverable) -> str:
    kind = DELIVERABLE_KIND_LABELS.get(deliverable.kind, deliverable.kind)
    if deliverable.status == ACCEPTED:
        record = f"biên bản nghiệm thu số {deliverable.record_no}" if deliverable.record_no else "đã nghiệm thu"
        return f"{deliverable.title}\n{kind}; {record}"
    if deliverable.status == DELIVERY_REJECTED:
        return f"{deliverable.title}\n{kind}; không đạt, không nghiệm thu"
    return f"{deliverable.title}\n{kind}"


def liquidation_pdf(commission) -> bytes:
    """BIÊN BẢN THANH LÝ HỢP ĐỒNG of a closed commission."""
    if commission.status != CLOSED:
        raise InvalidTransition(NOT_CLOSED)
    facts = _liquidation_facts(commission, _Gaps())
    deliverables = list(commission.deliverables)
    accepted = sum(d.accepted_value for d in deliverables)
    doc = FormPdf(title=f"Biên bản thanh lý hợp đồng {_text(facts['contract_no'])}",
                  footer_note=f"Biên bản thanh lý · đặt hàng {commission.number}")
    doc.national_motto(left_lines=(commission.unit.name.upper(),), doc_no=facts["liquidation_no"],
                       place_date=_dated_line(commission.liquidated_on))
    doc.doc_title("BIÊN BẢN THANH LÝ HỢP ĐỒNG",
                  subtitle=f"Hợp đồng số {_text(facts['contract_no'])} ngày {_text(facts['signed_on'])}")
    records = [d.record_no for d in deliverables if d.status == ACCEPTED and d.record_no]
    _grounds(doc, commission, facts,
             [f"Các biên bản nghiệm thu số {', '.join(records)};"] if records else [])
    doc.paragraph(f"Hôm nay, ngày thanh lý {_text(facts['liquidated_on'])}, chúng tôi gồm:")
    _parties(doc, commission, facts)
    doc.heading("Hai bên thống nhất thanh lý hợp đồng với khối lượng và giá trị thực hiện như sau:")
    doc.table(
        [Column("STT", 11, "C"), Column("Sản phẩm", 51), Column("Số lượng đặt", 17, "R"),
         Column("Số lượng nghiệm thu", 19, "R"), Column("Đơn giá (đồng)", 26, "R"),
         Column("Giá trị nghiệm thu (đồng)", 28, "R"), Column("Đã thanh toán (đồng)", 28, "R")],
        [(str(index), _line_title(d), d.quantity, d.accepted_quantity or 0, d.unit_price, d.accepted_value, d.paid)
         for index, d in enumerate(deliverables, start=1)],
        total=("", "Cộng", sum(d.quantity for d in deliverables),
               sum(d.accepted_quantity or 0 for d in deliverables), "", accepted, sum(d.paid for d in deliverables)))
    doc.fields([("Giá trị hợp đồng", _in_figures_and_words(commission.value)),
                ("Giá trị nghiệm thu", _in_figures_and_words(accepted)),
                ("Đã thanh toán", _in_figures_and_words(commission.paid)),
                ("Tạm ứng chưa thu hồi", _in_figures_and_words(commission.outstanding_advance)),
                ("Còn phải thanh toán", _in_figures_and_words(accepted - commission.paid))])
    doc.paragraph("Hai bên thống nhất thanh lý hợp đồng; Bên A thanh toán cho Bên B số tiền còn phải thanh "
                  "toán nêu trên. Biên bản lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.")
    _signatures(doc, facts)
    return doc.render()
