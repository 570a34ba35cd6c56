"""The flags worked through: filters of the flags page, "đã xử lý" with a note, the CSV of what
the filters show."""
import csv
import io

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validate

from app.core.exceptions import ValidationFailed
from app.core.pages import current_actor
from app.core.permissions import AUDITOR, FINANCE_OFFICER, require_role
from app.core.templating import format_date
from app.core.text import Text, neutralise_formula
from reports import flag_reviews, flags
from reports.permissions import unit_scope

bp = Blueprint("flag_reviews", __name__)
CSV_LIMIT = 100_000


def flag_choices(args) -> dict:
    """What the page's filters chose; an unknown value is no filter."""
    code = args.get("code", "")
    severity = args.get("severity", "")
    return {"unit": (args.get("unit") or "").strip().upper()[:20], "code": code if code in flags.FLAG_LABELS else "",
            "severity": severity if severity in flags.SEVERITY_ORDER else "", "handled": args.get("handled") == "1"}


def flag_filter(chosen: dict, reviews: dict):
    def keep(flag):
        return ((not chosen["unit"] or flag.get("unit_code") == chosen["unit"])
                and (not chosen["code"] or flag["code"] == chosen["code"])
                and (not chosen["severity"] or flag["severity"] == chosen["severity"])
                and (chosen["handled"] or flag_reviews.handled(flag, reviews) is None))
    return keep


class HandleSchema(Schema):
    fiscal_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    code = fields.String(required=True, validate=validate.OneOf(tuple(flags.FLAG_LABELS)))
    entity = fields.String(required=True, validate=validate.Length(max=20))
    entity_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    note = Text(required=True, multiline=True, min_length=3, max_length=2000)


@bp.post("/reports/flags/handle")
@login_required
def handle_flag():
    actor = current_actor()
    require_role(actor, FINANCE_OFFICER, AUDITOR)  # access before the body is read
    try:
        data = HandleSchema().load({key: value for key, value in request.form.items() if key != "csrf_token"})
    except ValidationError as error:
        raise ValidationFailed(gettext("Cần ghi rõ đã xử lý thế nào (ít nhất 3 ký tự)."),
                               error.normalized_messages()) from None
    flag_reviews.mark_handled(actor, **data)
    flash(gettext("Đã đánh dấu cảnh báo là đã xử lý."), "success")
    return redirect(url_for("reports.flags_page", fiscal_year=data["fiscal_year"]))


@bp.get("/reports/flags.csv")
@login_required
def flags_csv():
    actor = current_actor()
    scope = unit_scope(actor)
    year = request.args.get("fiscal_year", "")
    if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
        raise ValidationFailed.field("fiscal_year", gettext("Năm ngân sách từ 2000 đến 2100."))
    chosen = flag_choices(request.args)
    reviews = flag_reviews.reviews_of(int(year))
    items, _total = flags.window(int(year), scope, 0, CSV_LIMIT, keep=flag_filter(chosen, reviews))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext("Loại"), gettext("Mức độ"), gettext("Hồ sơ"), gettext("Đơn vị"), gettext("Nội dung"),
                     gettext("Số tiền"), gettext("Từ ngày"), gettext("Số ngày"), gettext("Đã xử lý")])
    for item in items:
        review = flag_reviews.handled(item, reviews)
        writer.writerow([item["label"], item["severity"], neutralise_formula(item.get("reference") or ""),
                         item.get("unit_code") or "", neutralise_formula(item["message"]),
                         "" if item["amount"] is None else item["amount"], format_date(item["since"]),
                         "" if item["days"] is None else item["days"],
                         neutralise_formula(review.note) if review else ""])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="canh-bao-{year}.csv"'})
