"""Users, web sessions and API tokens."""


def init_app(app, api):
    from app.auth import models  # noqa: F401 - models for the schema
    from app.auth.api import blp as auth_api
    from app.auth.cli import register as register_cli
    from app.auth.loaders import register_user_loaders
    from app.auth.views import bp as auth_views
    from app.core.i18n import N_
    from app.core.registry import registry_of
    from app.extensions import login_manager

    api.register_blueprint(auth_api)
    app.register_blueprint(auth_views)
    register_user_loaders(login_manager)
    register_cli(app)
    registry_of(app).add_audit_labels({
        "user.create": N_("Tạo người dùng"),
        "user.grant_role": N_("Cấp vai trò"),
        "user.password_change": N_("Đổi mật khẩu"),
        "user.activate": N_("Mở khoá người dùng"),
        "user.deactivate": N_("Khoá người dùng"),
        "auth.login": N_("Đăng nhập"),
        "auth.logout": N_("Đăng xuất"),
        "auth.token_issue": N_("Cấp token API"),
        "auth.token_revoke": N_("Thu hồi token API"),
    })
