"""Suppliers, commissions and deliverables: the money's way from an allocation to the product.

The ledger of what is paid on them (advances, payments, recoveries, direct spending) is nested
here as `commissions.expenditures`, registered from `init_app`.
"""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("commission", N_("Đặt hàng"), "commissions.show_commission", "commission_id"),
                      EntityKind("deliverable", N_("Sản phẩm"), "expenditures.show_deliverable", "deliverable_id"),
                      EntityKind("supplier", N_("Nhà cung cấp"), "suppliers.edit_supplier", "supplier_id", money=False))
    from commissions import notices
    notices.register(app)  # the notices it sends (app/notices)
    from app.core.panels import add_panel
    from commissions.queries import allocation_commissions
    add_panel(app, "allocation", "commissions/_allocation_panel.html", allocation_commissions, order=10)
    from app.core.i18n import N_, NP_
    from app.core.permissions import AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
    from app.core.registry import registry_of
    from commissions import expenditures, models, permissions, queries
    from commissions.api import blueprints
    from commissions.demo import load_commissions
    from commissions.views import bp

    for blp in blueprints:
        api.register_blueprint(blp)
    app.jinja_env.globals.update(
        COMMISSION_STATUS_LABELS=models.COMMISSION_STATUS_LABELS,
        COMMISSION_STATUS_STYLES=models.COMMISSION_STATUS_STYLES, COMMISSION_STATUS=models.CommissionStatus,
        DELIVERABLE_STATUS_LABELS=models.DELIVERABLE_STATUS_LABELS,
        DELIVERABLE_STATUS_STYLES=models.DELIVERABLE_STATUS_STYLES, DELIVERABLE_STATUS=models.DeliverableStatus,
        DELIVERABLE_KIND_LABELS=models.DELIVERABLE_KIND_LABELS, METHOD_LABELS=models.METHOD_LABELS,
        SUPPLIER_KIND_LABELS=models.SUPPLIER_KIND_LABELS)
    # the deliverable's page (commissions.expenditures.views) lists what its minutes lack (issue 18)
    from commissions.paperwork import acceptance_missing
    app.jinja_env.globals.update(acceptance_missing=acceptance_missing)

    registry = registry_of(app)
    registry.add_audit_labels(models.AUDIT_LABELS)
    registry.add_document_owner("commission", load=queries.get_commission,
                                check_attach=permissions.check_can_attach_to_commission)
    registry.add_document_owner("deliverable", load=queries.get_deliverable,
                                check_attach=permissions.check_can_attach_to_deliverable)

    app.register_blueprint(bp)
    units = (UNIT_OFFICER, DIC_OFFICER)
    registry.add_nav("commissions.approval_queue", N_("Duyệt đặt hàng"), (FINANCE_OFFICER,), order=12,
                     group="commissions", work=("commissions_proposed",))
    registry.add_nav("commissions.list_commissions", NP_("commissions list", "Đặt hàng"),
                     (*units, FINANCE_OFFICER, AUDITOR), order=40, group="commissions",
                     work=("commissions_to_sign", "deliverables_accepted_unpaid"))
    registry.add_nav("commissions.new_commission", N_("Đề xuất đặt hàng"), (DIC_OFFICER,), order=45,
                     group="commissions")
    registry.add_nav("commissions.overdue_deliverables", N_("Sản phẩm quá hạn"), (*units, FINANCE_OFFICER, AUDITOR),
                     order=50, group="commissions", work=("deliverables_due",))
    # Việc cần làm (app/work): the queries are in commissions/queries.py
    registry.add_work("commissions_to_sign", N_("Đặt hàng đã duyệt, chờ ký hợp đồng"), units, order=20,
                      query=queries.commissions_to_sign, row=queries.commission_to_sign_row,
                      url="commissions.list_commissions", url_args={"status": "approved"})
    registry.add_work("deliverables_due", N_("Sản phẩm quá hạn hoặc đến hạn giao trong 14 ngày"), units, order=30,
                      query=queries.deliverables_due, row=queries.deliverable_due_row,
                      url="commissions.overdue_deliverables")
    registry.add_work("deliverables_accepted_unpaid", N_("Sản phẩm đã nghiệm thu, chưa thanh toán"), units, order=40,
                      query=queries.accepted_unpaid, row=queries.accepted_unpaid_row)
    registry.add_work("commissions_proposed", N_("Đặt hàng chờ duyệt"), (FINANCE_OFFICER,), order=20,
                      query=queries.proposed_commissions, row=queries.proposed_commission_row,
                      url="commissions.approval_queue")
    registry.add_demo_loader(load_commissions)  # after the budgets' loader: it uses their allocations

    # the suppliers' pages: whoever adds suppliers edits them, their bank accounts too (issue 17)
    from app.core.permissions import ADMIN
    from commissions.supplier_views import bp as supplier_pages
    app.register_blueprint(supplier_pages)
    registry.add_nav("suppliers.list_suppliers", N_("Nhà cung cấp"), (FINANCE_OFFICER, DIC_OFFICER), order=60,
                     group="commissions")
    registry.add_nav("suppliers.list_suppliers", N_("Nhà cung cấp"), (ADMIN,), order=60, group="admin")
    registry.add_audit_labels({"supplier.update": N_("Sửa nhà cung cấp")})

    # the managed list of policy topics (issue 21): admins keep it, the commission form offers it
    from commissions.topic_api import topics_blp
    from commissions.topic_views import bp as topic_pages
    api.register_blueprint(topics_blp)
    app.register_blueprint(topic_pages)
    describe_entities(app, EntityKind("topic", N_("Chủ đề thông tin")))
    registry.add_audit_labels({"topic.create": N_("Thêm chủ đề thông tin"), "topic.update": N_("Sửa chủ đề thông tin")})
    registry.add_nav("topics.list_topics", N_("Chủ đề thông tin"), (ADMIN,), order=61, group="admin")

    expenditures.init_app(app, api)
