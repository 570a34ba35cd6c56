"""Reports: execution dashboards, the ledger workbook and CSV, OCDS open data, red flags."""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("export_job", N_("Lượt xuất sổ chi")))
    from app.core.i18n import N_
    from app.core.permissions import ADMIN, AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
    from app.core.registry import registry_of
    from reports import disclosure
    from reports.api import blueprints
    from reports.cli import reports_cli
    from reports.job_views import bp as export_views
    from reports.views import bp

    for blp in blueprints:
        api.register_blueprint(blp)
    app.register_blueprint(bp)
    app.register_blueprint(export_views)  # with reports.jobs, the worker's export task
    from reports.flag_views import bp as flag_views
    app.register_blueprint(flag_views)
    registry_of(app).add_audit_labels({"flag.handle": N_("Đánh dấu cảnh báo đã xử lý")})
    from reports.periodic_views import bp as periodic_pages  # the DIC's periodic report (issue 21)
    app.register_blueprint(periodic_pages)
    registry_of(app).add_nav("periodic.periodic_page", N_("Báo cáo định kỳ"),
                             (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR), order=64, group="reports")
    app.cli.add_command(reports_cli)
    app.config.setdefault("OCDS_URI_BASE", "https://stc.gialai.gov.vn/ocds")
    app.config.setdefault("OCDS_PREFIX", "ocds-pcb001")
    disclosure.init_app(app, api)

    registry = registry_of(app)
    registry.add_audit_labels({"export.start": N_("Xuất sổ chi chạy nền")})
    registry.add_nav("reports.dashboard", N_("Tình hình thực hiện"),
                     (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR), order=60, group="reports")
    registry.add_nav("reports.outputs_page", N_("Kết quả đặt hàng"),
                     (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR), order=61, group="reports")
    registry.add_nav("disclosure.disclosure_page", N_("Công khai"),
                     (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR, ADMIN), order=63, group="reports")
    registry.add_nav("reports.flags_page", N_("Cảnh báo"), (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR),
                     order=62, group="reports", work=("red_flags",))
    # Việc cần làm (app/work): red flags not handled, for auditors (reports/queries.py)
    from reports import queries
    registry.add_work("red_flags", N_("Cảnh báo chưa xử lý"), (AUDITOR,), order=10,
                      count=queries.open_flag_count, rows=queries.open_flag_rows, url="reports.flags_page")
