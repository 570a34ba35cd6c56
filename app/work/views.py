"""The work page: the landing page of every role (`/` leads here)."""
from flask import Blueprint, render_template
from flask_login import login_required

from app.core.pages import current_actor
from app.core.registry import registry
from app.work.counts import ROWS_SHOWN, list_url, rows_of, work_counts

bp = Blueprint("work", __name__)


@bp.get("/work")
@login_required
def index():
    """Việc cần làm: each kind of work waiting for the user, with its first records as links."""
    actor = current_actor()
    counts = work_counts()
    sections = []
    for item in registry().work_for(actor.role):
        count = counts.by_item.get(item.key, 0)
        if count:
            sections.append({"item": item, "count": count, "rows": rows_of(actor, item),
                             "url": list_url(item)})
    return render_template("work/index.html", sections=sections, total=counts.total, shown=ROWS_SHOWN)
