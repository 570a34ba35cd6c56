"""`flask year close Y --decision-no … --decision-date … [--dry-run]` (DESIGN §11)."""
import sys
from datetime import date

import click
from flask.cli import AppGroup

from app.core.exceptions import DomainError
from app.core.money import format_vnd
from app.extensions import db
from budgets.years import queries, services

year_cli = AppGroup("year", help="Năm ngân sách: khóa sổ và chuyển nguồn.")


def _print_preview(preview: dict):
    totals = preview["totals"]
    click.echo(f"Năm {preview['fiscal_year']}: phân bổ {format_vnd(totals['allocated'])}, "
               f"đã chi {format_vnd(totals['spent'])}, chuyển nguồn {format_vnd(totals['carried_over'])}, "
               f"hủy {format_vnd(totals['cancelled'])}.")
    click.echo(f"  {preview['carry_count']} đặt hàng chuyển nguồn, "
               f"{preview['cancel_commission_count']} đặt hàng chưa ký bị hủy.")
    for item in preview["carry"][:20]:
        click.echo(f"  → {item['number']} ({item['unit']}): cam kết {format_vnd(item['committed'])}, "
                   f"tạm ứng {format_vnd(item['outstanding_advance'])}")


@year_cli.command("close")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--decision-no", required=True, help="Số văn bản khóa sổ, chuyển nguồn.")
@click.option("--decision-date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Ngày văn bản (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước, không thay đổi gì.")
def close(year, decision_no, decision_date, dry_run):
    """Khóa sổ năm YEAR: chuyển nguồn đặt hàng đã ký, hủy phần còn lại."""
    decision_day: date = decision_date.date()
    try:
        services.check_may_close(year)
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    _print_preview(queries.close_preview(year, limit=20))
    if dry_run:
        click.echo("(--dry-run: không thay đổi gì)")
        return
    try:
        summary = services.close_year(None, year, decision_no=decision_no.strip(), decision_date=decision_day)
    except DomainError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Đã khóa sổ năm {year} ({decision_no}): phân bổ {format_vnd(summary['allocated'])} = "
               f"đã chi {format_vnd(summary['spent'])} + chuyển nguồn {format_vnd(summary['carried_over'])} "
               f"+ hủy {format_vnd(summary['cancelled'])}.")
