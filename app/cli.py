"""`flask --app wsgi …` commands (DESIGN §7)."""
import sys

import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.core.permissions import ROLES
from app.extensions import db

users_cli = AppGroup("users", help="Người dùng: tạo tài khoản, cấp token API.")
audit_cli = AppGroup("audit", help="Nhật ký kiểm toán.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--unit", "unit_code", default=None, help="Mã đơn vị (bắt buộc với cán bộ đơn vị, Sở TT&TT).")
@click.option("--full-name", default=None)
@click.option("--password-stdin", is_flag=True, required=True, help="Đọc mật khẩu từ stdin.")
def create_user(username, role, unit_code, full_name, password_stdin):
    from app.auth import services

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.create_user(None, username=username, password=password,
                                    full_name=full_name or username, role=role, unit_code=unit_code)
    except DomainError as error:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.details.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    db.session.commit()
    click.echo(f"Đã tạo người dùng {user.username} ({user.role}).")


@users_cli.command("token")
@click.argument("username")
def create_token(username):
    from app.auth import services

    try:
        user = services.get_user_by_username(username.lower())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if not user.active:
        raise click.ClickException(f"Người dùng {username} đã bị khoá.")
    token, _expires = services.issue_token(user)
    db.session.commit()
    click.echo(token)


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
    for group in (users_cli, audit_cli, demo_cli):
        app.cli.add_command(group)
