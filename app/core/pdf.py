"""Printable forms as PDF (fpdf2, pure Python): the kernel of the paperwork; it knows no domain.

A document is drawn top to bottom on a `FormPdf` (A4 portrait, 15 mm margins, DejaVu Sans shipped in
app/static/fonts under its licence, "Trang x/y" at the foot of every page) with a few blocks:

    doc = FormPdf(title="Biên bản nghiệm thu")
    doc.national_motto(left_lines=("SỞ TÀI CHÍNH",), doc_no="12/BB-NT")
    doc.doc_title("BIÊN BẢN NGHIỆM THU", subtitle="Sản phẩm truyền thông chính sách")
    doc.fields([("Bên A", unit.name, None), ("Địa chỉ", unit.address, Missing("địa chỉ đơn vị", "…"))])
    doc.table([Column("Sản phẩm", 100), Column("Giá trị (đồng)", 40, "R")], rows, total=("Cộng", 100_000))
    doc.signatures([Signature("ĐẠI DIỆN BÊN A"), Signature("ĐẠI DIỆN BÊN B")])
    data = doc.render()

What the record lacks is never a silent blank: a value that is blank prints the `Missing` the caller
gives, "(chưa có địa chỉ đơn vị — quản trị viên cập nhật ở trang Đơn vị)", in italics, and the
caller lists the same `Missing` items on the record's page. Any value may also be a `Missing` itself.

Text is printed as given (NFC-normalised): no markdown, no formula ("=SUM(A1)" stays that text);
integers print with dots between thousands ("100.000.000"). A table longer than a page continues on
the next with its header row repeated (fpdf2's `table(repeat_headings=1)`).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Response, request
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace
from marshmallow import Schema, fields

from app.core.money import group_thousands

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

MARGIN = 15          # mm, left, right and top
BOTTOM = 18          # mm kept free at the foot for the page number
SIZE = 10.5          # pt, body text
LINE = 5.5           # mm, body line height
# The total-pages placeholder: a private-use character pair no record text carries ("{nb}", fpdf2's
# default, would be replaced inside a title that happens to contain it).
_PAGES_ALIAS = "\ue000nb\ue000"
_CELL_PADDING = (0.8, 1.2)  # mm, top and bottom, left and right, in table cells


@dataclass(frozen=True)
class Missing:
    """Something the record lacks, and who must fill it in: printed in its place and listed on the page."""

    what: str   # "địa chỉ đơn vị"
    who: str    # "quản trị viên cập nhật ở trang Đơn vị"

    @property
    def text(self) -> str:
        return f"chưa có {self.what} — {self.who}"

    @property
    def printed(self) -> str:
        return f"({self.text})"


Value = str | int | Missing | None


@dataclass(frozen=True)
class Column:
    header: str
    width: float              # mm
    align: str = "L"          # "L", "R" (amounts) or "C"


@dataclass(frozen=True)
class Signature:
    role: str                             # "ĐẠI DIỆN BÊN A"
    note: str = "(Ký, ghi họ tên)"
    name: str | Missing | None = None     # printed under the space to sign: known, or said missing
    date_line: str | None = None          # "Ngày … tháng … năm …", above the role


def vnd(amount: int) -> str:
    """Figures with dots between thousands, as the forms print them: 100000000 -> "100.000.000"."""
    return group_thousands(amount)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text))


def _cell_text(value: Value) -> str:
    if isinstance(value, Missing):
        return value.printed
    if isinstance(value, bool):
        raise TypeError("a boolean is not a printable value: give its words")
    if isinstance(value, int):
        return vnd(value)
    return "" if value is None else _nfc(value)


class FormPdf(FPDF):
    """An A4 legal form. `watermark` prints a faint diagonal word on every page ("BẢN NHÁP");
    `footer_note` prints at the left of the page footer (what the document is)."""

    def __init__(self, *, title: str = "", watermark: str | None = None, footer_note: str | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.alias_nb_pages(_PAGES_ALIAS)
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_lang("vi")
        self.set_creator("Quản lý kinh phí truyền thông chính sách")
        if title:
            self.set_title(_nfc(title))
        self._watermark = _nfc(watermark) if watermark else None
        self._footer_note = _nfc(footer_note) if footer_note else None
        self.add_page()
        self._font()

    # -- page furniture -------------------------------------------------------------------------

    def header(self):
        if self._watermark:
            with self.local_context(text_color=(200, 200, 200)):
                self.set_font(FONT, "B", 60)
                width = self.get_string_width(self._watermark)
                cx, cy = self.w / 2, self.h / 2
                with self.rotation(45, cx, cy):
                    self.text(cx - width / 2, cy, self._watermark)
            self.set_xy(self.l_margin, self.t_margin)
        self._font()

    def footer(self):
        self.set_y(-12)
        self._font(size=8)
        if self._footer_note:
            self.cell(self.epw / 2, 5, self._footer_note, align="L")
            self.cell(self.epw / 2, 5, f"Trang {self.page_no()}/{_PAGES_ALIAS}", align="R")
        else:
            self.cell(0, 5, f"Trang {self.page_no()}/{_PAGES_ALIAS}", align="C")

    def _font(self, style: str = "", size: float = SIZE):
        self.set_font(FONT, style, size)

    def _line(self, text: str, *, style: str = "", size: float = SIZE, align: str = "C",
              w: float = 0, x: float | None = None):
        if x is not None:
            self.set_x(x)
        self._font(style, size)
        self.multi_cell(w, LINE, _nfc(text), align=align, new_x=XPos.LMARGIN if x is None else XPos.LEFT,
                        new_y=YPos.NEXT)

    def _two_blocks(self, left: Sequence[tuple[str, str]], right: Sequence[tuple[str, str]], *,
                    left_width: float, boxed: bool = False):
        """Two blocks of (style, text) lines side by side from the current y; returns below both."""
        top = self.y
        right_x = self.l_margin + left_width + 5
        right_width = self.epw - left_width - 5
        self.set_xy(self.l_margin, top)
        pad = 2 if boxed else 0
        if boxed:
            self.set_y(top + pad)
        for style, text in left:
            self.set_x(self.l_margin + pad)
            self._font(style)
            self.multi_cell(left_width - 2 * pad, LINE, _nfc(text), align="C", new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)
        left_bottom = self.y + pad
        if boxed:
            self.rect(self.l_margin, top, left_width, left_bottom - top)
        self.set_y(top)
        for style, text in right:
            self.set_x(right_x)
            self._font(style)
            self.multi_cell(right_width, LINE, _nfc(text), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(left_bottom, self.y) + 3)
        self._font()

    # -- blocks ---------------------------------------------------------------------------------

    def form_header(self, *, form_no: str | None = None, symbol: str | None = None,
                    doc_no: str | Missing | None = None, budget_year: int | None = None,
                    left_lines: Sequence[str] = ("Không ghi vào", "khu vực này"), boxed: bool = True):
        """The top of a State Treasury form: a box at the left (by default the Treasury's own
        "Không ghi vào khu vực này"; or the organisation's name, `boxed=False`) and at the right
        "Mẫu số 13", "Ký hiệu: C2-02a/NS", "Số: …", "Năm ngân sách: 2026" (the lines given)."""
        right = []
        if form_no:
            right.append(("B", f"Mẫu số {form_no}"))
        if symbol:
            right.append(("", f"Ký hiệu: {symbol}"))
        if doc_no is not None:
            right.append(self._numbered(doc_no))
        if budget_year is not None:
            right.append(("", f"Năm ngân sách: {budget_year}"))
        self._two_blocks([("B" if not boxed else "I", line) for line in left_lines], right,
                         left_width=80, boxed=boxed)

    def national_motto(self, *, left_lines: Sequence[str] = (), doc_no: str | Missing | None = None,
                       place_date: str | None = None):
        """The heading of minutes: at the left the organisation (`left_lines`) and "Số: …", at the
        right "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc" and the place and date."""
        left = [("B", line) for line in left_lines]
        if doc_no is not None:
            left.append(self._numbered(doc_no))
        right = [("B", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), ("B", "Độc lập - Tự do - Hạnh phúc"),
                 ("", "―――――――――――")]
        if place_date:
            right.append(("I", place_date))
        self._two_blocks(left, right, left_width=70)

    @staticmethod
    def _numbered(doc_no: str | Missing) -> tuple[str, str]:
        if isinstance(doc_no, Missing):
            return "I", f"Số: {doc_no.printed}"
        return ("I", "Số: (chưa có số)") if blank(doc_no) else ("", f"Số: {_nfc(doc_no)}")

    def doc_title(self, text: str, subtitle: str | None = None):
        self.ln(2)
        self._line(text, style="B", size=14)
        if subtitle:
            self._line(subtitle, style="I")
        self.ln(3)
        self._font()

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, align: str = "J"):
        self._font(("B" if bold else "") + ("I" if italic else ""))
        self.multi_cell(0, LINE, _nfc(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._font()

    def heading(self, text: str):
        """A section heading inside the document ("I. Thành phần", "II. Nội dung nghiệm thu")."""
        self.ln(1)
        self.paragraph(text, bold=True, align="L")

    def ticks(self, items: Iterable[tuple[str, bool]], *, size: float = 3.5):
        """Boxes with their label, a cross drawn with lines in the checked ones; wraps at the margin."""
        self._font()
        gap = 6
        for label, checked in items:
            label = _nfc(label)
            width = size + 2 + self.get_string_width(label)
            if self.x + width > self.l_margin + self.epw:
                self.ln(LINE)
            if self.will_page_break(LINE):
                self.add_page()
            x, y = self.x, self.y + (LINE - size) / 2
            self.rect(x, y, size, size)
            if checked:
                self.line(x + 0.7, y + 0.7, x + size - 0.7, y + size - 0.7)
                self.line(x + 0.7, y + size - 0.7, x + size - 0.7, y + 0.7)
            self.set_x(x + size + 2)
            self.cell(self.get_string_width(label), LINE, label)
            self.set_x(self.x + gap)
        self.ln(LINE)

    def field(self, label: str, value: Value, missing: Missing | None = None, *,
              width: float | None = None):
        """One "Label: value" (wrapping); a blank value prints `missing` (or "(chưa có)") in italics."""
        self._field(label, value, missing, self.l_margin, width or self.epw)
        self.set_x(self.l_margin)

    def fields(self, items: Sequence[tuple[str, Value, Missing | None] | tuple[str, Value]], *,
               columns: int = 1):
        """Fields as (label, value[, missing]), `columns` to a row, a row never split across pages."""
        gap = 4
        width = (self.epw - gap * (columns - 1)) / columns
        items = [tuple(item) + (None,) * (3 - len(item)) for item in items]
        for start in range(0, len(items), columns):
            row = items[start:start + columns]
            height = max(self._field_height(label, value, missing, width) for label, value, missing in row)
            if self.will_page_break(height):
                self.add_page()
            top, bottom = self.y, self.y
            for index, (label, value, missing) in enumerate(row):
                self.set_y(top)
                self._field(label, value, missing, self.l_margin + index * (width + gap), width)
                bottom = max(bottom, self.y)
            self.set_xy(self.l_margin, bottom)

    def _field_value(self, value: Value, missing: Missing | None) -> tuple[str, str]:
        if isinstance(value, Missing):
            return "I", value.printed
        if blank(value):
            return "I", missing.printed if missing else "(chưa có)"
        return "", _cell_text(value)

    def _field_height(self, label, value, missing, width) -> float:
        self._font("B")  # the widest face: an upper bound
        text = f"{_nfc(label)}: {self._field_value(value, missing)[1]}"
        height = self.multi_cell(width, LINE, text, dry_run=True, output=MethodReturnValue.HEIGHT)
        self._font()
        return height

    def _field(self, label, value, missing, x: float, width: float):
        style, text = self._field_value(value, missing)
        left, right = self.l_margin, self.r_margin
        self.set_left_margin(x)
        self.set_right_margin(self.w - x - width)
        self.set_x(x)
        self._font("B")
        self.write(LINE, f"{_nfc(label)}: ")
        self._font(style)
        self.write(LINE, text)
        self.ln(LINE)
        self.set_left_margin(left)
        self.set_right_margin(right)
        self._font()

    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[Value]],
              total: Sequence[Value] | None = None, *, size: float = 9):
        """A bordered table; long cells wrap, the header row repeats at the top of every page, and
        `total` (one value a column) closes it in bold. Integers print with dots between thousands."""
        widths = [column.width for column in columns]
        if sum(widths) > self.epw + 0.01:
            raise ValueError(f"the columns ({sum(widths)} mm) are wider than the page ({self.epw} mm)")
        self._font(size=size)
        heading = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        with FPDF.table(self, col_widths=widths, width=sum(widths), align="LEFT", line_height=size * 0.5,
                        padding=_CELL_PADDING, repeat_headings=1, headings_style=heading,
                        text_align=tuple(column.align for column in columns), markdown=False,
                        cell_fill_mode=TableCellFillMode.NONE, v_align="TOP") as grid:
            header = grid.row()
            for column in columns:
                header.cell(_nfc(column.header), align=Align.C)
            for values in rows:
                self._table_row(grid, columns, values, size)
            if total is not None:
                self._table_row(grid, columns, total, size, bold=True)
        self.ln(2)
        self._font()

    def _table_row(self, grid, columns, values, size, *, bold=False):
        if len(values) != len(columns):
            raise ValueError(f"a row of {len(values)} cells in a table of {len(columns)} columns")
        row = grid.row()
        for column, value in zip(columns, values):
            text = _cell_text(value)
            emphasis = "BOLD" if bold else ("ITALICS" if isinstance(value, Missing) else None)
            cell_size = self._figure_size(text, column.width, size, "B" if bold else "") \
                if isinstance(value, int) else None
            row.cell(text, style=FontFace(emphasis=emphasis, size_pt=cell_size) if emphasis or cell_size else None)

    def _figure_size(self, text: str, width: float, size: float, style: str) -> float | None:
        """A figure is never cut across lines: one too wide for its column prints smaller."""
        self.set_font(FONT, style, size)
        room = width - 2 * _CELL_PADDING[1] - 0.3
        needed = self.get_string_width(text)
        self._font(size=size)
        if needed <= room:
            return None
        return max(4.0, int(size * room / needed * 4) / 4)

    def signatures(self, blocks: Sequence[Signature], *, space: float = 24):
        """Signature blocks side by side: date line, role, note, room to sign, then the name when known.
        The parts line up across the blocks, and the row is never split across pages."""
        width = self.epw / max(1, len(blocks))

        def name(block):
            return block.name.printed if isinstance(block.name, Missing) else block.name

        parts = [("I", lambda block: block.date_line), ("B", lambda block: block.role),
                 ("I", lambda block: block.note), ("B", name)]

        def style_of(style, part, block):
            return "I" if part is name and isinstance(block.name, Missing) else style

        def height(style, text):
            if not text:
                return 0
            self._font(style)
            return self.multi_cell(width, LINE, _nfc(text), dry_run=True, output=MethodReturnValue.HEIGHT)

        heights = [max(height(style_of(style, part, block), part(block)) for block in blocks)
                   for style, part in parts]
        self.ln(4)
        if self.will_page_break(sum(heights) + space):
            self.add_page()
        top = self.y
        for index, block in enumerate(blocks):
            x, y = self.l_margin + index * width, top
            for (style, part), part_height in zip(parts, heights):
                if part is name:
                    y += space
                if part(block):
                    self.set_xy(x, y)
                    self._font(style_of(style, part, block))
                    self.multi_cell(width, LINE, _nfc(part(block)), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
                y += part_height
        self.set_xy(self.l_margin, top + sum(heights) + space)
        self._font()

    def render(self) -> bytes:
        return bytes(self.output())


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """An ASCII file name: Vietnamese letters lose their marks ("đ" becomes "d"), anything else but
    letters, digits, dot, dash and underscore becomes a dash ("BB/01 NT" -> "BB-01-NT")."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_FILENAME.sub("-", ascii_name).strip("-.") or "document.pdf"


class PdfArgs(Schema):
    """The query of every PDF route: `?download=1` saves the file instead of showing it."""

    download = fields.Boolean(load_default=False, truthy={"1", "true"}, falsy={"0", "false"},
                              metadata={"description": "1: tải về (attachment) thay vì mở trong trình duyệt."})


def download_asked() -> bool:
    """A page's `?download=1` (or `true`): the pages read the same query as `PdfArgs`, leniently."""
    return request.args.get("download") in ("1", "true")


def pdf_answer(blp, description: str):
    """Document a route's 200 answer as a PDF file (flask-smorest), the way reports document theirs."""
    def decorator(view):
        view = blp.doc(responses={"200": {"description": description, "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})(view)
        return blp.response(200, description=description)(view)
    return decorator


def pdf_response(data: bytes, filename: str, *, download: bool = False) -> Response:
    """The PDF as an HTTP answer: shown in the browser (inline), or saved (attachment) when `download`;
    never kept by a shared cache."""
    name = safe_filename(filename)
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment" if download else "inline", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
