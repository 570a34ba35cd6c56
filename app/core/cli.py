"""`flask --app wsgi audit …` and `demo …` (DESIGN §7); each domain adds its own commands."""
import sys

import click
from flask.cli import AppGroup

from app.extensions import db

audit_cli = AppGroup("audit", help="Nhật ký kiểm toán.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")


@audit_cli.command("verify")
def verify():
    from app.core.audit import verify_chain

    checked, problem = verify_chain()
    if problem:
        click.echo(f"Chuỗi nhật ký bị phá vỡ tại mục seq={problem.seq}: {problem.reason}", err=True)
        sys.exit(1)
    click.echo(f"Chuỗi nhật ký hợp lệ: {checked} mục.")


@demo_cli.command("load")
def demo_load():
    from app.demo import load_demo

    summary = load_demo()
    db.session.commit()
    click.echo(summary)


def register(app):
    for group in (audit_cli, demo_cli):
        app.cli.add_command(group)
