"""`flask --app wsgi users …`: accounts and API tokens (DESIGN §7)."""
import sys

import click
from flask.cli import AppGroup, with_appcontext

from app.core.exceptions import DomainError
from app.core.permissions import ROLES
from app.extensions import db

users_cli = AppGroup("users", help="Người dùng: tạo tài khoản, cấp token API.")


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


@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Chỉ đếm và liệt kê, không xoá.")
@with_appcontext
def prune(dry_run):
    """Xoá token API hết hạn hoặc đã thu hồi, phiên web đã kết thúc, lần đăng nhập cũ, tệp trong thư mục
    tải lên không thuộc tài liệu nào và tệp tạm bỏ dở hơn một giờ."""
    from app.auth.maintenance import prune_logins
    from app.core.documents import TEMP_MAX_AGE_SECONDS, prune_files

    counts = prune_logins(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    files = prune_files(dry_run=dry_run)
    db.session.rollback()
    verb = "Sẽ xoá" if dry_run else "Đã xoá"
    click.echo(f"{verb} {counts['tokens']} token API hết hạn hoặc đã thu hồi, {counts['sessions']} phiên web đã "
               f"kết thúc, {counts['login_attempts']} lần đăng nhập cũ hơn {counts['retention_days']} ngày.")
    click.echo(f"{verb} {len(files['stray'])} tệp tải lên không thuộc tài liệu nào, {len(files['temporary'])} "
               f"tệp tạm cũ hơn {TEMP_MAX_AGE_SECONDS // 3600} giờ.")
    for kind, label in (("stray", "không thuộc tài liệu nào"), ("temporary", "tệp tạm")):
        for name in files[kind]:
            click.echo(f"  {name} ({label})")


def register(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(prune)
