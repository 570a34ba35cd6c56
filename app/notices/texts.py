"""A notice in words: its kind's subject and body in the reader's language (inbox) or a given one
(e-mail)."""
import json

from flask_babel import force_locale, gettext

from app.notices.models import Notice
from app.notices.registry import notice_registry


def render(notice: Notice, lang: str | None = None) -> tuple[str, str]:
    """The notice's subject and body in `lang` (the current one by default)."""
    kind = notice_registry().kinds.get(notice.kind)
    params = json.loads(notice.params or "{}")
    if kind is None:
        return notice.kind, ""

    def texts():
        return gettext(kind.subject, **params), gettext(kind.body, **params)
    if lang is None:
        return texts()
    with force_locale(lang):
        return texts()
