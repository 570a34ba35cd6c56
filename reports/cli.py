"""`flask reports ledger --fiscal-year Y -o FILE.xlsx [--unit CODE] [--lang en]` (DESIGN §7)."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from app.extensions import db
from app.units.models import Unit
from reports import workbook
from reports.filters import LedgerFilter
from reports.ledger_rows import count_entries

reports_cli = AppGroup("reports", help="Báo cáo: xuất sổ chi.")


@reports_cli.command("ledger")
@click.option("--fiscal-year", "fiscal_year", type=click.IntRange(2000, 2100), required=True,
              help="Năm ngân sách.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Tệp .xlsx sẽ ghi.")
@click.option("--unit", "unit_code", default=None, help="Chỉ một đơn vị (mã, ví dụ STP).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def ledger(fiscal_year, output, unit_code, lang):
    """Write the ledger workbook of a fiscal year, with a progress bar over the expenditures."""
    unit_id = None
    if unit_code:
        unit_id = db.session.execute(sa.select(Unit.id).where(Unit.code == unit_code)).scalar()
        if unit_id is None:
            raise click.BadParameter(f"không có đơn vị mã {unit_code}", param_hint="--unit")
    selection = LedgerFilter(fiscal_year=fiscal_year, unit_id=unit_id)
    total = count_entries(selection)
    with force_locale(lang), click.progressbar(length=total, label="Sổ chi", show_pos=True) as bar:
        counts = workbook.write_workbook(output, None, selection, lang, progress=bar.update)
    click.echo(f"Đã ghi {output}: {counts['ledger']} khoản chi, {counts['commissions']} đặt hàng, "
               f"{counts['deliverables']} sản phẩm, {counts['transfers']} điều chỉnh dự toán, "
               f"{counts['settlement']} dòng Mẫu 31, "
               f"{counts['flags']} cảnh báo, {counts['audit']} dòng nhật ký.")
