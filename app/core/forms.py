"""HTML forms are validated by the same marshmallow schemas as the API."""
import functools
import re

from marshmallow import Schema, ValidationError, fields

from app.core.dates import DAY_PLACEHOLDER, typed_day
from app.core.money import FORM_INPUT, StrictInteger, group_thousands, parse_form_integer

_LIST_KEY = re.compile(r"^(?P<name>[a-z_]+)-(?P<index>\d{1,3})-(?P<field>[a-z_]+)$")


def form_to_dict(form, list_fields=()) -> dict:
    """Flatten a submitted form; `lines-0-description` style keys become lists of dicts.

    Empty text becomes absent, so required fields say "missing" and optional ones default.
    Rows of a list whose every field is empty are dropped (blank rows of a table form).
    """
    data, lists = {}, {}
    for key in form.keys():
        if key == "csrf_token":
            continue
        value = form.get(key, "").strip()
        match = _LIST_KEY.match(key)
        if match and match["name"] in list_fields:
            row = lists.setdefault(match["name"], {}).setdefault(int(match["index"]), {})
            if value != "":
                row[match["field"]] = value
        elif value != "":
            data[key] = value
    for name in list_fields:
        rows = lists.get(name, {})
        data[name] = [rows[i] for i in sorted(rows) if rows[i]]
    return data


def _number_fields(schema: Schema):
    """Every number field of a schema, nested schemas included, as (path, field)."""
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            yield from ((f"{name}.{path}", sub) for path, sub in _number_fields(inner.schema))
        elif isinstance(inner, fields.Number):
            yield name, inner


@functools.cache
def check_numbers_parse_as_typed(schema_class: type[Schema]):
    """A form's numbers are read by one parser (`parse_form_integer`, through StrictInteger):
    a plain marshmallow number field would take "１２３" or "1_000" as typed. Refuse such a schema
    the first time a form uses it, so a new form cannot slip past the rule."""
    plain = [path for path, field in _number_fields(schema_class()) if not isinstance(field, StrictInteger)]
    if plain:
        raise TypeError(f"{schema_class.__name__}: form numbers must be StrictInteger/Money: {plain}")


def load_form(schema: Schema, form, list_fields=()) -> tuple[dict | None, dict, dict]:
    """Returns (data or None, errors by field, the raw values to re-fill the form with)."""
    check_numbers_parse_as_typed(type(schema))
    raw = form_to_dict(form, list_fields)
    token = FORM_INPUT.set(True)
    try:
        return schema.load(raw), {}, raw
    except ValidationError as error:
        return None, error.normalized_messages(), raw
    finally:
        FORM_INPUT.reset(token)


def typed_amount(value) -> str:
    """An amount as a form shows it: 1250000 (or "1250000" typed) as "1.250.000"; text that is not
    a whole number as typed, so the person sees what the message is about."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return group_thousands(value)
    text = str(value)
    try:
        return group_thousands(parse_form_integer(text))
    except ValidationError:
        return text


def template_helpers() -> dict:
    """The form macros' helpers (templates/_macros.html): dates and amounts shown as typed."""
    return {"form_day": typed_day, "form_amount": typed_amount, "DAY_PLACEHOLDER": DAY_PLACEHOLDER}
