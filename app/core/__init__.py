"""The shared kernel: errors, money, permissions, audit chain, documents, idempotency, lists, guarded
updates and numbering. It knows no domain: the domains register what it needs to know of them."""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("document", N_("Tài liệu"), "core.download_document", "document_id"),
                      EntityKind("audit_check", N_("Kiểm tra chuỗi nhật ký")))
    from app.core import audit, documents, idempotency, numbering  # noqa: F401 - models for the schema
    from app.core.audit_api import blp as audit_api
    from app.core.cli import register as register_cli
    from app.core.documents_api import blp as documents_api
    from app.core.i18n import N_
    from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER
    from app.core.registry import registry_of
    from app.core.views import bp as core_views

    api.register_blueprint(audit_api)
    api.register_blueprint(documents_api)
    app.register_blueprint(core_views)
    register_cli(app)
    from app.core.queue import worker_command
    app.cli.add_command(worker_command)
    from app.core import panels
    panels.init_app(app)
    registry = registry_of(app)
    registry.add_nav("core.audit_trail", N_("Nhật ký"), (FINANCE_OFFICER, AUDITOR, ADMIN), order=900,
                     group="reports", work=("audit_recent",))
    from app.core import audit_pages
    registry.add_work("audit_recent", N_("Nhật ký 7 ngày gần nhất"), (AUDITOR,), order=20,
                      query=audit_pages.recent_entries, row=audit_pages.recent_entry_row, url="core.audit_trail",
                      in_total=False)  # news, not work: not in the badge total
    registry.add_audit_labels({"document.upload": N_("Tải lên tài liệu")})
