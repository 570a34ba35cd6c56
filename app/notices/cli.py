"""`flask notices send|scan`: one pass of the worker's notice tasks, by hand."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

notices_cli = AppGroup("notices", help="Thông báo: gửi e-mail đang chờ, quét việc quá hạn.")


@notices_cli.command("send")
@with_appcontext
def send_command():
    """Gửi ngay các e-mail thông báo đến hạn."""
    from app.notices.mailer import send_due
    counts = send_due()
    click.echo("Đã gửi {sent}; thử lại sau {retry}; hỏng {failed}; kẹt ở trạng thái đang gửi {stuck}.".format(
        **counts))
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER chưa đặt: thông báo chỉ hiện trong hộp thư của ứng dụng.")


@notices_cli.command("scan")
@with_appcontext
def scan_command():
    """Quét sản phẩm quá hạn, đã nghiệm thu chưa thanh toán 30 ngày: tạo thông báo (mỗi việc một lần)."""
    from app.core import clock
    from app.notices.mailer import run_scans
    click.echo(f"Đã tạo {run_scans(clock.today())} thông báo.")
