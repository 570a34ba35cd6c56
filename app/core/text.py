"""One field type for text people type: titles, names, numbers of decisions, reasons, descriptions.

Text is stripped before anything else, so "   " is blank, not a reason; blank is refused unless the
field says it may be empty. Control characters (other than line breaks and tabs in multi-line
fields) and the bidirectional overrides that make "fdp.exe" display as "exe.pdf" are refused: they
are never meant, and they make a stored title read differently from what was checked.

Text is stored in one canonical form: Unicode NFC (a name typed on a decomposed keyboard, as some
input methods and macOS produce, is the same name as one typed composed), without the invisible
zero-width characters and direction marks that make two equal-looking names differ. Searches and
unique checks then compare like with like.
"""
import re
import unicodedata

from marshmallow import fields, validate

BLANK = "Không được để trống hoặc chỉ gồm khoảng trắng."
CONTROL = "Không được chứa ký tự điều khiển."
SINGLE_LINE = "Không được xuống dòng hoặc chứa ký tự điều khiển."
BIDI = "Không được chứa ký tự đảo chiều văn bản (U+202A–U+202E, U+2066–U+2069)."

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps \t (09) and \n (0a)
_LINE_ENDS = re.compile("\r\n?")
# zero-width space, non-joiner, joiner, word joiner, BOM; left-to-right, right-to-left and Arabic marks
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c]")


def canonical(text: str) -> str:
    """NFC, without zero-width characters and direction marks: the form every stored text takes."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


class StrippedLength(validate.Validator):
    """validate.Length on the stripped text. Not a Length itself: the OpenAPI document gives no
    minLength/maxLength of the text as sent, its pattern counts the characters between the blanks."""

    def __init__(self, *, min=None, max=None):  # noqa: A002 - validate.Length's names
        self.length = validate.Length(min=min, max=max)

    def __call__(self, value):
        return self.length(value)


class Text(fields.String):
    """A stripped string. `allow_blank=False` refuses empty text (after stripping) whether or not
    the field is required; an allowed blank loads as None when the field allows None, else "".
    `multiline=True` keeps line breaks (CRLF from browsers becomes LF) and tabs."""

    default_error_messages = {"blank": BLANK, "control": CONTROL, "single_line": SINGLE_LINE,
                              "bidi": BIDI}

    def __init__(self, *, max_length: int | None = None, min_length: int | None = None,
                 multiline: bool = False, allow_blank: bool = False, **kwargs):
        given = kwargs.pop("validate", None)
        validators = [] if given is None else list(given) if isinstance(given, (list, tuple)) else [given]
        if min_length is not None or max_length is not None:
            validators.insert(0, StrippedLength(min=min_length, max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.min_length, self.max_length = min_length, max_length
        self.multiline, self.allow_blank = multiline, allow_blank
        if "pattern" not in self.metadata:  # what the OpenAPI document states of the text as sent
            self.metadata = {**self.metadata, "pattern": openapi_pattern(self)}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.multiline:
            text = _LINE_ENDS.sub("\n", text)
        text = canonical(text).strip()
        if not text:
            if not self.allow_blank:
                raise self.make_error("blank")
            return None if self.allow_none else ""
        if _BIDI.search(text):
            raise self.make_error("bidi")
        if self.multiline and _CONTROL_EXCEPT_LINES.search(text):
            raise self.make_error("control")
        if not self.multiline and _CONTROL.search(text):
            raise self.make_error("single_line")
        return text

    def _validate(self, value):
        if value is None or value == "":  # an allowed blank: there is nothing to check
            return
        super()._validate(value)


# What the OpenAPI document says of a text field, as sent (before stripping): a JSON Schema pattern
# that a value matches exactly when `_deserialize` accepts it. Around the text, whitespace and the
# invisible characters `canonical` removes; the text itself begins and ends with a visible character
# and holds no control character (but tabs and line breaks if multi-line) and no bidi override.
_EDGE = (r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
         r"\u200b-\u200d\u2060\ufeff\u200e\u200f\u061c")  # str.isspace(), or removed by `canonical`
_INVISIBLE_CHARS = r"\u200b-\u200d\u2060\ufeff\u200e\u200f\u061c"
_REFUSED = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED_MULTILINE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"  # keeps tab, LF, CR


def openapi_pattern(field: "Text") -> str:
    """The pattern of a Text field in the OpenAPI document. A field with a Regexp validator (anchored
    with ^ and $, checked on the stripped text) states that pattern, whitespace allowed around it; its
    regex then bounds the length (the tax code's, the phone's do)."""
    edge = f"[{_EDGE}]*"
    regexps = [v.regex.pattern for v in field.validators if isinstance(v, validate.Regexp)]
    if regexps and regexps[0].startswith("^") and regexps[0].endswith("$"):
        body = f"(?:{regexps[0][1:-1]})"
    else:
        inner = f"[^{_REFUSED_MULTILINE if field.multiline else _REFUSED}{_INVISIBLE_CHARS}]"
        visible = f"[^{_EDGE}{_REFUSED}]"
        low, high = max(field.min_length or 1, 1), field.max_length
        if high == 1:
            body = visible
        else:
            count = f"{{{max(low - 2, 0)},{'' if high is None else high - 2}}}"
            hidden = f"[{_INVISIBLE_CHARS}]*"  # removed by `canonical`, so not counted
            body = f"{visible}(?:(?:{hidden}{inner}){count}{hidden}{visible})" + ("?" if low <= 1 else "")
    if field.allow_blank:
        body = f"(?:{body})?"
    return f"^{edge}{body}{edge}$"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula ("=HYPERLINK(…)") starts with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
