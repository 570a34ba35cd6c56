"""Marking text for translation where it is defined, and translating it where it is shown.

`N_(text)` marks a label; `NP_(context, text)` marks a word with two meanings (DESIGN: "Đặt hàng" is
both the commissions list and a commissioning method) with the context it is translated in. The
templates' `_()` and `translate()` read a label either way: with its context (pgettext) when it has
one, else plainly (gettext). The extraction keywords are `-k N_ -k NP_:1c,2 -k pgettext:1c,2`.

A validation message is written once, in Vietnamese, and shown in the reader's language: a
`Message(N_("Phải {min_op} {{min}}."))` is a plain Vietnamese string to the API (its contract's text)
and keeps its msgid and the values formatted into it, so a page's `error_text()` translates it
through the catalogue and formats the translation with the same values (themselves translated when
they are messages). A plain string (a domain's fixed message) is looked up in the catalogue as is.
"""
from flask_babel import get_translations, gettext, pgettext


class ContextualText(str):
    """A label marked with NP_(): the Vietnamese text, and the context it is translated in."""

    context: str

    def __new__(cls, context: str, text: str):
        label = super().__new__(cls, text)
        label.context = context
        return label


def N_(text: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Mark a label for translation where it is defined; templates translate it with _()."""
    return text


def NP_(context: str, text: str) -> ContextualText:  # noqa: N802 - the name Babel's extractor looks for
    """Mark a label with two meanings; templates' _() and translate() translate it with pgettext."""
    return ContextualText(context, text)


def translate(text: str, **variables) -> str:
    """A label in the current locale: with its context when it was marked with NP_()."""
    context = getattr(text, "context", None)
    if context is not None:
        return pgettext(context, str(text), **variables)
    return gettext(text, **variables)


class Message(str):
    """A Vietnamese message that a page can show in the reader's language (see the module's docstring).

    `str.format` on it (marshmallow and its validators format their messages when they use them)
    returns a Message that remembers the values too; the str value is always the Vietnamese text."""

    msgid: str
    steps: tuple

    def __new__(cls, msgid: str, /, **variables):
        return cls._build(str(msgid), (variables,) if variables else ())

    @classmethod
    def _build(cls, msgid: str, steps: tuple):
        message = super().__new__(cls, _render(msgid, steps, None))
        message.msgid, message.steps = msgid, steps
        return message

    def format(self, *args, **kwargs):
        if args:
            return str.format(self, *args, **kwargs)
        return type(self)._build(self.msgid, self.steps + (kwargs,)) if kwargs else self

    def text(self, lookup) -> str:
        """The message through `lookup` (msgid -> translation); the Vietnamese when that fails."""
        try:
            return _render(lookup(self.msgid), self.steps, lookup)
        except (KeyError, IndexError, ValueError):  # a translation whose placeholders do not fit
            return str(self)

    def __reduce__(self):
        return _rebuild_message, (self.msgid, self.steps)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _rebuild_message(msgid, steps):
    return Message._build(msgid, steps)


def _render(template: str, steps: tuple, lookup) -> str:
    """The template formatted step by step; `lookup` None: the Vietnamese (a step that does not fit
    is left out), else translated (a step that does not fit raises, and the caller falls back)."""
    for variables in steps:
        values = {name: _value(value, lookup) for name, value in variables.items()}
        try:
            template = template.format(**values)
        except (KeyError, IndexError, ValueError):
            if lookup is not None:
                raise
    return template


def _value(value, lookup):
    if isinstance(value, Message):
        return value.text(lookup) if lookup is not None else str(value)
    return value


def error_text(message) -> str:
    """A validation or domain message in the reader's language (the catalogue's, else the Vietnamese)."""
    if isinstance(message, Message):
        return message.text(_raw_translate)
    if isinstance(message, str):
        return _raw_translate(message) if message else message
    return str(message)


def error_texts(messages) -> list[str]:
    """Every message of a field's errors (a list, a string, or nested by row and field), translated."""
    if messages is None:
        return []
    if isinstance(messages, str):
        return [error_text(messages)]
    if isinstance(messages, dict):
        return [text for key in messages for text in error_texts(messages[key])]
    if isinstance(messages, (list, tuple)):
        return [text for item in messages for text in error_texts(item)]
    return [str(messages)]


def _raw_translate(text: str) -> str:
    context = getattr(text, "context", None)
    if context is not None:
        return get_translations().upgettext(context, str(text))
    return get_translations().ugettext(text)


def install_template_gettext(app) -> None:
    """The templates' `_()`/`gettext()` as Flask-Babel's, but honouring NP_() labels' contexts."""
    app.jinja_env.install_gettext_callables(
        gettext=_raw_translate,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    from app.core.forms import template_helpers  # form inputs show dates and amounts as typed here

    app.jinja_env.globals.update(error_text=error_text, error_texts=error_texts, **template_helpers())
