"""HTML forms are validated by the same marshmallow schemas as the API."""
import re

from marshmallow import Schema, ValidationError

from app.core.money import FORM_INPUT

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


def load_form(schema: Schema, form, list_fields=()) -> tuple[dict | None, dict, dict]:
    """Returns (data or None, errors by field, the raw values to re-fill the form with)."""
    raw = form_to_dict(form, list_fields)
    token = FORM_INPUT.set(True)
    try:
        return schema.load(raw), {}, raw
    except ValidationError as error:
        return None, error.normalized_messages(), raw
    finally:
        FORM_INPUT.reset(token)
