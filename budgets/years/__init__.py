"""The budget year inside the budgets domain: its status, the year-end close and carry-over.

Nested in `budgets/` the way a sub-module nests in its parent; it registers itself from
`budgets.init_app` and adds nothing to any other domain.
"""


def init_app(app, api):
    from budgets.years import models  # noqa: F401 - the tables are part of the schema
