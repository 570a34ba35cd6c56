"""HTTP API v1 for the managed list of policy topics (issue 21): every signed-in role reads it (the
commission form offers it); admins add, rename, reorder and deactivate topics, each change audited."""
import sqlalchemy as sa

from app.core.api import Blueprint, api_actor, list_schema, paginate, role_check
from app.core.lists import ListQuery
from app.core.permissions import ADMIN, require_role
from commissions import topics
from commissions.models import Topic
from commissions.schemas import TopicCreateSchema, TopicListArgs, TopicOut, TopicUpdateSchema

topics_blp = Blueprint("topics_api", __name__, url_prefix="/api/v1/topics",
                       description="Danh mục chủ đề, chính sách được truyền thông")


def require_topic_admin(actor):
    require_role(actor, ADMIN)


@topics_blp.route("", methods=["GET"])
@topics_blp.arguments(TopicListArgs, location="query")
@topics_blp.response(200, list_schema(TopicOut))
@topics_blp.errors(422)
def list_topics(args):
    """Danh mục chủ đề theo thứ tự; `?active=true` chỉ các chủ đề đang dùng."""
    query = ListQuery(sa.select(Topic), (Topic.position, Topic.code))
    if "active" in args:
        query = query.where(Topic.active.is_(args["active"]))
    return paginate(query, args)


@topics_blp.route("", methods=["POST"])
@role_check(require_topic_admin)
@topics_blp.arguments(TopicCreateSchema)
@topics_blp.response(201, TopicOut)
@topics_blp.errors(403, 422)
def create_topic(data):
    """Thêm chủ đề (quản trị); tên và mã không trùng, mã không đổi về sau."""
    return topics.create_topic(api_actor(), **data)


@topics_blp.route("/<code>", methods=["GET"])
@topics_blp.response(200, TopicOut)
@topics_blp.errors(404)
def get_topic(code):
    """Một chủ đề."""
    return topics.get_topic(code)


@topics_blp.route("/<code>", methods=["PATCH"])
@role_check(require_topic_admin)
@topics_blp.arguments(TopicUpdateSchema)
@topics_blp.response(200, TopicOut)
@topics_blp.errors(403, 404, 422)
def update_topic(data, code):
    """Đổi tên, thứ tự hoặc ngừng dùng, dùng lại một chủ đề (quản trị); chủ đề “Khác” luôn dùng được."""
    return topics.update_topic(api_actor(), topics.get_topic(code), **data)
