"""A funding request as sent (issue 18): PHIẾU ĐỀ NGHỊ CẤP KINH PHÍ, drawn from the record and its
audit trail. A plain function of the record: no request, no session, nothing written.

Every request prints. One the unit may still edit (a draft never sent, or one finance returned) is
not what finance holds: it carries a "BẢN NHÁP" watermark on every page and says why under the
title. `request_missing(record)` lists what the form prints as missing, and who must fill it in.
"""
from datetime import UTC

from app.core import audit
from app.core.amount_words import amount_in_words
from app.core.clock import LOCAL_ZONE
from app.core.i18n import N_
from app.core.pdf import Column, FormPdf, Missing, Signature, blank, vnd
from budgets.models import (
    AUDIT_LABELS,
    CATEGORY_LABELS,
    DRAFT,
    REQUEST_ACTIONS_FROM,
    REQUEST_STATUS_LABELS,
    RETURNED,
    WITHDRAWN,
)

DRAFT_MARK = "BẢN NHÁP"
UNIT_PAGE = N_("quản trị viên cập nhật ở trang Đơn vị")
EDIT_PAGE = N_("đơn vị ghi ở trang Sửa đề nghị")
NOT_RECORDED = N_("không được ghi khi gửi: ghi tay vào bản in")


def _local(moment):
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_ZONE) if moment else None


def _when(moment) -> str:
    local = _local(moment)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


def _editable(record) -> bool:
    return record.status in REQUEST_ACTIONS_FROM["edit"]


def _facts(record) -> tuple[dict, list[Missing]]:
    gaps: list[Missing] = []

    def need(value, what, who):
        if not blank(value):
            return value
        missing = Missing(what, who)
        gaps.append(missing)
        return missing

    later = EDIT_PAGE if _editable(record) else NOT_RECORDED
    facts = {
        "letter_no": need(record.letter_no, N_("số công văn đề nghị"), later),
        "address": need(record.unit.address, N_("địa chỉ đơn vị"), UNIT_PAGE),
        "head_name": need(record.unit.head_name, N_("họ tên thủ trưởng đơn vị"), UNIT_PAGE),
        "justification": need(record.justification, N_("sự cần thiết, căn cứ của đề nghị"), later),
    }
    return facts, gaps


def request_missing(record) -> list[Missing]:
    """What the request's form would print as missing."""
    return _facts(record)[1]


def request_filename(record) -> str:
    return f"de-nghi-cap-kinh-phi-{record.number}.pdf"


def _status_note(record) -> str | None:
    if record.status == DRAFT:
        return "Bản nháp: đề nghị chưa gửi Sở Tài chính."
    if record.status == RETURNED:
        returned = f" ngày {_when(record.returned_at)}" if record.returned_at else ""
        return (f"Bản nháp: Sở Tài chính đã trả lại đề nghị{returned} để chỉnh sửa; nội dung dưới đây là bản "
                "hiện tại của đơn vị, chưa gửi lại.")
    if record.status == WITHDRAWN:
        withdrawn = f" ngày {_when(record.withdrawn_at)}" if record.withdrawn_at else ""
        return f"Đơn vị đã rút đề nghị{withdrawn}."
    return None


def _trail(record) -> list[tuple]:
    rows = []
    for entry, changes in audit.with_changes(audit.history("request", record.id)):
        note = changes.get("reason") or ""
        if entry.action == "document.upload" and changes.get("name"):
            note = changes["name"]
        rows.append((_when(entry.at), AUDIT_LABELS.get(entry.action, entry.action), entry.actor or "hệ thống", note))
    return rows


def _dated_line(moment) -> str:
    local = _local(moment)
    if not local:
        return "Ngày ..... tháng ..... năm ......"
    return f"Ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"


def request_pdf(record) -> bytes:
    """PHIẾU ĐỀ NGHỊ CẤP KINH PHÍ: the request as the unit sent it (or, marked, as it stands)."""
    facts, _gaps = _facts(record)
    unit = record.unit
    doc = FormPdf(title=f"Đề nghị cấp kinh phí {record.number}",
                  watermark=DRAFT_MARK if _editable(record) else None,
                  footer_note=f"Đề nghị cấp kinh phí {record.number}")
    doc.national_motto(left_lines=(unit.name.upper(),), doc_no=facts["letter_no"],
                       place_date=_dated_line(record.submitted_at))
    doc.doc_title("PHIẾU ĐỀ NGHỊ CẤP KINH PHÍ",
                  subtitle=f"Số {record.number} · Năm ngân sách {record.fiscal_year}")
    note = _status_note(record)
    if note:
        doc.paragraph(note, bold=True, align="C")
    doc.paragraph("Kính gửi: Sở Tài chính", bold=True, align="C")
    doc.fields([("Đơn vị đề nghị", f"{unit.name} (mã {unit.code})"),
                ("Địa chỉ", facts["address"]),
                ("Nội dung đề nghị", record.title),
                ("Nhóm chi", "; ".join(CATEGORY_LABELS[c] for c in record.categories) or "—"),
                ("Trạng thái", REQUEST_STATUS_LABELS[record.status]),
                ("Gửi Sở Tài chính", _when(record.submitted_at) or "chưa gửi")])
    doc.heading("Chi tiết kinh phí đề nghị:")
    doc.table(
        [Column("STT", 11, "C"), Column("Nhóm chi", 33), Column("Nội dung", 58), Column("Số lượng", 18, "R"),
         Column("Đơn giá (đồng)", 28, "R"), Column("Thành tiền (đồng)", 32, "R")],
        [(str(index), CATEGORY_LABELS[line.category], line.description, line.quantity, line.unit_cost, line.amount)
         for index, line in enumerate(record.lines, start=1)],
        total=("", "Tổng cộng", "", "", "", record.requested_total))
    doc.paragraph(f"Tổng số tiền đề nghị: {vnd(record.requested_total)} đồng (bằng chữ: "
                  f"{amount_in_words(record.requested_total)}).", bold=True)
    if record.approved_total:
        doc.paragraph(f"Sở Tài chính đã phân bổ: {vnd(record.approved_total)} đồng (bằng chữ: "
                      f"{amount_in_words(record.approved_total)}).")
    doc.heading("Sự cần thiết, căn cứ:")
    justification = facts["justification"]
    doc.paragraph(justification.printed if isinstance(justification, Missing) else justification,
                  italic=isinstance(justification, Missing))
    doc.heading("Quá trình xử lý:")
    doc.table([Column("Thời điểm", 30), Column("Thao tác", 45), Column("Người thực hiện", 35), Column("Ghi chú", 70)],
              _trail(record))
    doc.signatures([Signature("NGƯỜI LẬP", name=record.created_by.full_name if record.created_by else None),
                    Signature("THỦ TRƯỞNG ĐƠN VỊ", note="(Ký, ghi họ tên, đóng dấu)", name=facts["head_name"])])
    return doc.render()
