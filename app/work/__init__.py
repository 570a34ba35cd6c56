"""Việc cần làm: what is waiting for the logged-in person, counted in the navigation and listed on
the landing page. The package knows no domain: each domain registers its work items with
`registry.add_work(...)` (queries in its own queries.py), and its menu entries with
`registry.add_nav(..., group=..., work=(keys...))` so that an entry's badge counts those items."""


def init_app(app, api):
    from app.core.i18n import N_
    from app.core.permissions import ROLES
    from app.core.registry import registry_of
    from app.work.counts import work_counts
    from app.work.views import bp

    app.register_blueprint(bp)
    registry_of(app).add_nav("work.index", N_("Việc cần làm"), ROLES, order=0, group="work")

    @app.context_processor
    def _work_counts():
        # a function: a page that draws no navigation (an error before login) runs no query
        return {"work_counts": work_counts}
