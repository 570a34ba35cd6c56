"""The expenditure ledger, nested in commissions: advances, payments and recoveries on a commission,
direct spending on an allocation, finance's reversals, and the balance check behind
`flask ledger check`.

Registered from `commissions.init_app` (its API, pages, command, navigation, audit labels, the
`expenditure` document owner and its demo loader); it adds nothing to any other domain.
"""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("expenditure", N_("Khoản chi"), "expenditures.show_expenditure",
                                      "expenditure_id"))
    from app.core.panels import add_panel
    from commissions.expenditures.queries import allocation_entries
    add_panel(app, "allocation", "expenditures/_allocation_panel.html", allocation_entries, order=20)
    from app.core.i18n import N_
    from app.core.permissions import AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
    from app.core.registry import registry_of
    from commissions.expenditures import models, permissions, queries
    from commissions.expenditures.api import blp
    from commissions.expenditures.balances import ledger_cli
    from commissions.expenditures.demo import load_expenditures
    from commissions.expenditures.views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    app.cli.add_command(ledger_cli)
    app.jinja_env.globals.update(EXPENDITURE_KIND_LABELS=models.EXPENDITURE_KIND_LABELS,
                                 EXPENDITURE_STATUS_LABELS=models.EXPENDITURE_STATUS_LABELS)

    registry = registry_of(app)
    registry.add_audit_labels(models.AUDIT_LABELS)
    registry.add_document_owner("expenditure", load=queries.get_expenditure,
                                check_attach=permissions.check_can_attach_to_expenditure)
    units = (UNIT_OFFICER, DIC_OFFICER)
    registry.add_nav("expenditures.list_expenditures", N_("Khoản chi"), (*units, FINANCE_OFFICER, AUDITOR), order=55,
                     group="spending", work=("advances_to_settle",))
    registry.add_nav("expenditures.new_direct", N_("Chi trực tiếp"), units, order=56, group="spending")
    # Việc cần làm (app/work): the query is in commissions/expenditures/queries.py
    registry.add_work("advances_to_settle", N_("Tạm ứng chưa thanh toán hoặc thu hồi"), units, order=50,
                      query=queries.advances_to_settle, row=queries.advance_to_settle_row,
                      url="expenditures.list_expenditures", url_args={"kind": "advance"})
    registry.add_demo_loader(load_expenditures)  # on the commissions the commissions' loader made
