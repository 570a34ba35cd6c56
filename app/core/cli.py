"""`flask --app wsgi audit …` and `demo …` (DESIGN §7); each domain adds its own commands."""
import os
import sys

import click
from flask.cli import AppGroup

from app.extensions import db

audit_cli = AppGroup("audit", help="Nhật ký kiểm toán.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")


@audit_cli.command("verify")
def verify():
    from app.core.audit import check_chain
    from app.extensions import db

    check = check_chain()
    db.session.commit()  # the trail page shows the last check
    if check.broken_at:
        click.echo(f"Chuỗi nhật ký bị phá vỡ tại mục seq={check.broken_at}: {check.problem}", err=True)
        sys.exit(1)
    click.echo(f"Chuỗi nhật ký hợp lệ: {check.entries} mục.")


@demo_cli.command("load")
def demo_load():
    from app.demo import load_demo

    if os.environ.get("APP_CONFIG") == "production":
        # The demo's passwords are published in the README: never on a production database.
        click.echo("Không nạp dữ liệu mẫu khi APP_CONFIG=production: mật khẩu của các tài khoản demo "
                   "đã được công bố. Tạo người dùng bằng `flask users create`.", err=True)
        sys.exit(1)
    summary = load_demo()
    db.session.commit()
    click.echo(summary)


def register(app):
    for group in (audit_cli, demo_cli):
        app.cli.add_command(group)
