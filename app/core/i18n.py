"""Marking text for translation where it is defined, and translating it where it is shown.

`N_(text)` marks a label; `NP_(context, text)` marks a word with two meanings (DESIGN: "Đặt hàng" is
both the commissions list and a commissioning method) with the context it is translated in. The
templates' `_()` and `translate()` read a label either way: with its context (pgettext) when it has
one, else plainly (gettext). The extraction keywords are `-k N_ -k NP_:1c,2 -k pgettext:1c,2`.
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
