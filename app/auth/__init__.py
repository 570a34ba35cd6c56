"""Users, web sessions, API tokens, the second factor, and the admin's pages for accounts."""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("user", N_("Người dùng"), "users.show_user", "user_id", money=False))
    from app.auth import models  # noqa: F401 - models for the schema
    from app.auth.admin_views import bp as admin_views
    from app.auth.api import blp as auth_api
    from app.auth.cli import register as register_cli
    from app.auth.gate import check_account
    from app.auth.loaders import ApiIgnoresCookieSession, register_user_loaders
    from app.auth.totp import parse_roles
    from app.auth.views import bp as auth_views
    from app.core.i18n import N_
    from app.core.permissions import ADMIN, FINANCE_OFFICER, ROLES
    from app.core.registry import registry_of
    from app.extensions import login_manager

    parse_roles(app.config["TOTP_REQUIRED_ROLES"])  # a typo in the setting stops the start, loudly
    api.register_blueprint(auth_api)
    app.register_blueprint(auth_views)
    app.register_blueprint(admin_views)
    register_user_loaders(login_manager)
    app.session_interface = ApiIgnoresCookieSession()
    app.before_request(check_account)  # after the hooks that load the login (app._register_hooks)
    register_cli(app)
    registry = registry_of(app)
    registry.add_nav("users.list_users", N_("Người dùng"), (ADMIN,), order=5, group="admin",
                     work=("users_locked", "users_without_second_factor"))
    registry.add_nav("users.role_grants", N_("Xác nhận vai trò"), (FINANCE_OFFICER,), order=890, group="admin")
    registry.add_nav("auth.account", N_("Tài khoản"), ROLES, order=990, group="account")
    # Việc cần làm (app/work): the queries are in app/auth/accounts.py
    from app.auth import accounts
    registry.add_work("users_locked", N_("Tài khoản bị khóa đăng nhập"), (ADMIN,), order=10,
                      query=accounts.locked_users, row=accounts.user_row,
                      url="users.list_users", url_args={"state": "locked"})
    registry.add_work("users_without_second_factor", N_("Người dùng chưa bật xác thực hai bước"), (ADMIN,),
                      order=20, query=accounts.users_without_second_factor, row=accounts.user_row)
    registry.add_audit_filter(admins_read_accounts_only)
    registry.add_audit_labels({
        "user.create": N_("Tạo người dùng"),
        "user.grant_role": N_("Cấp vai trò"),
        "user.confirm_role": N_("Xác nhận vai trò"),
        "user.update": N_("Sửa người dùng"),
        "user.password_change": N_("Đổi mật khẩu"),
        "user.password_reset": N_("Đặt mật khẩu tạm"),
        "user.activate": N_("Mở khoá người dùng"),
        "user.deactivate": N_("Khoá người dùng"),
        "user.unlock": N_("Gỡ khoá đăng nhập"),
        "user.sessions_revoke": N_("Kết thúc mọi phiên"),
        "user.totp_start": N_("Bắt đầu bật xác thực hai bước"),
        "user.totp_enable": N_("Bật xác thực hai bước"),
        "user.totp_reset": N_("Đặt lại xác thực hai bước"),
        "user.recovery_code_use": N_("Dùng mã khôi phục"),
        "auth.login": N_("Đăng nhập"),
        "auth.logout": N_("Đăng xuất"),
        "auth.token_issue": N_("Cấp token API"),
        "auth.token_revoke": N_("Thu hồi token API"),
        "auth.prune": N_("Dọn phiên, token và lần đăng nhập cũ"),
    })


ADMIN_AUDIT_ENTITIES = ("user", "unit", "supplier")


def admins_read_accounts_only(actor):
    """Segregation of duties (DESIGN §11): an admin reads no money, so the audit trail shows an admin
    only the entries about users, units and suppliers, never amounts, vouchers or payment links."""
    import sqlalchemy as sa

    from app.core.audit import AuditEntry
    from app.core.permissions import ADMIN

    if actor.role != ADMIN:
        return sa.true()
    return AuditEntry.entity.in_(ADMIN_AUDIT_ENTITIES)
