"""Notices: an outbox written with the change that causes it, an in-app inbox for everyone, e-mail
sent by the task queue's worker (`flask worker`). Domains register the kinds they send and the audit
actions that cause them (`notice_registry_of(app)`); nothing here knows a domain."""


def init_app(app, api):
    from app.core.audit import recorded
    from app.core.i18n import N_
    from app.core.permissions import ROLES
    from app.core.registry import registry_of
    from app.notices import (
        models,  # noqa: F401 - models for the schema
        tasks,  # noqa: F401 - the worker's periodic tasks
    )
    from app.notices.cli import notices_cli
    from app.notices.services import on_audit_entry
    from app.notices.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(notices_cli)
    recorded.connect(on_audit_entry)
    registry = registry_of(app)
    registry.add_nav("notices.inbox", N_("Thông báo"), ROLES, order=980, group="account")
    registry.add_audit_labels({"notices.read": N_("Đọc thông báo"),
                               "notices.settings": N_("Đổi cách nhận thông báo")})
