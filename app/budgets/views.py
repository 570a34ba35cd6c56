from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("budgets", __name__)


def _placeholder(title):
    return render_template("budgets/placeholder.html", title=title)


@bp.get("/dashboard")
@login_required
def dashboard():
    return _placeholder("Tổng quan")


@bp.get("/requests")
@login_required
def list_requests():
    return _placeholder("Đề nghị kinh phí")


@bp.get("/requests/new")
@login_required
def new_request():
    return _placeholder("Lập đề nghị")


@bp.get("/finance")
@login_required
def finance_queue():
    return _placeholder("Đề nghị chờ xử lý")


@bp.get("/envelopes")
@login_required
def list_envelopes():
    return _placeholder("Nguồn kinh phí")
