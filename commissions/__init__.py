"""Suppliers, commissions and deliverables (later expenditures): the money's way to the product."""


def init_app(app, api):
    from app.core.i18n import N_
    from app.core.permissions import AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
    from app.core.registry import registry_of
    from commissions import models, permissions, queries
    from commissions.api import blueprints

    for blp in blueprints:
        api.register_blueprint(blp)
    app.jinja_env.globals.update(
        COMMISSION_STATUS_LABELS=models.COMMISSION_STATUS_LABELS,
        COMMISSION_STATUS_STYLES=models.COMMISSION_STATUS_STYLES, COMMISSION_STATUS=models.CommissionStatus,
        DELIVERABLE_STATUS_LABELS=models.DELIVERABLE_STATUS_LABELS,
        DELIVERABLE_STATUS_STYLES=models.DELIVERABLE_STATUS_STYLES, DELIVERABLE_STATUS=models.DeliverableStatus,
        DELIVERABLE_KIND_LABELS=models.DELIVERABLE_KIND_LABELS, METHOD_LABELS=models.METHOD_LABELS,
        SUPPLIER_KIND_LABELS=models.SUPPLIER_KIND_LABELS)

    registry = registry_of(app)
    registry.add_audit_labels(models.AUDIT_LABELS)
    registry.add_document_owner("commission", load=queries.get_commission,
                                check_attach=permissions.check_can_attach_to_commission)
    registry.add_document_owner("deliverable", load=queries.get_deliverable,
                                check_attach=permissions.check_can_attach_to_deliverable)
    _ = (N_, AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER)  # the pages' navigation comes with them
