"""The budget year inside the budgets domain: its status, the year-end close and carry-over.

Nested in `budgets/` the way a sub-module nests in its parent; it registers itself from
`budgets.init_app` (its API, pages, command, navigation and audit labels) and adds nothing to any
other domain.
"""


def init_app(app, api):
    from app.core.i18n import N_
    from app.core.permissions import AUDITOR, FINANCE_OFFICER
    from app.core.registry import registry_of
    from budgets.years import models
    from budgets.years.api import blp
    from budgets.years.cli import year_cli
    from budgets.years.demo import load_closed_year
    from budgets.years.views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    app.cli.add_command(year_cli)
    registry = registry_of(app)
    registry.add_nav("years.list_years", N_("Năm ngân sách"), (FINANCE_OFFICER, AUDITOR), order=17, group="budget",
                     work=("year_close_due",))
    from budgets.years import queries
    registry.add_work("year_close_due", N_("Năm ngân sách đến hạn khóa sổ"), (FINANCE_OFFICER,), order=40,
                      query=queries.years_to_close, row=queries.year_to_close_row, url="years.list_years")
    registry.add_audit_labels(models.AUDIT_LABELS)
    registry.add_demo_loader(load_closed_year, after_all=True)
