"""The managed list of policy topics (chủ đề thông tin, issue 21): reading it, adding, renaming,
reordering and deactivating topics (admins, audited), and telling which topic a commission's text is.

A commission keeps the topic text it was proposed with (the API still accepts free text) and points
at one managed topic by `topic_code`: a text that is a topic's name (compared case-insensitively,
in NFC, spaces collapsed) points at that topic, even one deactivated since; any other text at
`khac` (Khác), the free "other", whose texts the reports list under it.
"""
import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.database import lock_for_update
from app.core.exceptions import InvalidTransition, NotFound, ValidationFailed
from app.core.permissions import ADMIN, require_role
from app.extensions import db
from commissions.models import OTHER_TOPIC, Topic

CODE = re.compile(r"[a-z0-9_]{2,40}")
UNSET = object()


def topic_key(text: str) -> str:
    """What two topic texts compare by: NFC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def all_topics() -> list[Topic]:
    return list(db.session.execute(sa.select(Topic).order_by(Topic.position, Topic.code)).scalars())


def active_topics() -> list[Topic]:
    return [topic for topic in all_topics() if topic.active]


def get_topic(code: str) -> Topic:
    topic = db.session.get(Topic, code) if isinstance(code, str) and len(code) <= 40 else None
    if topic is None:
        raise NotFound("Không tìm thấy chủ đề.")
    return topic


def resolve(topic: str | None, topic_code: str | None) -> tuple[str, str]:
    """(text stored, topic_code) of a commission's topic as the API or the form gave it.

    - `topic_code` of an active topic other than Khác: the topic's name is the text;
    - `topic_code` Khác, or no code: the text is required and points at the topic it names, else Khác.
    Raises ValidationFailed on `topic_code` (unknown or deactivated) or `topic` (missing)."""
    text = (topic or "").strip() or None
    if topic_code:
        chosen = db.session.get(Topic, topic_code) if len(topic_code) <= 40 else None
        if chosen is None or not chosen.active:
            raise ValidationFailed.field("topic_code", "Chọn một chủ đề trong danh mục.")
        if chosen.code != OTHER_TOPIC:
            return chosen.name, chosen.code
    if text is None:
        raise ValidationFailed.field("topic", "Ghi chủ đề, chính sách được truyền thông.")
    key = topic_key(text)
    by_name = {topic_key(t.name): t.code for t in all_topics()}
    return text, by_name.get(key, OTHER_TOPIC)


def _check_name(name: str, code: str | None = None) -> str:
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ValidationFailed.field("name", "Tên chủ đề phải có ít nhất 2 ký tự.")
    for other in all_topics():
        if other.code != code and topic_key(other.name) == topic_key(name):
            raise ValidationFailed.field("name", f"Đã có chủ đề “{other.name}”.")
    return name


def _code_from(name: str) -> str:
    """A code from a Vietnamese name: "Chuyển đổi số" → "chuyen_doi_so"."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].strip("_")


def create_topic(actor, *, name, code=None, position=None) -> Topic:
    """Admins add a topic; its code (given, or made from the name) never changes afterwards.
    Raises Forbidden; ValidationFailed on a name or code already taken or malformed."""
    require_role(actor, ADMIN)
    name = _check_name(name)
    code = (code or "").strip() or _code_from(name)
    if not CODE.fullmatch(code):
        raise ValidationFailed.field("code", "Mã chủ đề gồm 2 đến 40 chữ thường không dấu, chữ số hoặc “_”.")
    taken = ValidationFailed.field("code", f"Đã có chủ đề mã {code}.")
    if db.session.get(Topic, code) is not None:
        raise taken
    if position is None:
        position = (db.session.execute(sa.select(sa.func.max(Topic.position))).scalar() or 0) + 10
    topic = Topic(code=code, name=name, active=True, position=position)
    try:
        with db.session.begin_nested():  # a concurrent request may have added it since the check
            db.session.add(topic)
    except IntegrityError:
        raise taken from None
    audit.record(actor, "topic.create", "topic", None, {"code": code, "name": name, "position": position})
    return topic


def update_topic(actor, topic: Topic, *, name=UNSET, position=UNSET, active=UNSET) -> Topic:
    """Rename, reorder, deactivate or reactivate a topic (admins). Khác cannot be deactivated: it
    takes every text the list does not name. Commissions keep their code: a renamed topic renames
    its line in the reports. Raises Forbidden, ValidationFailed."""
    require_role(actor, ADMIN)
    topic = db.session.execute(lock_for_update(sa.select(Topic).where(Topic.code == topic.code))
                               .execution_options(populate_existing=True)).scalar_one()
    values = {}
    if name is not UNSET:
        values["name"] = _check_name(name, topic.code)
    if position is not UNSET:
        values["position"] = position
    if active is not UNSET:
        if not active and topic.code == OTHER_TOPIC:
            raise ValidationFailed.field("active", "Chủ đề “Khác” luôn dùng được: nó nhận mọi chủ đề ngoài danh mục.")
        values["active"] = bool(active)
    changes = {field: [getattr(topic, field), value] for field, value in values.items()
               if getattr(topic, field) != value}
    if not changes:
        return topic
    for field, (_old, value) in changes.items():
        setattr(topic, field, value)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a concurrent rename took the name since the check
        raise ValidationFailed.field("name", "Tên chủ đề đã thuộc chủ đề khác.") from None
    audit.record(actor, "topic.update", "topic", None, {"code": topic.code, **changes})
    return topic


def set_topic_active(actor, topic: Topic, active: bool) -> Topic:
    """The pages' deactivate and reactivate buttons: a topic already in that state is refused (409),
    as a unit's are. Raises Forbidden, InvalidTransition, ValidationFailed (Khác)."""
    require_role(actor, ADMIN)
    if topic.active == active:
        state = "đang dùng" if active else "đã ngừng dùng"
        raise InvalidTransition(f"Chủ đề “{topic.name}” {state}.")
    return update_topic(actor, topic, active=active)
