"""Envelopes, funding requests and allocations: the first domain."""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("envelope", N_("Nguồn kinh phí"), "budgets.show_envelope", "envelope_id"),
                      EntityKind("request", N_("Đề nghị kinh phí"), "budgets.show_request", "request_id"),
                      EntityKind("allocation", N_("Phân bổ"), "budgets.show_allocation", "allocation_id"),
                      EntityKind("transfer", N_("Điều chỉnh dự toán")),
                      EntityKind("fiscal_year", N_("Năm ngân sách"), "years.show_year", "year"))
    from budgets import notices
    notices.register(app)  # the notices it sends (app/notices)
    from app.core.i18n import N_
    from app.core.permissions import AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
    from app.core.registry import registry_of
    from budgets import models, permissions, queries
    from budgets.api import blueprints
    from budgets.demo import load_budgets
    from budgets.views import bp

    for blp in blueprints:
        api.register_blueprint(blp)
    app.register_blueprint(bp)
    # Globals rather than a context processor, so that imported macros see them too.
    app.jinja_env.globals.update(
        CATEGORY_LABELS=models.CATEGORY_LABELS, REQUEST_STATUS_LABELS=models.REQUEST_STATUS_LABELS,
        REQUEST_STATUS_STYLES=models.REQUEST_STATUS_STYLES, REQUEST_STATUS=models.RequestStatus)

    registry = registry_of(app)
    units = (UNIT_OFFICER, DIC_OFFICER)
    registry.add_nav("budgets.dashboard", N_("Tổng quan"), units, order=10, group="budget")
    registry.add_nav("budgets.finance_queue", N_("Đề nghị chờ xử lý"), (FINANCE_OFFICER,), order=10, group="budget",
                     work=("requests_submitted",))
    registry.add_nav("budgets.list_envelopes", N_("Nguồn kinh phí"), (FINANCE_OFFICER, AUDITOR), order=15,
                     group="budget")
    registry.add_nav("budgets.transfers", N_("Điều chỉnh dự toán"), (FINANCE_OFFICER,), order=16, group="budget")
    registry.add_nav("budgets.list_allocations", N_("Các quyết định phân bổ"), (FINANCE_OFFICER, AUDITOR, *units),
                     order=17, group="budget")
    registry.add_nav("budgets.list_requests", N_("Đề nghị kinh phí"), (*units, AUDITOR), order=20, group="budget",
                     work=("requests_returned",))
    registry.add_nav("budgets.list_requests", N_("Tất cả đề nghị"), (FINANCE_OFFICER,), order=20, group="budget",
                     work=("requests_partly_allocated",))
    registry.add_nav("budgets.new_request", N_("Lập đề nghị"), units, order=30, group="budget")
    # Việc cần làm (app/work): the queries are in budgets/queries.py
    registry.add_work("requests_returned", N_("Đề nghị bị trả lại để chỉnh sửa"), units, order=10,
                      query=queries.returned_requests, row=queries.returned_request_row,
                      url="budgets.list_requests", url_args={"status": "returned"})
    registry.add_work("requests_submitted", N_("Đề nghị chờ xử lý"), (FINANCE_OFFICER,), order=10,
                      query=queries.submitted_requests, row=queries.submitted_request_row, url="budgets.finance_queue")
    registry.add_work("requests_partly_allocated", N_("Đề nghị mới phân bổ một phần"), (FINANCE_OFFICER,), order=30,
                      query=queries.partly_allocated_requests, row=queries.partly_allocated_row,
                      url="budgets.list_requests", url_args={"status": "approved"})
    registry.add_audit_labels(models.AUDIT_LABELS)
    registry.add_audit_filter(permissions.audit_entries_visible)
    registry.add_document_owner("request", load=queries.get_request, check_attach=permissions.check_can_attach)
    registry.add_demo_loader(load_budgets)

    from budgets import years
    years.init_app(app, api)
