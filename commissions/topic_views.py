"""Pages for the managed list of policy topics (issue 21): the list with its add form, editing one
(name, order), deactivating and reactivating it. Admins only; the same schemas and services as the
API, one audit entry per change."""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.pages import current_actor, handle_form
from app.core.permissions import ADMIN, require_role
from commissions import topics
from commissions.models import OTHER_TOPIC
from commissions.schemas import TopicCreateSchema, TopicUpdateSchema

bp = Blueprint("topics", __name__)


def _list_page(values=None, errors=None, status=200, message=None):
    return render_template("admin/topics.html", topics=topics.all_topics(), other=OTHER_TOPIC, values=values or {},
                           errors=errors or {}, message=message), status


@bp.get("/topics")
@login_required
def list_topics():
    require_role(current_actor(), ADMIN)
    return _list_page()


@bp.post("/topics")
@login_required
def create_topic():
    require_role(current_actor(), ADMIN)
    return handle_form(
        TopicCreateSchema(), lambda values, errors, status, message: _list_page(values, errors, status, message),
        lambda data: topics.create_topic(current_actor(), **data),
        lambda topic: (_("Đã thêm chủ đề %(name)s.", name=topic.name), url_for("topics.list_topics")))


def _edit_page(topic, values=None, errors=None, status=200, message=None):
    values = values or {"name": topic.name, "position": str(topic.position)}
    return render_template("admin/topic_edit.html", topic=topic, other=OTHER_TOPIC, values=values,
                           errors=errors or {}, message=message), status


@bp.get("/topics/<code>")
@login_required
def edit_topic(code):
    require_role(current_actor(), ADMIN)
    return _edit_page(topics.get_topic(code))


@bp.post("/topics/<code>")
@login_required
def update_topic(code):
    require_role(current_actor(), ADMIN)
    topic = topics.get_topic(code)
    form = {k: v for k, v in request.form.items() if k in ("name", "position")}
    return handle_form(
        TopicUpdateSchema(), lambda values, errors, status, message: _edit_page(topic, values, errors, status,
                                                                                message),
        lambda data: topics.update_topic(current_actor(), topic, **data),
        lambda changed: (_("Đã lưu chủ đề %(name)s.", name=changed.name), url_for("topics.list_topics")),
        form=form)


def _set_active(code, active, done):
    require_role(current_actor(), ADMIN)
    topic = topics.get_topic(code)
    return handle_form(
        None, lambda _values, errors, status, message: _edit_page(topic, None, errors, status, message),
        lambda _data: topics.set_topic_active(current_actor(), topic, active),
        lambda changed: (done(changed), url_for("topics.list_topics")))


@bp.post("/topics/<code>/deactivate")
@login_required
def deactivate_topic(code):
    return _set_active(code, False, lambda topic: _("Chủ đề %(name)s đã ngừng dùng.", name=topic.name))


@bp.post("/topics/<code>/reactivate")
@login_required
def reactivate_topic(code):
    return _set_active(code, True, lambda topic: _("Chủ đề %(name)s được dùng trở lại.", name=topic.name))
