"""Report pages: the execution dashboard (province or own unit), flags, downloads."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("")
@login_required
def dashboard():
    return "…"


@bp.route("/flags")
@login_required
def flags_page():
    return "…"
