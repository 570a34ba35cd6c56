"""Panels a domain adds to another domain's record page, for traceability downwards: the allocation
page (budgets) shows the commissions and expenditures drawn on it (commissions), yet budgets imports
nothing of commissions. A domain registers `add_panel(app, "allocation", template, load)`; the page
calls `panels_for("allocation", record)` in its template, which loads each panel's context with
`load(actor, record)` and includes its template."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

EXTENSION_KEY = "pcb_panels"
PANEL_ROWS = 50  # the newest records a panel lists; its totals cover them all


@dataclass(frozen=True)
class Panel:
    record_type: str
    template: str
    load: Callable   # (actor, record) -> dict for the template
    order: int = 100


def add_panel(app, record_type: str, template: str, load: Callable, order: int = 100):
    panels = app.extensions.setdefault(EXTENSION_KEY, [])
    panels.append(Panel(record_type, template, load, order))
    panels.sort(key=lambda panel: panel.order)


def panels_for(record_type: str, record) -> list[tuple[str, dict]]:
    """(template, context) of each panel registered for the record's type, loaded for the current user."""
    from app.core.pages import current_actor

    actor = current_actor()
    return [(panel.template, panel.load(actor, record))
            for panel in current_app.extensions.get(EXTENSION_KEY, []) if panel.record_type == record_type]


def init_app(app):
    app.jinja_env.globals.update(panels_for=panels_for)
